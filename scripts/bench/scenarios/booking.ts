// `npm run bench:booking`: many GP systems booking at once, through the HTTP API. A fresh pool of
// free slots (each patient with an active referral) is seeded into a throw-away data folder, and the
// shared runner (runner.ts) starts Envelope on it and drives 200 connections, each POSTing bookings
// one after another. Most bookings take the next untouched slot; a share (--contended) re-aims at a
// slot handed out moments before, which someone else has booked or is booking right now, so the
// no-double-booking rule is exercised under load (the loser gets 409). Afterwards every booked
// appointment is read back through the API and the double-booking count (slots with more than one
// booked appointment) must be 0.
//
// The pool is its own data folder, never the shared search estate: booking changes what it books.
// `npm run bench` runs the same step (runBooking) as part of the whole set.
//
//   node dist/scripts/bench/scenarios/booking.js [--connections 200] [--duration 20] [--warmup 2]
//     [--slots 60000] [--patients 2000] [--contended 0.2] [--single 300] [--out docs/BENCHMARKS.md] [--no-write]
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../../src/compose.js';
import { configFromEnv } from '../../../src/config.js';
import type { Resource } from '../../../src/domain/fhir.js';
import { dbBytes, estateEnv } from '../../estate/dataset.js';
import { seedStore } from '../../estate/seed.js';
import { codeState, machineFacts } from '../machine.js';
import { singlePractice } from '../practices.js';
import { writeSection } from '../report.js';
import { runSuite, type RunOptions, type ScenarioResult, type SuiteResult } from '../runner.js';
import type { BenchRequest, Scenario, Verification } from '../scenario.js';

/** Bookings per second under contention the booking target asks for. */
export const TARGET_BOOKINGS_PER_S = 500;
const SLOT_MINUTES = 15;
const SCHEDULES = 10;
const SERVICE_TYPE = { coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/NHSDigital-TreatmentFunctionCode', code: '320', display: 'Cardiology' }] };

/** The seeded pool a booking run draws from. */
export interface BookingPool {
  slots: number;
  patients: number;
  /** First slot start, ms since the epoch; slot n starts SLOT_MINUTES × ⌊n / SCHEDULES⌋ later, on schedule n mod SCHEDULES. */
  firstStartMs: number;
  /** Share of bookings aimed at a slot handed out moments before. */
  contended: number;
}

const slotId = (n: number) => `b-slot-${n}`;
/** ODS code of the benchmark's referring practice; the booking token acts for it. */
const PRACTICE_ODS = 'A99001';
const slotStart = (p: BookingPool, n: number) => p.firstStartMs + Math.floor(n / SCHEDULES) * SLOT_MINUTES * 60_000;

/** The resources of the pool: a trust, its service and schedules, patients with referrals, free slots. */
function* poolResources(p: BookingPool): Generator<Resource> {
  yield { resourceType: 'Organization', id: 'b-trust', name: 'Benchmark Trust', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RB0' }] } as Resource;
  // The referring practice: its patients are registered there, so its clinicians may book for them.
  yield { resourceType: 'Organization', id: 'b-practice', name: 'Benchmark Practice', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: PRACTICE_ODS }] } as Resource;
  yield { resourceType: 'Location', id: 'b-site', name: 'Main site', managingOrganization: { reference: 'Organization/b-trust' } } as Resource;
  yield { resourceType: 'HealthcareService', id: 'b-cardio', name: 'Cardiology', providedBy: { reference: 'Organization/b-trust' }, type: [SERVICE_TYPE] } as Resource;
  for (let s = 0; s < SCHEDULES; s++) {
    yield { resourceType: 'Schedule', id: `b-sch-${s}`, active: true, actor: [{ reference: 'HealthcareService/b-cardio' }, { reference: 'Location/b-site' }], serviceType: [SERVICE_TYPE] } as Resource;
  }
  for (let i = 0; i < p.patients; i++) {
    yield {
      resourceType: 'Patient', id: `b-pat-${i}`, name: [{ family: `Patient${i}` }], birthDate: '1970-01-01',
      generalPractitioner: [{ reference: 'Organization/b-practice' }],
    } as Resource;
    yield {
      resourceType: 'ServiceRequest', id: `b-ref-${i}`, status: 'active', intent: 'order', subject: { reference: `Patient/b-pat-${i}` },
      requester: { reference: 'Organization/b-practice' }, performer: [{ reference: 'HealthcareService/b-cardio' }], code: SERVICE_TYPE,
    } as Resource;
  }
  for (let n = 0; n < p.slots; n++) {
    const start = slotStart(p, n);
    yield {
      resourceType: 'Slot', id: slotId(n), schedule: { reference: `Schedule/b-sch-${n % SCHEDULES}` }, serviceType: [SERVICE_TYPE], status: 'free',
      start: new Date(start).toISOString(), end: new Date(start + SLOT_MINUTES * 60_000).toISOString(),
    } as Resource;
  }
}

