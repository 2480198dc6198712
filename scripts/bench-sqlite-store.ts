// Timing script for the SQLite store (not a test): insert rate in transactions of 1, 500 and 2000,
// and the latency of the free-slot search. Usage:
//   npx tsc -p . && node dist/scripts/bench-sqlite-store.js [--slots 100000] [--schedules 100]
//        [--file .bench/slots.db] [--indexer real|test] [--reuse]
// --reuse skips seeding and times the searches on an existing file made by an earlier run.
// Slots are spread over one year; each schedule has slots/schedules of them, 70 % free. The real
// indexer (src/search, R4 search parameters) is the default; `test` uses the contract suite's.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Resource } from '../src/domain/fhir.js';
import type { Cond, SearchRequest } from '../src/domain/search-types.js';
import type { Store } from '../src/store/port.js';
import type { Indexer } from '../src/store/port.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { createIndexer } from '../src/search/indexer.js';
import { loadR4Registry } from '../src/search/registry.js';
import { testIndexer } from '../test/store/test-indexer.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const SLOTS = Number(arg('slots', '100000'));
const SCHEDULES = Number(arg('schedules', '100'));
const FILE = arg('file', '.bench/slots.db');
const INDEXER: Indexer = arg('indexer', 'real') === 'test' ? testIndexer : createIndexer(loadR4Registry());
const YEAR_START = Date.parse('2025-01-01T00:00:00.000Z');
const YEAR_MS = 365 * 86_400_000;

// Deterministic pseudo-random numbers, so runs are comparable.
let rndState = 42;
function rnd(): number {
  rndState = (rndState * 1103515245 + 12345) & 0x7fffffff;
  return rndState / 0x7fffffff;
}

function slot(i: number): Resource {
  const sch = i % SCHEDULES;
  const start = YEAR_START + Math.floor(rnd() * (YEAR_MS / 900_000)) * 900_000;
  return {
    resourceType: 'Slot',
    id: `slot-${i}`,
    identifier: [{ system: 'urn:bench:slot', value: String(i) }],
    serviceType: [{ coding: [{ system: 'urn:bench:service', code: `svc-${sch % 10}` }], text: `Service ${sch % 10}` }],
    schedule: { reference: `Schedule/sch-${sch}` },
    status: rnd() < 0.7 ? 'free' : 'busy',
    start: new Date(start).toISOString(),
    end: new Date(start + 900_000).toISOString(),
  } as Resource;
}

