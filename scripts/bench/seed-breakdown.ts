// `node dist/scripts/bench/seed-breakdown.js [--slots 200000] [--patients 20000] [--batch 5000] [--bulk]`
// Where seeding time goes. Seeds a throw-away folder through the real Store (as the benchmark does)
// with every SQL statement timed (sql-timing.ts), then replays the same resources through the
// server's indexer and JSON.stringify alone, and prints one table: SQL by statement (COMMIT includes
// the WAL fsync and checkpoints), indexing, serialisation, generation, and the rest (the store's own
// JavaScript: rules, stamping, value checks, parameter ids). `--bulk` seeds inside the SQLite store's
// seeding-only bulk mode, as the benchmark does (the index rebuild and final checkpoint are counted).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import type { Resource } from '../../src/domain/fhir.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { estateEnv } from '../estate/dataset.js';
import { sqliteBulkLoad } from '../../src/store/sqlite/index.js';
import { DEFAULT_BATCH, specFrom } from '../estate/options.js';
import { seedStore } from '../estate/seed.js';
import { createEstate } from '../estate/stream.js';
import { instrumentSqlite, timingTable } from './sql-timing.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      slots: { type: 'string' }, patients: { type: 'string' }, batch: { type: 'string' }, dir: { type: 'string' }, bulk: { type: 'boolean' },
    },
    strict: true,
  });
  const spec = specFrom({ slots: values.slots ?? '200000', patients: values.patients ?? '20000' });
  const batchSize = Number(values.batch ?? DEFAULT_BATCH);
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'envelope-seed-'));
  const timings = instrumentSqlite();
  try {
    const env = estateEnv(dir);
    const envelope = await composeEnvelope(configFromEnv(env), env);
    timings.clear();
    const seed = () => seedStore(envelope.store, createEstate(spec).resources(), { batchSize });
    const bulk = values.bulk ? sqliteBulkLoad(envelope.store) : undefined;
    const t0 = performance.now();
    const seeded = bulk ? await bulk(seed) : await seed();
    const whole = performance.now() - t0;
    await envelope.close();
    let sqlMs = 0;
    for (const t of timings.values()) sqlMs += t.ms;

    // The same resources through the indexer and JSON.stringify alone (what the store does per write).
    const indexer = createIndexer(loadR4Registry());
    let indexMs = 0;
    let jsonMs = 0;
    let indexValues = 0;
    for (const r of createEstate(spec).resources()) {
      const stamped: Resource = { ...r, meta: { versionId: '1', lastUpdated: '2026-01-01T00:00:00.000Z' } };
      const t0 = performance.now();
      indexValues += indexer(stamped).length;
      const t1 = performance.now();
      JSON.stringify(stamped);
      jsonMs += performance.now() - t1;
      indexMs += t1 - t0;
    }
    const rest = whole - sqlMs - indexMs - jsonMs - seeded.generateMs;
    const pct = (ms: number) => `${((100 * ms) / whole).toFixed(1).padStart(5)} %`;
    console.log(`seeded ${seeded.resources.toLocaleString('en-GB')} resources in ${(whole / 1000).toFixed(1)} s = ${Math.round(seeded.resources / (whole / 1000)).toLocaleString('en-GB')}/s${bulk ? ' in the bulk mode' : ''} (transactions of ${batchSize}); ${(indexValues / seeded.resources).toFixed(1)} index values per resource\n`);
    console.log(`${sqlMs.toFixed(0).padStart(8)} ms ${pct(sqlMs)}  SQL (better-sqlite3 calls, by statement below)`);
    console.log(`${indexMs.toFixed(0).padStart(8)} ms ${pct(indexMs)}  indexer (search values, measured apart)`);
    console.log(`${jsonMs.toFixed(0).padStart(8)} ms ${pct(jsonMs)}  JSON.stringify (measured apart)`);
    console.log(`${seeded.generateMs.toFixed(0).padStart(8)} ms ${pct(seeded.generateMs)}  generating the estate`);
    console.log(`${rest.toFixed(0).padStart(8)} ms ${pct(rest)}  the rest (store JavaScript, awaits, GC)\n`);
    console.log('SQL by statement:');
    console.log(timingTable(timings, whole, 12));
  } finally {
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seed-breakdown: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
