// `npm run bench:booking`: many GP systems booking at once, through the HTTP API. A fresh pool of
// free slots (each patient with an active referral) is seeded into a throw-away data folder, Envelope
// is started on it as a child process, and autocannon drives 200 connections, each POSTing bookings
// one after another. Most bookings take the next untouched slot; a share (--contended) re-aims at a
// slot handed out moments before, which someone else has booked or is booking right now, so the
// no-double-booking rule is exercised under load (the loser gets 409). Afterwards every booked
// appointment is read back through the API and the double-booking count (slots with more than one
// booked appointment) must be 0.
//
// The pool is its own data folder, never the shared search estate: booking changes what it books.
// This module is also a Scenario (bookingScenario) for the shared runner, given a pool.
//
//   node dist/scripts/bench/scenarios/booking.js [--connections 200] [--duration 20] [--warmup 2]
//     [--slots 60000] [--patients 2000] [--contended 0.2] [--single 300] [--out docs/BENCHMARKS.md] [--no-write]
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../../src/compose.js';
import { configFromEnv } from '../../../src/config.js';
import type { Resource } from '../../../src/domain/fhir.js';
import { dbBytes, estateEnv } from '../../estate/dataset.js';
import { Rng } from '../../estate/prng.js';
import { seedStore } from '../../estate/seed.js';
import { Client } from '../client.js';
import { drive, type LoadResult } from '../load.js';
import { codeState, machineFacts } from '../machine.js';
import { writeSection } from '../report.js';
import type { BenchRequest, Scenario } from '../scenario.js';
import { summarise, type LatencySummary } from '../stats.js';
import { startEnvelope } from '../targets.js';
import { bearerFor } from '../token.js';

const TARGET_BOOKINGS_PER_S = 500;
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
 * that re-aims at one of the last RECENT slots handed out. When the pool runs out it starts over
 * (every booking is then a 409, which the report shows).
 */
export function bookingScenario(p: BookingPool): Scenario {
  const RECENT = 64;
  return {
    id: 'booking.book',
    title: 'Book one free slot for a patient on their active referral (some bookings contend for the same slot)',
    target: 'envelope',
    role: 'gp-clinician',
    example: 'POST /fhir/Appointment {status: booked, slot: [Slot/{id}], start/end of the slot, basedOn: ServiceRequest/{id}, participant: Patient/{id}}',
    create({ rng }) {
      let cursor = 0;
      let patient = 0;
      const recent: number[] = [];
      return {
        next() {
          let n: number;
          if (recent.length > 0 && rng.next() < p.contended) n = recent[rng.int(recent.length)]!;
          else {
            n = cursor++ % p.slots;
            recent.push(n);
            if (recent.length > RECENT) recent.shift();
          }
          return bookingRequest(p, n, patient++ % p.patients);
        },
        check(status, body) {
          if (status !== 201) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
          return { matches: 1, included: 0 };
        },
      };
    },
  };
}

interface Verification {
  booked: number;
  busySlots: number;
  /** Slots with more than one booked appointment. */
  doubleBooked: number;
}

/** Reads every booked appointment back through the API and counts slots booked more than once. */
async function verify(client: Client): Promise<Verification> {
  const perSlot = new Map<string, number>();
  let booked = 0;
  let path: string | undefined = '/fhir/Appointment?status=booked&_count=1000&_elements=slot';
  while (path) {
    const ex = await client.send({ method: 'GET', path });
    if (ex.status !== 200) throw new Error(`verify: GET ${path} → ${ex.status} ${ex.body.slice(0, 200)}`);
    const b = JSON.parse(ex.body) as { entry?: { resource: { slot?: { reference: string }[] } }[]; link?: { relation: string; url: string }[] };
    for (const e of b.entry ?? []) {
      booked++;
      for (const s of e.resource.slot ?? []) perSlot.set(s.reference, (perSlot.get(s.reference) ?? 0) + 1);
    }
    const next = b.link?.find((l) => l.relation === 'next')?.url;
    path = next ? new URL(next).pathname + new URL(next).search : undefined;
  }
  const busy = await client.send({ method: 'GET', path: '/fhir/Slot?status=busy&_count=0&_total=accurate' });
  const busySlots = (JSON.parse(busy.body) as { total?: number }).total ?? NaN;
  return { booked, busySlots, doubleBooked: [...perSlot.values()].filter((c) => c > 1).length };
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
    connections: num(values.connections, 200, positive, 'connections'),
    durationS: num(values.duration, 20, positive, 'duration'),
    warmupS: num(values.warmup, 2, (x) => Number.isInteger(x) && x >= 0, 'warmup'),
    slots: num(values.slots, 60_000, positive, 'slots'),
    patients: num(values.patients, 2_000, positive, 'patients'),
    contended: num(values.contended, 0.2, (x) => x >= 0 && x < 1, 'contended'),
    single: num(values.single, 300, (x) => Number.isInteger(x) && x >= 0, 'single'),
    out: resolve(values.out ?? 'docs/BENCHMARKS.md'),
    write: !values['no-write'],
  };
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

