// A plain keep-alive HTTP client for the sequential parts of a run (pre-flight checks and the
// single-connection latency), timed with the high-resolution clock around the whole exchange: request
// written, full response body read. autocannon's own histogram keeps whole milliseconds, too coarse
// for a 20 ms target.
import { Agent, request } from 'node:http';
import type { BenchRequest } from './scenario.js';

export interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

export class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly port: number, private readonly defaultHeaders: Record<string, string>) {}

  send(r: BenchRequest): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        {
          host: '127.0.0.1', port: this.port, method: r.method, path: r.path, agent: this.agent,
          headers: { ...this.defaultHeaders, ...(r.headers ?? {}), ...(r.body ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - t0;
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8'), ms });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
