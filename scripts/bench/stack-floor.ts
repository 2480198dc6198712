// `node dist/scripts/bench/stack-floor.js [--connections 32] [--duration 10] [--warmup 2] [--capture FILE]`
// How much of the bare Node baseline the chosen stack itself leaves: the same bytes answered by a
// bare node:http server and by an Express 5 application with helmet doing nothing else, loaded
// alternately with the benchmark's client. The ratio is a ceiling for any Envelope endpoint's
// "× baseline" (every request also passes routing, authentication, policy and the audit trail).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drive } from './load.js';
import type { BenchRequest } from './scenario.js';
import { startBaseline } from './targets.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { connections: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, capture: { type: 'string' }, rounds: { type: 'string' } }, strict: true });
  const connections = Number(values.connections ?? 32);
  const durationS = Number(values.duration ?? 10);
  const warmupS = Number(values.warmup ?? 2);
  const rounds = Number(values.rounds ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'envelope-stack-floor-'));
  // A read's answer by default: 1.4 KiB of JSON with FHIR headers (any capture of the runner works).
  const capture = values.capture ?? join(dir, 'capture.json');
  if (!values.capture) {
    writeFileSync(capture, JSON.stringify({
      headers: { 'content-type': 'application/fhir+json; charset=utf-8', etag: 'W/"1"', 'cache-control': 'no-store' },
      body: JSON.stringify({ resourceType: 'Appointment', id: 'x', status: 'booked', text: 'x'.repeat(1300) }),
    }));
  }
  const bare = await startBaseline(capture, join(dir, 'bare.log'));
  const expressTarget = await startBaseline(capture, join(dir, 'express.log'), ['--express']);
  const next = (): BenchRequest => ({ method: 'GET', path: '/fhir/Appointment/x' });
  try {
    for (let r = 0; r < rounds; r++) {
      const a = await drive({ port: bare.port, headers: {}, next, connections, durationS, warmupS });
      const b = await drive({ port: expressTarget.port, headers: {}, next, connections, durationS, warmupS });
      console.log(`round ${r + 1}: bare node:http ${Math.round(a.rps)} req/s (p99 ${a.latency.p99.toFixed(1)} ms); Express 5 + helmet ${Math.round(b.rps)} req/s (p99 ${b.latency.p99.toFixed(1)} ms) = ${(b.rps / a.rps).toFixed(3)} × baseline`);
    }
  } finally {
    await bare.stop();
    await expressTarget.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`stack-floor: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
