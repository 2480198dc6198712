// `node dist/scripts/bench/slot-index-experiment.js [--n 50] [--data-dir DIR]`
// What the free-slot search would cost with an index that answers "schedule = X and start in a
// window" in one range, compared with the store as it is. On the seeded estate, read-only:
//   A  the real store.search (as the server runs it, main search only);
//   F  the same page from a composite (schedule reference, start) index, built for this run in a
//      TEMP table (the database file is not modified), status and service type checked per row.
// Both must return the same ids; the script counts any difference. Evidence for a store change,
// not a proposal of this exact SQL.
import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { parseSearch } from '../../src/search/parse.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { DB_FILE, estateEnv, readManifest } from '../estate/dataset.js';
import { defaultDataDir, specFrom } from '../estate/options.js';
import { Rng } from '../estate/prng.js';
import { freeSlots } from './scenarios/search.js';
import { summarise } from './stats.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true });
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(specFrom({})));
  const manifest = readManifest(dataDir);
  if (!manifest) throw new Error(`${dataDir} holds no seeded estate`);
  const n = Number(values.n ?? 50);

  const db = new Database(resolve(dataDir, DB_FILE), { readonly: true });
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 1073741824');
  db.pragma('temp_store = MEMORY');
  const pid = (type: string, code: string) =>
    (db.prepare('SELECT pid FROM params WHERE type = ? AND code = ?').get(type, code) as { pid: number } | undefined)?.pid ??
    (() => { throw new Error(`no parameter ${type}.${code}`); })();
  const p = { schedule: pid('Slot', 'schedule'), start: pid('Slot', 'start'), status: pid('Slot', 'status'), svc: pid('Slot', 'service-type'), actor: pid('Schedule', 'actor') };
  // Dates are stored as ISO text or as epoch milliseconds depending on the schema version.
  const kind = (db.prepare('SELECT typeof(lo) AS t FROM idx WHERE pid = ? LIMIT 1').get(p.start) as { t: string }).t;
  const bound = (iso: string) => (kind === 'integer' ? Date.parse(iso) : iso);

  const t0 = performance.now();
  db.exec(`CREATE TEMP TABLE slot_start AS SELECT s.s AS sched, d.lo AS lo, s.rk AS rk FROM idx s JOIN idx d ON d.rk = s.rk AND d.pid = ${p.start} WHERE s.pid = ${p.schedule}`);
  db.exec('CREATE INDEX temp.slot_start_sched_lo ON slot_start (sched, lo)');
  console.log(`built the (schedule, start) index over ${(db.prepare('SELECT count(*) AS n FROM slot_start').get() as { n: number }).n.toLocaleString('en-GB')} slots in ${((performance.now() - t0) / 1000).toFixed(1)} s (TEMP, in memory)`);
  const composite = db.prepare(`
    SELECT r.id AS id FROM slot_start ss CROSS JOIN resources r ON r.rk = ss.rk
    WHERE ss.sched IN (SELECT t.type || '/' || t.id FROM idx a JOIN resources t ON t.rk = a.rk WHERE a.pid = ? AND a.s = ? AND t.deleted = 0)
      AND ss.lo >= ? AND ss.lo <= ? AND r.deleted = 0
      AND EXISTS (SELECT 1 FROM idx x WHERE x.rk = r.rk AND x.pid = ? AND x.code = 'free')
      AND EXISTS (SELECT 1 FROM idx x WHERE x.rk = r.rk AND x.pid = ? AND x.sys = ? AND x.code = ?)
    ORDER BY r.id LIMIT 50`);

  const env = estateEnv(dataDir);
  const envelope = await composeEnvelope(configFromEnv(env), env);
  const registry = loadR4Registry();
  const inst = freeSlots.create({ manifest, rng: new Rng(12345) });
  const a: number[] = [];
  const f: number[] = [];
  let differ = 0;
  try {
    for (let i = 0; i < n + 5; i++) {
      const u = new URL(inst.next().path, 'http://x');
      const params = [...u.searchParams.entries()];
      const parsed = parseSearch(['Slot'], params, registry, { strict: true, defaultCount: 50, maxCount: 1000 });
      const [ge, le] = u.searchParams.getAll('start').map((v) => v.slice(2));
      const [sys, code] = u.searchParams.get('service-type')!.split('|');
      const args = [p.actor, u.searchParams.get('schedule.actor'), bound(`${ge}T00:00:00.000Z`), bound(`${le}T23:59:59.999Z`), p.status, p.svc, sys, code];

      const t1 = performance.now();
      const res = await envelope.store.search(parsed.request);
      const t2 = performance.now();
      const rows = composite.all(...args) as { id: string }[];
      const t3 = performance.now();
      if (i < 5) continue; // warm-up
      a.push(t2 - t1);
      f.push(t3 - t2);
      if (JSON.stringify(res.matches.map((m) => m.id)) !== JSON.stringify(rows.map((r) => r.id))) differ++;
    }
  } finally {
    await envelope.close();
    db.close();
  }
  const line = (label: string, xs: number[]) => {
    const s = summarise(xs);
    console.log(`${label.padEnd(58)} p50 ${s.p50.toFixed(2).padStart(6)} ms  p95 ${s.p95.toFixed(2).padStart(6)} ms  mean ${s.mean.toFixed(2).padStart(6)} ms`);
  };
  line('A store.search as it is (page query, probes, JSON)', a);
  line('F composite (schedule, start) index (ids only)', f);
  console.log(`${n} requests; pages that differ: ${differ}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`slot-index-experiment: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
