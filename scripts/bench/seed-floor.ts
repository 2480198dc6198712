// `node dist/scripts/bench/seed-floor.js [--slots 200000] [--patients 20000] [--batch 5000] [--dir DIR]`
// The seeding rate SQLite alone allows with this schema. Seeds a throw-away folder as the benchmark
// does (the real Store in its bulk mode) while recording every call the store makes on its write
// connection (SQL text and bound values), then opens a second, empty store and replays exactly those
// calls back to back: the same rows, transactions, index rebuilds and checkpoint, with none of the
// JavaScript in between (generation, indexer, JSON, the store's rules). The replay's rate is what
// seeding could reach if all of that JavaScript ran for free on the other core.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore, sqliteBulkLoad } from '../../src/store/sqlite/index.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { estateEnv } from '../estate/dataset.js';
import { DEFAULT_BATCH, specFrom } from '../estate/options.js';
import { seedStore } from '../estate/seed.js';
import { createEstate } from '../estate/stream.js';
import { sqlitePrototypes } from './sql-timing.js';

type Db = Database.Database;
interface Call {
  sql: string;
  /** 'exec' for Database#exec, otherwise the Statement method and its arguments. */
  how: 'exec' | 'run' | 'get' | 'all';
  args: unknown[];
  pluck: boolean;
}

/** Records the calls made on one connection (Statement#run/get/all, Database#exec) while `fn` runs. */
async function recordCalls<T>(target: Db, fn: () => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  const calls: Call[] = [];
  const { stmtProto, dbProto } = sqlitePrototypes();
  const originals = { run: stmtProto.run!, get: stmtProto.get!, all: stmtProto.all!, exec: dbProto.exec! };
  for (const how of ['run', 'get', 'all'] as const) {
    stmtProto[how] = function (this: Database.Statement & { database: Db }, ...args: unknown[]) {
      // pluck() has no getter in better-sqlite3: a plucked statement returns a non-object row.
      const out = originals[how].apply(this, args);
      if (this.database === target) calls.push({ sql: this.source, how, args, pluck: how === 'get' && out !== undefined && (typeof out !== 'object' || out === null) });
      return out;
    };
  }
  dbProto.exec = function (this: Db, ...args: unknown[]) {
    if (this === target) calls.push({ sql: String(args[0]), how: 'exec', args: [], pluck: false });
    return originals.exec.apply(this, args);
  };
  try {
    return { result: await fn(), calls };
  } finally {
    Object.assign(stmtProto, { run: originals.run, get: originals.get, all: originals.all });
    dbProto.exec = originals.exec;
  }
}

/** Makes the recorded calls again on `db`, each statement prepared once. */
function replay(db: Db, calls: readonly Call[]): void {
  const prepared = new Map<string, Database.Statement>();
  for (const c of calls) {
    if (c.how === 'exec') {
      db.exec(c.sql);
      continue;
    }
    if (c.sql.startsWith('PRAGMA ')) {
      // Database#pragma prepares in a mode that allows get/all on pragmas that return nothing.
      db.pragma(c.sql.slice('PRAGMA '.length), { simple: c.pluck });
      continue;
    }
    let st = prepared.get(c.sql);
    if (!st) prepared.set(c.sql, (st = db.prepare(c.sql)));
    if (st.reader) st.pluck(c.pluck);
    st[c.how](...c.args);
  }
}

const writerOf = (store: Store) => (store as unknown as { writeDb: Db }).writeDb;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { slots: { type: 'string' }, patients: { type: 'string' }, batch: { type: 'string' }, dir: { type: 'string' } },
    strict: true,
  });
  const spec = specFrom({ slots: values.slots ?? '200000', patients: values.patients ?? '20000' });
  const batchSize = Number(values.batch ?? DEFAULT_BATCH);
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'envelope-seed-floor-'));
  try {
    const env = estateEnv(join(dir, 'seeded'));
    const envelope = await composeEnvelope(configFromEnv(env), env);
    const bulk = sqliteBulkLoad(envelope.store);
    if (!bulk) throw new Error('seed-floor measures the SQLite store');
    const t0 = performance.now();
    const { result: seeded, calls } = await recordCalls(writerOf(envelope.store), () =>
      bulk(() => seedStore(envelope.store, createEstate(spec).resources(), { batchSize })));
    const seedMs = performance.now() - t0;
    await envelope.close();

    // The replay target: an empty store opened as the server opens one (schema, pragmas).
    const empty = await openSqliteStore({ file: join(dir, 'replayed', 'envelope.sqlite'), indexer: createIndexer(loadR4Registry()) });
    const t1 = performance.now();
    replay(writerOf(empty), calls);
    const replayMs = performance.now() - t1;
    const check = await empty.search({ types: ['Slot'], where: [], sort: [], count: 1, total: 'accurate' } as unknown as Parameters<Store['search']>[0]);
    await empty.close();
    if (check.total !== spec.slots) throw new Error(`the replayed store holds ${String(check.total)} slots, expected ${spec.slots}`);

    const rate = (ms: number) => Math.round(seeded.resources / (ms / 1000)).toLocaleString('en-GB');
    console.log(`${seeded.resources.toLocaleString('en-GB')} resources, transactions of ${batchSize}, ${calls.length.toLocaleString('en-GB')} calls on the write connection`);
    console.log(`seeded through the Store (bulk mode):       ${(seedMs / 1000).toFixed(1).padStart(6)} s = ${rate(seedMs)}/s`);
    console.log(`the same SQLite calls replayed, no JS between: ${(replayMs / 1000).toFixed(1).padStart(6)} s = ${rate(replayMs)}/s (${((100 * replayMs) / seedMs).toFixed(0)} % of the seeding time)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seed-floor: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