async function main(): Promise<void> {
  const o = options();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const dataDir = resolve('.bench', `booking-${stamp}`);
  const logDir = resolve('.bench', 'logs');
  mkdirSync(logDir, { recursive: true });
  const env = estateEnv(dataDir);
  // Slots from tomorrow on (UTC midnight), so every one of them is a future, bookable slot.
  const pool: BookingPool = { slots: o.slots, patients: o.patients, firstStartMs: (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000, contended: o.contended };
  try {
    mkdirSync(dataDir, { recursive: true });
    log(`bench:booking: seeding ${o.slots.toLocaleString('en-GB')} free slots and ${o.patients.toLocaleString('en-GB')} patients with a referral into ${dataDir}`);
    const seeder = await composeEnvelope(configFromEnv(env), env);
    try {
      await seedStore(seeder.store, poolResources(pool), { batchSize: 5_000 });
    } finally {
      await seeder.close();
    }
    const scenario = bookingScenario(pool);
    const auth = await bearerFor(scenario.role!, dataDir, env, undefined, PRACTICE_ODS);
    const headers = { accept: 'application/fhir+json', authorization: auth };
    const envelope = await startEnvelope(env, join(logDir, `envelope-booking-${stamp}.log`));
    let single: { latency: LatencySummary; non2xx: number } | undefined;
    let load: LoadResult;
    let check: Verification;
    try {
      log(`bench:booking: Envelope answered /healthz after ${Math.round(envelope.startMs)} ms`);
      const client = new Client(envelope.port, headers);
      try {
        // One connection first: the latency of a booking with nothing else going on.
        if (o.single > 0) {
          const seq = scenario.create({ manifest: undefined as never, rng: new Rng(2) });
          const times: number[] = [];
          let non2xx = 0;
          for (let i = 0; i < o.single; i++) {
            const ex = await client.send(seq.next());
            if (ex.status === 201) times.push(ex.ms);
            else non2xx++;
          }
          single = { latency: summarise(times.slice(Math.min(20, times.length))), non2xx };
          log(`bench:booking: 1 connection: p50 ${ms(single.latency.p50)} ms, p95 ${ms(single.latency.p95)} ms (${o.single} bookings, ${non2xx} refused)`);
        }
        // The sequential run used the first slots of the pool: the load starts after them.
        const inst = scenario.create({ manifest: undefined as never, rng: new Rng(1) });
        for (let i = 0; i < o.single; i++) inst.next();
        load = await drive({ port: envelope.port, headers, next: inst.next, connections: o.connections, durationS: o.durationS, warmupS: o.warmupS });
        log(`bench:booking: ×${o.connections}: ${Math.round(load.rps)} bookings/s, p95 ${ms(load.latency.p95)} ms, statuses ${JSON.stringify(load.statusCodes)}, errors ${load.errors}`);
        check = await verify(client);
      } finally {
        client.close();
      }
    } finally {
      await envelope.stop();
    }
    const conflicts = load.statusCodes['409'] ?? 0;
    const other = Object.entries(load.statusCodes).filter(([s]) => s !== '201' && s !== '409').reduce((n, [, c]) => n + c, 0);
    const consistent = check.booked === check.busySlots;
    const machine = machineFacts();
    const lines = [
      `## Booking (\`npm run bench:booking\`)`,
      '',
      `- Command: \`npm run bench:booking\` (${o.connections} connections, ${o.durationS} s after a ${o.warmupS} s warm-up, ${Math.round(o.contended * 100)} % of bookings aimed at a slot handed out moments before)`,
      `- Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, SQLite ${machine.sqlite}`,
      `- Code: ${codeState()}`,
      `- Pool: ${o.slots.toLocaleString('en-GB')} free ${SLOT_MINUTES}-minute slots on ${SCHEDULES} schedules, ${o.patients.toLocaleString('en-GB')} patients each with an active referral; fresh SQLite database (${Math.round(dbBytes(dataDir) / 2 ** 20)} MiB after the run); run ${startedAt}`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| bookings per second (201s) under load | ${Math.round(load.rps)} | ≥ ${TARGET_BOOKINGS_PER_S}: ${load.rps >= TARGET_BOOKINGS_PER_S ? 'met' : '**not met**'} |`,
      `| booking latency under load, p50 / p95 / p99 | ${ms(load.latency.p50)} / ${ms(load.latency.p95)} / ${ms(load.latency.p99)} ms | |`,
      `| refused as taken (409 duplicate) under load | ${conflicts.toLocaleString('en-GB')} | expected: the contended share |`,
      `| other non-2xx, connection errors, timeouts | ${other} / ${load.errors} / ${load.timeouts} | 0 |`,
      ...(single ? [`| booking latency on 1 connection, p50 / p95 | ${ms(single.latency.p50)} / ${ms(single.latency.p95)} ms | |`] : []),
      `| **double bookings** (slots with more than one booked appointment, read back through the API) | **${check.doubleBooked}** | **0**${check.doubleBooked === 0 ? '' : ': **FAILED**'} |`,
      `| booked appointments vs busy slots | ${check.booked.toLocaleString('en-GB')} vs ${check.busySlots.toLocaleString('en-GB')} | equal${consistent ? '' : ': **differ**'} |`,
    ];
    const section = lines.join('\n');
    console.log(section);
    if (o.write) {
      writeSection(o.out, 'booking', section, '# Benchmarks\n');
      log(`bench:booking: wrote the 'booking' section of ${o.out}`);
    }
    if (check.doubleBooked !== 0 || !consistent) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:booking: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
