// An in-process Envelope on a real socket (so timings include HTTP, and /healthz can be probed while
// a request waits), plus the few request helpers the outage tests share.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { TestEnvelope } from '../helpers/envelope.js';

export type Json = Record<string, any>;

export interface Listening {
  base: string;
  close(): Promise<void>;
}

export async function listen(env: TestEnvelope): Promise<Listening> {
  const server: Server = await new Promise((resolve) => {
    const s = createServer(env.app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Timed {
  status: number;
  body: Json;
  headers: Headers;
  ms: number;
}

export async function timed(base: string, method: string, path: string, token?: string, body?: unknown): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: token } : {}), ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers, ms: performance.now() - started };
}

/** The answer is a 503 OperationOutcome saying "transient": the client may try again. */
export function assertUnavailable(r: Timed, what: string): void {
  assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.resourceType, 'OperationOutcome', `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.issue?.[0]?.code, 'transient', `${what}: ${JSON.stringify(r.body)}`);
}

/**
 * Probes GET /healthz every `everyMs` until stopped, recording each answer's latency: a server
 * whose event loop is blocked (waiting synchronously on a lock) shows it as a long latency.
 */
export function probeHealth(base: string, everyMs = 25): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const p = fetch(`${base}/healthz`).then(async (r) => {
      await r.arrayBuffer();
      latencies.push(r.status === 200 ? performance.now() - started : Number.POSITIVE_INFINITY);
    }, () => { latencies.push(Number.POSITIVE_INFINITY); });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return latencies;
    },
  };
}
