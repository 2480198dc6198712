// Drives a target with autocannon (programmatic API) at a fixed number of connections for a fixed
// time, each request freshly drawn from the scenario so no two connections hammer one cached row.
// Latencies are taken from autocannon's per-response event (sub-millisecond, unlike its histogram),
// and only over the measured period: a short warm-up run goes first and is discarded.
import autocannon from 'autocannon';
import type { BenchRequest } from './scenario.js';
import { summarise, type LatencySummary } from './stats.js';

export interface LoadOptions {
  port: number;
  headers: Record<string, string>;
  next: () => BenchRequest;
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface LoadResult {
  connections: number;
  /** Measured seconds (excluding the warm-up). */
  seconds: number;
  /** Completed requests with a 2xx status. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** 2xx requests per second. */
  rps: number;
  /** Latency of 2xx responses, ms. */
  latency: LatencySummary;
  /** Mean 2xx response size, bytes. */
  meanBytes: number;
  statusCodes: Record<string, number>;
}

function run(o: LoadOptions, durationS: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  let bytes = 0;
  const statusCodes: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${o.port}`,
        connections: o.connections,
        duration: durationS,
        headers: o.headers,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const r = o.next();
              const out: autocannon.Request = { ...req, method: r.method, path: r.path };
              if (r.body !== undefined) out.body = r.body;
              if (r.headers) out.headers = { ...req.headers, ...r.headers };
              return out;
            },
          },
        ],
      },
      (err: unknown, result: autocannon.Result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const seconds = (performance.now() - started) / 1000;
        const ok = latencies.length;
        resolve({
          connections: o.connections,
          seconds,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          rps: ok / seconds,
          latency: summarise(latencies),
          meanBytes: ok ? bytes / ok : 0,
          statusCodes,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (!record || statusCode < 200 || statusCode > 299) return;
      latencies.push(responseTime);
      bytes += resBytes;
    });
  });
}

/** A warm-up run (discarded), then the measured run; `beforeMeasured` runs between the two. */
export async function drive(o: LoadOptions, beforeMeasured?: () => void): Promise<LoadResult> {
  if (o.warmupS > 0) await run(o, o.warmupS, false);
  beforeMeasured?.();
  return run(o, o.durationS, true);
}