/** A booking of slot n by patient i on their referral, as a GP system sends it. */
function bookingRequest(p: BookingPool, n: number, i: number): BenchRequest {
  const start = slotStart(p, n);
  return {
    method: 'POST',
    path: '/fhir/Appointment',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Appointment',
      status: 'booked',
      slot: [{ reference: `Slot/${slotId(n)}` }],
      start: new Date(start).toISOString(),
      end: new Date(start + SLOT_MINUTES * 60_000).toISOString(),
      created: new Date().toISOString().slice(0, 10),
      basedOn: [{ reference: `ServiceRequest/b-ref-${i}` }],
      participant: [{ actor: { reference: `Patient/b-pat-${i}` }, status: 'accepted' }],
    }),
  };
}

/**
 * Bookings over the pool: every request takes the next untouched slot, except a `contended` share
 * that re-aims at one of the last RECENT slots handed out. The cursor belongs to the scenario, not to
 * one instance, so the runner's phases (pre-flight, one connection, warm-up, load) never hand out the
 * same slot twice except on purpose. When the pool runs out it starts over (every booking is then a
 * 409, which the report shows).
 */
export function bookingScenario(p: BookingPool): Scenario {
  const RECENT = 64;
  let cursor = 0;
  let patient = 0;
  const recent: number[] = [];
  const authOf = (ctx: { authFor?(ods: string): string }): Record<string, string> => (ctx.authFor ? { authorization: ctx.authFor(PRACTICE_ODS) } : {});
  return {
    id: 'booking.book',
    title: 'Book one free slot for a patient on their active referral (some bookings contend for the same slot)',
    target: 'envelope',
    role: 'gp-clinician',
    example: 'POST /fhir/Appointment {status: booked, slot: [Slot/{id}], start/end of the slot, basedOn: ServiceRequest/{id}, participant: Patient/{id}}',
    expectedStatuses: [409],
    create(ctx) {
      const { rng } = ctx;
      const auth = authOf(ctx);
      // Whether the last request re-aimed at a slot already handed out: only then is 409 a right answer.
      let lastContended = false;
      return {
        next() {
          let n: number;
          lastContended = recent.length > 0 && rng.next() < p.contended;
          if (lastContended) n = recent[rng.int(recent.length)]!;
          else {
            n = cursor++ % p.slots;
            recent.push(n);
            if (recent.length > RECENT) recent.shift();
          }
          const r = bookingRequest(p, n, patient++ % p.patients);
          return { ...r, headers: { ...r.headers, ...auth } };
        },
        check(status, body) {
          if (status === 409 && lastContended) return { matches: 0, included: 0 };
          if (status !== 201) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
          const a = JSON.parse(body) as { resourceType?: string; id?: string; status?: string };
          if (a.resourceType !== 'Appointment' || !a.id || a.status !== 'booked') throw new Error(`not a booked Appointment: ${body.slice(0, 200)}`);
          return { matches: 1, included: 0 };
        },
      };
    },
    verify: (send, ctx) => verify(send, authOf(ctx)),
  };
}

type Send = (r: BenchRequest) => Promise<{ status: number; body: string }>;

async function busySlots(send: Send, headers: Record<string, string>): Promise<number> {
  const busy = await send({ method: 'GET', path: '/fhir/Slot?status=busy&_count=0&_total=accurate', headers });
  if (busy.status !== 200) throw new Error(`verify: counting busy slots → ${busy.status} ${busy.body.slice(0, 200)}`);
  return (JSON.parse(busy.body) as { total?: number }).total ?? NaN;
}

/**
 * Reads every booked appointment back through the API and counts slots booked more than once. When
 * the load stops, the server is still working through bookings it had already received (hundreds
 * queued at 200 connections): the count is taken again until the busy slots before and after reading
 * the appointments agree, so the comparison is of a quiet database.
 */
