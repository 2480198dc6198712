// `node dist/scripts/bench/request-sql.js [--scenario read.appointment] [--n 200] [--slots N --patients N]`
// Where one HTTP request's time goes on the request thread: starts Envelope in this process on the
// seeded estate (the same composition as `npm start`), sends a scenario's requests one at a time over
// loopback with the scenario's tokens, and prints the SQL statements the request thread ran per
// request, with their time, beside the whole request's. The audit writer thread's SQL is not seen
// here (it runs in its own thread); `npm run bench:audit-log` measures that.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { createServer } from '../../src/http/ops/server.js';
import { estateEnv, readManifest } from '../estate/dataset.js';
import { defaultDataDir, specFrom } from '../estate/options.js';
import { hash32, Rng } from '../estate/prng.js';
import { practiceIndex } from './practices.js';
import { SUITES } from './suites.js';
import { instrumentSqlite } from './sql-timing.js';
import { summarise } from './stats.js';
import { bearerFor } from './token.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenario: { type: 'string' }, n: { type: 'string' }, 'data-dir': { type: 'string' }, slots: { type: 'string' }, patients: { type: 'string' }, top: { type: 'string' }, dump: { type: 'string' } },
    strict: true,
  });
  const id = values.scenario ?? 'read.appointment';
  const scenario = SUITES.all!.find((s) => s.id === id);
  if (!scenario) throw new Error(`unknown scenario ${id}`);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(specFrom(values)));
  const manifest = readManifest(dataDir);
  if (!manifest) throw new Error(`${dataDir} holds no seeded estate (run npm run bench:search first)`);
  const env = { ...estateEnv(dataDir), LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '0' };
  const timings = instrumentSqlite();
  const envelope = await composeEnvelope(configFromEnv(env), env);
  const server = createServer(envelope.app, { timeouts: configFromEnv(env).timeouts });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const practices = practiceIndex(manifest);
  const role = scenario.role ?? 'gp-clinician';
  const tokens = new Map<string, string>();
  for (const ods of practices.codes) tokens.set(ods, await bearerFor(role, dataDir, env, undefined, ods));
  const roleToken = await bearerFor(role, dataDir, env); // for requests that name no practice (as the runner does)
  const inst = scenario.create({ manifest, practices, rng: new Rng(hash32(7, id.length)), authFor: (ods) => tokens.get(ods)! });
  const n = Number(values.n ?? 200);
  const times: number[] = [];
  try {
    for (let i = 0; i < n + 20; i++) {
      const req = inst.next();
      if (i === 20) timings.clear(); // the first requests warm the caches and prepare statements
      const t0 = performance.now();
      const res = await fetch(base + req.path, { method: req.method, headers: { accept: 'application/fhir+json', authorization: roleToken, ...(req.body ? { 'content-type': 'application/fhir+json' } : {}), ...req.headers }, ...(req.body ? { body: req.body } : {}) });
      const body = await res.text();
      if (i >= 20) times.push(performance.now() - t0);
      inst.check?.(res.status, body);
    }
    const s = summarise(times);
    let sqlMs = 0;
    for (const t of timings.values()) sqlMs += t.ms;
    console.log(`${id}: ${n} requests one at a time: p50 ${s.p50.toFixed(2)} ms, mean ${s.mean.toFixed(2)} ms; request-thread SQL ${(sqlMs / n).toFixed(2)} ms per request`);
    // The writer thread's share: its groups' commit times, from the server's own metrics.
    const groups = (await envelope.metrics.storeDuration.get()).values.filter((v) => v.labels.operation === 'audit-group');
    const groupSum = groups.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const groupCount = groups.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    if (groupCount > 0) console.log(`audit writer: ${groupCount} groups, ${((1000 * groupSum) / groupCount).toFixed(2)} ms per group (all requests, warm-up included)`);
    console.log('per request, by time:');
    const rows = [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top ?? 15));
    for (const [sql, t] of rows) {
      const text = sql.replace(/\s+/g, ' ').trim();
      console.log(`${(t.ms / n).toFixed(3).padStart(8)} ms ${(t.calls / n).toFixed(1).padStart(6)} calls ${(t.rows / Math.max(1, t.calls)).toFixed(1).padStart(7)} rows/call  ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
    }
    // --dump FILE: every statement in full with one call's parameters, to replay it or read its plan.
    if (values.dump) writeFileSync(values.dump, JSON.stringify(rows.map(([sql, t]) => ({ msPerRequest: t.ms / n, calls: t.calls / n, sql, params: t.example })), null, 2));
  } finally {
    server.close();
    await envelope.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`request-sql: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
