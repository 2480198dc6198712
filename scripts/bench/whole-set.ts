// `npm run bench`: the whole benchmark set in one run, each step as it runs on its own —
//   start-up  spawn Envelope on the estate a few times: time to /healthz and to the first FHIR read;
//   load      the shared runner on the estate: the bare Node baseline (replaying the read's bytes),
//             read, search and create, each on one connection and under load;
//   booking   a fresh pool, the booking scenario through the shared runner (its own baseline at its
//             connection count), and the double-booking check (scenarios/booking.ts);
//   audit     the audit log's own write rate in isolation (audit-write.ts), one process per row;
//   size      the estate's database size per million resources, clinical and added since seeding.
// Every step but `load` can be skipped (--skip), for a quicker look at one part.
import { loadavg } from 'node:os';
import type { Manifest } from '../estate/dataset.js';
import { dbBytes } from '../estate/dataset.js';
import { auditLogRows } from './audit-write.js';
import { practiceIndex } from './practices.js';
import type { BookingStep, WholeSetRun } from './report-all.js';
import { runSuite, type RunOptions, type SuiteResult } from './runner.js';
import type { Scenario } from './scenario.js';
import { runBooking } from './scenarios/booking.js';
import { measureStartup, summariseStartup } from './startup.js';
import { countResources, storeSize } from './store-size.js';
import { bearerFor } from './token.js';

export const OPTIONAL_STEPS = ['startup', 'booking', 'audit', 'size'] as const;
export type OptionalStep = (typeof OPTIONAL_STEPS)[number];

export interface WholeSetOptions {
  manifest: Manifest;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Scenarios of the load step; the first one's bytes are what the baseline replays. */
  scenarios: readonly Scenario[];
  run: RunOptions;
  skip: ReadonlySet<OptionalStep>;
  startupRuns: number;
  booking: { connections: number; slots: number; patients: number; contended: number };
  audit: { seconds: number; appenders: number[] };
}

export type WholeSetFigures = Omit<WholeSetRun, 'command' | 'machine' | 'code' | 'targets' | 'wallMs' | 'finishedAt'>;

export async function runWholeSet(o: WholeSetOptions): Promise<WholeSetFigures> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const { manifest, dataDir, env, run } = o;
  const log = run.log;

  let startup: WholeSetRun['startup'];
  if (!o.skip.has('startup')) {
    log('bench: step start-up');
    // The first read is the audited read of the load step: one appointment, asked by the patient's practice.
    const a = manifest.samples.appointments.find((x) => typeof x.id === 'string' && x.id.length > 0);
    if (!a) throw new Error('the estate has no sampled appointment ids: seed it again (--fresh)');
    const authorization = await bearerFor('gp-clinician', dataDir, env, undefined, practiceIndex(manifest).ofPatient(a.patient));
    const samples = await measureStartup({
      env, logDir: run.logDir, runs: o.startupRuns, log,
      firstRead: { method: 'GET', path: `/fhir/Appointment/${a.id}`, headers: { authorization } },
    });
    startup = { samples, summary: summariseStartup(samples) };
  }

  log('bench: step load (baseline, read, search, create)');
  const main: SuiteResult = await runSuite(o.scenarios, { dataDir, env, manifest, label: 'all' }, run);

  let booking: BookingStep | undefined;
  if (!o.skip.has('booking')) {
    log('bench: step booking');
    const b = await runBooking(o.booking, { ...run, connections: [o.booking.connections] });
    booking = { result: b.result, slots: o.booking.slots, patients: o.booking.patients, contended: o.booking.contended, dbBytes: b.dbBytes };
  }

  let auditLog: WholeSetRun['auditLog'];
  if (!o.skip.has('audit')) {
    log(`bench: step audit (the audit log's write rate with ${o.audit.appenders.join(', ')} appenders, ${o.audit.seconds} s each)`);
    auditLog = { seconds: o.audit.seconds, rows: await auditLogRows(o.audit) };
    for (const r of auditLog.rows) log(`bench: audit log, ${r.appenders} appenders: ${Math.round(r.perSecond)} events/s, ${r.groupMean.toFixed(1)} per transaction`);
  }

  let size: WholeSetRun['size'];
  if (!o.skip.has('size')) {
    log('bench: step size (counting the estate\'s resources)');
    size = storeSize({ bytes: manifest.dbBytes, counts: manifest.counts }, { bytes: dbBytes(dataDir), counts: countResources(dataDir) });
  }

  return {
    manifest, startedAt, loadAverage: { start: loadStart, end: loadavg() }, main,
    ...(startup ? { startup } : {}), ...(booking ? { booking } : {}), ...(auditLog ? { auditLog } : {}), ...(size ? { size } : {}),
  };
}