async function verify(send: Send, headers: Record<string, string>): Promise<Verification> {
  for (let attempt = 1; ; attempt++) {
    const before = await busySlots(send, headers);
    const perSlot = new Map<string, number>();
    let booked = 0;
    let path: string | undefined = '/fhir/Appointment?status=booked&_count=1000&_elements=slot';
    while (path) {
      const ex = await send({ method: 'GET', path, headers });
      if (ex.status !== 200) throw new Error(`verify: GET ${path} → ${ex.status} ${ex.body.slice(0, 200)}`);
      const b = JSON.parse(ex.body) as { entry?: { resource: { slot?: { reference: string }[] } }[]; link?: { relation: string; url: string }[] };
      for (const e of b.entry ?? []) {
        booked++;
        for (const s of e.resource.slot ?? []) perSlot.set(s.reference, (perSlot.get(s.reference) ?? 0) + 1);
      }
      const next = b.link?.find((l) => l.relation === 'next')?.url;
      path = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    const after = await busySlots(send, headers);
    if (before !== after && attempt < 20) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    const doubleBooked = [...perSlot.values()].filter((c) => c > 1).length;
    const settled = before === after;
    return {
      ok: doubleBooked === 0 && booked === after && settled,
      facts: [
        { what: 'double bookings', value: String(doubleBooked), ok: doubleBooked === 0 },
        { what: 'booked appointments', value: String(booked), ok: booked === after },
        { what: 'busy slots', value: String(after), ok: booked === after },
        ...(settled ? [] : [{ what: 'busy slots still changing after 20 reads', value: `${before} → ${after}`, ok: false }]),
      ],
    };
  }
}

/** Seeds the pool into `dataDir` through the server's own Store (as the estate is seeded). */
export async function seedBookingPool(dataDir: string, pool: BookingPool): Promise<void> {
  const env = estateEnv(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const seeder = await composeEnvelope(configFromEnv(env), env);
  try {
    await seedStore(seeder.store, poolResources(pool), { batchSize: 5_000 });
  } finally {
    await seeder.close();
  }
}

export interface BookingOptions {
  slots: number;
  patients: number;
  contended: number;
}

export interface BookingRun {
  pool: BookingPool;
  result: SuiteResult;
  /** Database file + WAL after the run. */
  dbBytes: number;
}

/**
 * The booking step: seeds a pool into a throw-away folder, runs the booking scenario on it through
 * the shared runner (pre-flight, one connection, the baseline and the load at `run.connections`, the
 * double-booking check), and removes the folder.
 */
export async function runBooking(b: BookingOptions, run: RunOptions): Promise<BookingRun> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dataDir = resolve('.bench', `booking-${stamp}`);
  // Slots from tomorrow on (UTC midnight), so every one of them is a future, bookable slot.
  const pool: BookingPool = { slots: b.slots, patients: b.patients, firstStartMs: (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000, contended: b.contended };
  try {
    run.log(`bench:booking: seeding ${b.slots.toLocaleString('en-GB')} free slots and ${b.patients.toLocaleString('en-GB')} patients with a referral into ${dataDir}`);
    await seedBookingPool(dataDir, pool);
    const result = await runSuite([bookingScenario(pool)], { dataDir, env: estateEnv(dataDir), practices: singlePractice(PRACTICE_ODS), label: 'booking' }, run);
    return { pool, result, dbBytes: dbBytes(dataDir) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The figures of a booking run that its section and the whole set's report both show. */
export interface BookingFigures {
  connections: number;
  /** Bookings (201) per second under load. */
  rps: number;
  latency: { p50: number; p95: number; p99: number };
  /** Refused as taken (409) under load. */
  conflicts: number;
  otherNon2xx: number;
  errors: number;
  timeouts: number;
  ratio: number | undefined;
  peakRssBytes: number | undefined;
  single: { p50: number; p95: number } | undefined;
  doubleBooked: number;
  booked: number;
  busySlots: number;
}

/** Reads the booking figures out of a runner result; undefined when the load did not run. */
export function bookingFigures(result: SuiteResult): BookingFigures | undefined {
  const r: ScenarioResult | undefined = result.results.find((x) => x.scenario.id === 'booking.book');
  const load = r?.load[r.load.length - 1];
  if (!r || !load) return undefined;
  const fact = (what: string) => Number(r.verification?.facts.find((f) => f.what === what)?.value ?? NaN);
  const conflicts = load.statusCodes['409'] ?? 0;
  const otherNon2xx = Object.entries(load.statusCodes).filter(([s]) => !s.startsWith('2') && s !== '409').reduce((n, [, c]) => n + c, 0);
  return {
    connections: load.connections,
    rps: load.rps,
    latency: { p50: load.latency.p50, p95: load.latency.p95, p99: load.latency.p99 },
    conflicts,
    otherNon2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    ratio: load.ratio,
    peakRssBytes: load.memory.peakRssBytes,
    single: r.single ? { p50: r.single.latency.p50, p95: r.single.latency.p95 } : undefined,
    doubleBooked: fact('double bookings'),
    booked: fact('booked appointments'),
    busySlots: fact('busy slots'),
  };
}

interface Options {
  connections: number;
  durationS: number;
  warmupS: number;
  slots: number;
  patients: number;
  contended: number;
  single: number;
  out: string;
  write: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, slots: { type: 'string' },
      patients: { type: 'string' }, contended: { type: 'string' }, single: { type: 'string' }, out: { type: 'string' }, 'no-write': { type: 'boolean' },
    },
    strict: true,
  });
  const num = (v: string | undefined, d: number, ok: (x: number) => boolean, name: string) => {
    const x = v === undefined ? d : Number(v);
    if (!ok(x)) throw new Error(`--${name}: ${v} is not allowed`);
    return x;
  };
  const positive = (x: number) => Number.isInteger(x) && x > 0;
  return {
    connections: num(values.connections, BOOKING_DEFAULTS.connections, positive, 'connections'),
    durationS: num(values.duration, 20, positive, 'duration'),
    warmupS: num(values.warmup, 2, (x) => Number.isInteger(x) && x >= 0, 'warmup'),
    slots: num(values.slots, BOOKING_DEFAULTS.slots, positive, 'slots'),
    patients: num(values.patients, BOOKING_DEFAULTS.patients, positive, 'patients'),
    contended: num(values.contended, BOOKING_DEFAULTS.contended, (x) => x >= 0 && x < 1, 'contended'),
    single: num(values.single, 300, (x) => Number.isInteger(x) && x >= 0, 'single'),
    out: resolve(values.out ?? 'docs/BENCHMARKS.md'),
    write: !values['no-write'],
  };
}

/** The booking step's defaults, shared with `npm run bench`. */
export const BOOKING_DEFAULTS = { connections: 200, slots: 60_000, patients: 2_000, contended: 0.2 } as const;

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

async function main(): Promise<void> {
  const o = options();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const logDir = resolve('.bench', 'logs');
  mkdirSync(logDir, { recursive: true });
  const run = await runBooking(o, {
    connections: [o.connections], durationS: o.durationS, warmupS: o.warmupS,
    singleRequests: o.single, singleMaxS: 60, preflight: 20, seed: 1, logDir, log,
  });
  const f = bookingFigures(run.result);
  if (!f) throw new Error('bench:booking: the load did not run');
  const consistent = f.booked === f.busySlots;
  const machine = machineFacts();
  const lines = [
    `## Booking (\`npm run bench:booking\`)`,
    '',
    `- Command: \`npm run bench:booking\` (${o.connections} connections, ${o.durationS} s after a ${o.warmupS} s warm-up, ${Math.round(o.contended * 100)} % of bookings aimed at a slot handed out moments before)`,
    `- Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, SQLite ${machine.sqlite}`,
    `- Code: ${codeState()}`,
    `- Pool: ${o.slots.toLocaleString('en-GB')} free ${SLOT_MINUTES}-minute slots on ${SCHEDULES} schedules, ${o.patients.toLocaleString('en-GB')} patients each with an active referral; fresh SQLite database (${Math.round(run.dbBytes / 2 ** 20)} MiB after the run); run ${run.result.startedAt}`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| bookings per second (201s) under load | ${Math.round(f.rps)} | ≥ ${TARGET_BOOKINGS_PER_S}: ${f.rps >= TARGET_BOOKINGS_PER_S ? 'met' : '**not met**'} |`,
    `| × the bare Node baseline at ${f.connections} connections (same run, replaying a booking's 201 response) | ${f.ratio === undefined ? 'n/a' : f.ratio.toFixed(3)} | |`,
    `| booking latency under load, p50 / p95 / p99 | ${ms(f.latency.p50)} / ${ms(f.latency.p95)} / ${ms(f.latency.p99)} ms | |`,
    `| refused as taken (409 duplicate) under load | ${f.conflicts.toLocaleString('en-GB')} | expected: the contended share |`,
    `| other non-2xx, connection errors, timeouts | ${f.otherNon2xx} / ${f.errors} / ${f.timeouts} | 0 |`,
    ...(f.single ? [`| booking latency on 1 connection, p50 / p95 | ${ms(f.single.p50)} / ${ms(f.single.p95)} ms | |`] : []),
    `| server peak RSS | ${f.peakRssBytes === undefined ? 'n/a' : `${Math.round(f.peakRssBytes / 2 ** 20)} MiB`} | |`,
    `| **double bookings** (slots with more than one booked appointment, read back through the API) | **${f.doubleBooked}** | **0**${f.doubleBooked === 0 ? '' : ': **FAILED**'} |`,
    `| booked appointments vs busy slots | ${f.booked.toLocaleString('en-GB')} vs ${f.busySlots.toLocaleString('en-GB')} | equal${consistent ? '' : ': **differ**'} |`,
  ];
  const section = lines.join('\n');
  console.log(section);
  if (o.write) {
    writeSection(o.out, 'booking', section, '# Benchmarks\n');
    log(`bench:booking: wrote the 'booking' section of ${o.out}`);
  }
  if (f.doubleBooked !== 0 || !consistent) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:booking: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