function schedule(i: number): Resource {
  return { resourceType: 'Schedule', id: `sch-${i}`, actor: [{ reference: `Practitioner/pr-${i}` }] } as Resource;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeQueries(store: Store, label: string, make: () => SearchRequest, runs = 300): Promise<void> {
  for (let i = 0; i < 100; i++) await store.search(make()); // warm up (the page cache, prepared statements)
  const times: number[] = [];
  let hits = 0;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const q = make();
    const t0 = performance.now();
    const r = await store.search(q);
    times.push(performance.now() - t0);
    hits += r.matches.length;
    total += r.total ?? 0;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(64)} p50 ${pct(times, 50).toFixed(2)} ms  p95 ${pct(times, 95).toFixed(2)} ms  max ${times[times.length - 1]!.toFixed(2)} ms` +
      `  (avg ${(hits / runs).toFixed(1)} hits/page, avg total ${(total / runs).toFixed(0)})`,
  );
}

const idx = (p: string, ...tests: Extract<Cond, { k: 'idx' }>['tests']): Cond => ({ k: 'idx', p, tests });
const iso = (ms: number) => new Date(ms).toISOString();

async function main(): Promise<void> {
  const reuse = process.argv.includes('--reuse');
  if (!reuse) {
    rmSync(FILE, { force: true });
    rmSync(`${FILE}-wal`, { force: true });
    rmSync(`${FILE}-shm`, { force: true });
  }
  const store = await openSqliteStore({ file: FILE, indexer: INDEXER });
  if (!reuse) await seed(store);
  await searches(store);
  await store.close();
}

async function seed(store: Store): Promise<void> {
  // Transactions of 1 (each commit fsyncs the WAL: synchronous=FULL).
  const singles = 1000;
  let t0 = performance.now();
  for (let i = 0; i < SCHEDULES; i++) await store.transaction((tx) => tx.create(schedule(i)));
  for (let i = 0; i < singles; i++) await store.transaction((tx) => tx.create(slot(SLOTS + i)));
  let dt = (performance.now() - t0) / 1000;
  console.log(`transactions of 1:   ${((singles + SCHEDULES) / dt).toFixed(0)} resources/s (${singles + SCHEDULES} in ${dt.toFixed(2)} s)`);

  // Transactions of 500.
  t0 = performance.now();
  for (let i = 0; i < SLOTS; i += 500) {
    await store.transaction(async (tx) => {
      for (let j = i; j < Math.min(SLOTS, i + 500); j++) await tx.create(slot(j));
    });
  }
  dt = (performance.now() - t0) / 1000;
  console.log(`transactions of 500: ${(SLOTS / dt).toFixed(0)} resources/s (${SLOTS} in ${dt.toFixed(2)} s)`);

  // Transactions of 2000 (fewer commits, so fewer WAL fsyncs), on top of what is there.
  const more = Math.min(50_000, SLOTS);
  const from = SLOTS + singles;
  t0 = performance.now();
  for (let i = 0; i < more; i += 2000) {
    await store.transaction(async (tx) => {
      for (let j = i; j < Math.min(more, i + 2000); j++) await tx.create(slot(from + j));
    });
  }
  dt = (performance.now() - t0) / 1000;
  console.log(`transactions of 2000: ${(more / dt).toFixed(0)} resources/s (${more} more in ${dt.toFixed(2)} s)`);
}

async function searches(store: Store): Promise<void> {
  const week = () => {
    const from = YEAR_START + Math.floor(rnd() * 300) * 86_400_000;
    return { from, to: from + 7 * 86_400_000 };
  };
  const base = (where: Cond[], total: SearchRequest['total'] = 'none'): SearchRequest => ({
    types: ['Slot'], where, sort: [{ p: 'start', desc: false }], count: 20, total,
  });
  const sch = () => `Schedule/sch-${Math.floor(rnd() * SCHEDULES)}`;

  // The brief's query: status=free AND start in [from, to) AND schedule=X, one index condition per criterion.
  const freeSlots = (total: SearchRequest['total']) => () => {
    const { from, to } = week();
    return base([
      idx('status', { f: 'code', op: 'eq', v: 'free' }),
      idx('start', { f: 'lo', op: 'ge', v: iso(from) }, { f: 'lo', op: 'lt', v: iso(to) }),
      idx('schedule', { f: 's', op: 'eq', v: sch() }),
    ], total);
  };
  await timeQueries(store, 'free slots: status + start window + schedule, sort start', freeSlots('none'));
  await timeQueries(store, 'same, _total=accurate', freeSlots('accurate'));

  // The same criteria as src/search parses `start=ge<day>&start=lt<day>` (ge is an OR of two ranges).
  await timeQueries(store, 'free slots, parser-shaped dates (ge = or(hi>, within))', () => {
    const { from, to } = week();
    const d0 = iso(from);
    const d0end = iso(from + 86_400_000 - 1);
    return base([
      idx('status', { f: 'code', op: 'eq', v: 'free' }),
      { k: 'or', of: [idx('start', { f: 'hi', op: 'gt', v: d0end }), idx('start', { f: 'lo', op: 'ge', v: d0 }, { f: 'hi', op: 'le', v: d0end })] },
      idx('start', { f: 'lo', op: 'lt', v: iso(to) }),
      idx('schedule', { f: 's', op: 'eq', v: sch() }),
    ]);
  });

  // Through the schedule's actor (a chain), as a booking UI might ask.
  await timeQueries(store, 'free slots by schedule.actor (chain) + start window', () => {
    const { from, to } = week();
    return base([
      idx('status', { f: 'code', op: 'eq', v: 'free' }),
      idx('start', { f: 'lo', op: 'ge', v: iso(from) }, { f: 'lo', op: 'lt', v: iso(to) }),
      { k: 'chain', p: 'schedule', types: ['Schedule'], where: idx('actor', { f: 's', op: 'eq', v: `Practitioner/pr-${Math.floor(rnd() * SCHEDULES)}` }) },
    ]);
  });

  // "Next available": free slots of one service from a date on, first page (the ordered walk).
  await timeQueries(store, 'next 10 free slots of a service from a date (any schedule)', () => {
    const { from } = week();
    return {
      ...base([
        idx('status', { f: 'code', op: 'eq', v: 'free' }),
        idx('service-type', { f: 'code', op: 'eq', v: `svc-${Math.floor(rnd() * 10)}` }),
        idx('start', { f: 'lo', op: 'ge', v: iso(from) }),
      ]),
      count: 10,
    };
  });

  // Without a schedule: all free slots in a week.
  await timeQueries(store, 'free slots in a week, any schedule', () => {
    const { from, to } = week();
    return base([
      idx('status', { f: 'code', op: 'eq', v: 'free' }),
      idx('start', { f: 'lo', op: 'ge', v: iso(from) }, { f: 'lo', op: 'lt', v: iso(to) }),
    ]);
  }, 100);

  // Broad: status=free by _id, first page (walks resources(type, id)).
  await timeQueries(store, 'status=free sorted by _id, first page', () => ({
    ...base([idx('status', { f: 'code', op: 'eq', v: 'free' })]), sort: [{ p: '_id', desc: false }],
  }), 100);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
