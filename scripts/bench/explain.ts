// `node dist/scripts/bench/explain.js [--scenario search.free-slots] [--n 100] [--plans 4] [--dump FILE] [--data-dir DIR]`
// Where a search's time goes inside the SQLite store: runs a scenario's searches (the main search
// only, as the store sees it after parsing, without includes or HTTP) against the seeded estate, and
// prints every SQL statement the adapter generated with its call count and time, plus SQLite's
// EXPLAIN QUERY PLAN for the costliest ones. Read-only: it opens the store like the server does and
// observes better-sqlite3 from outside (src/ is not touched).
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { parseSearch } from '../../src/search/parse.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { readManifest, estateEnv } from '../estate/dataset.js';
import { defaultDataDir, specFrom } from '../estate/options.js';
import { hash32, Rng } from '../estate/prng.js';
import { SUITES } from './suites.js';
import { instrumentSqlite } from './sql-timing.js';
import { summarise } from './stats.js';

function splitPath(path: string): { type: string; params: [string, string][] } {
  const u = new URL(path, 'http://x');
  const type = u.pathname.replace(/^\/fhir\//, '');
  return { type, params: [...u.searchParams.entries()] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' }, n: { type: 'string' }, 'data-dir': { type: 'string' },
      slots: { type: 'string' }, patients: { type: 'string' }, plans: { type: 'string' }, dump: { type: 'string' },
    },
    strict: true,
  });
  const id = values.scenario ?? 'search.free-slots';
  const scenario = SUITES.all!.find((s) => s.id === id);
  if (!scenario) throw new Error(`unknown scenario ${id}`);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(specFrom(values)));
  const manifest = readManifest(dataDir);
  if (!manifest) throw new Error(`${dataDir} holds no seeded estate (run npm run bench:search first)`);

  const timings = instrumentSqlite();
  const env = estateEnv(dataDir);
  const envelope = await composeEnvelope(configFromEnv(env), env);
  const registry = loadR4Registry();
  const inst = scenario.create({ manifest, rng: new Rng(hash32(7, id.length)) });
  const n = Number(values.n ?? 100);
  const total: number[] = [];
  try {
    for (let i = 0; i < n + 10; i++) {
      const { type, params } = splitPath(inst.next().path);
      const parsed = parseSearch([type], params, registry, { strict: false, defaultCount: 50, maxCount: 1000 });
      if (i === 10) timings.clear(); // the first ten warm the caches and prepare statements
      const t0 = performance.now();
      await envelope.store.search(parsed.request);
      if (i >= 10) total.push(performance.now() - t0);
      if (i === 0) console.log(`example SearchRequest:\n${JSON.stringify(parsed.request)}\n`);
    }
    const s = summarise(total);
    console.log(`${id}: store.search over ${n} requests: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, mean ${s.mean.toFixed(1)} ms\n`);
    const sorted = [...timings].sort((a, b) => b[1].ms - a[1].ms);
    let sum = 0;
    for (const [, t] of sorted) sum += t.ms;
    console.log(`SQL time ${(sum / n).toFixed(1)} ms per search (${((100 * sum) / (s.mean * n)).toFixed(0)} % of store.search)\n`);
    // --dump FILE: the statements with one call's parameters, to replay or vary them by hand.
    if (values.dump) writeFileSync(values.dump, JSON.stringify(sorted.map(([sql, t]) => ({ msPerSearch: t.ms / n, calls: t.calls, sql, params: t.example })), null, 2));
    const db = new Database(resolve(dataDir, 'envelope.sqlite'), { readonly: true });
    for (const [sql, t] of sorted.slice(0, Number(values.plans ?? 4))) {
      console.log(`— ${(t.ms / n).toFixed(2)} ms per search, ${t.calls} calls, ${(t.rows / t.calls).toFixed(1)} rows per call`);
      console.log(sql);
      try {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(t.example as unknown[])) as { id: number; parent: number; detail: string }[];
        const depth = new Map<number, number>();
        for (const p of plan) {
          const d = (depth.get(p.parent) ?? -1) + 1;
          depth.set(p.id, d);
          console.log(`   ${'  '.repeat(d)}${p.detail}`);
        }
      } catch (e) {
        console.log(`   (no plan: ${(e as Error).message})`);
      }
      console.log('');
    }
    db.close();
  } finally {
    await envelope.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`explain: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
