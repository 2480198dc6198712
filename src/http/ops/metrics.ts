// Prometheus metrics (prom-client), one registry per Envelope: request counts and latency by FHIR
// interaction, store latency, audit group sizes, booking conflicts, faults, and the process's
// default metrics. Served at /metrics only to a scraper holding METRICS_TOKEN: the numbers say who
// is busy with what, which is not for the public.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { classify } from './classify.js';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'interaction' | 'status'>;
  readonly requestDuration: Histogram<'interaction'>;
  readonly storeDuration: Histogram<'operation' | 'outcome'>;
  readonly auditGroupEvents: Histogram;
  readonly bookingConflicts: Counter<'interaction'>;
  readonly faults: Counter<'source'>;
  /** Requests received and not yet ended (also exported as the http_requests_in_progress gauge). */
  readonly inProgress: { count: number };
}

export interface MetricsOptions {
  /** Also collect the process's default metrics (CPU, memory, event loop lag, GC). */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const inProgress = { count: 0 };
  new Gauge({
    name: 'http_requests_in_progress', help: 'Requests received and not yet ended', registers,
    collect() {
      this.set(inProgress.count);
    },
  });
  return {
    registry,
    inProgress,
    requests: new Counter({
      name: 'http_requests_total', help: 'HTTP requests answered, by FHIR interaction (or endpoint) and status', labelNames: ['interaction', 'status'], registers,
    }),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds', help: 'Time from receiving a request to the end of its response, by FHIR interaction (or endpoint)',
      labelNames: ['interaction'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    }),
    storeDuration: new Histogram({
      name: 'store_operation_duration_seconds', help: 'Store calls made by the request thread (read, search, transaction…), readiness pings and audit group commits',
      labelNames: ['operation', 'outcome'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    }),
    auditGroupEvents: new Histogram({
      name: 'audit_group_events', help: 'AuditEvents committed together in one audit log group',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers,
    }),
    bookingConflicts: new Counter({
      name: 'booking_conflicts_total', help: 'Bookings refused with 409 (a slot taken meanwhile): Appointment create, update, patch and Slot $hold',
      labelNames: ['interaction'], registers,
    }),
    faults: new Counter({
      name: 'envelope_faults_total', help: 'Server faults logged, by where they happened (requests, audit, background jobs)', labelNames: ['source'], registers,
    }),
  };
}

/** 409 on these, for these types, is a booking that lost its slot. */
const BOOKING_WRITES: ReadonlySet<string> = new Set(['Appointment create', 'Appointment update', 'Appointment patch', 'Slot operation:$hold']);

/** Counts and times each request once it has ended. */
export function metricsMiddleware(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = metrics.requestDuration.startTimer();
    metrics.inProgress.count++;
    res.once('close', () => {
      metrics.inProgress.count--;
      const kind = classify(req);
      stop({ interaction: kind.interaction });
      metrics.requests.inc({ interaction: kind.interaction, status: res.writableFinished ? String(res.statusCode) : 'aborted' });
      if (res.statusCode === 409 && BOOKING_WRITES.has(`${kind.type} ${kind.interaction}`)) {
        metrics.bookingConflicts.inc({ interaction: kind.interaction });
      }
    });
    next();
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics: off (404, like any unknown path) without a configured token; with one, only a
 * request bearing it gets the metrics, anyone else 401.
 */
export function metricsRoute(metrics: Metrics, token: string | undefined) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (token === undefined) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    const m = /^Bearer ([\x21-\x7e]+)$/.exec(req.get('authorization') ?? '');
    if (!m || !sameSecret(m[1]!, token)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.type('text/plain').send('metrics need the scrape token\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/**
 * The same object, with the named methods timed into store_operation_duration_seconds. Used on the
 * store by the composition root, so the store itself stays free of metrics.
 */
export function timeMethods<T extends object>(target: T, names: readonly (keyof T & string)[], histogram: Metrics['storeDuration']): T {
  const timed = new Map<PropertyKey, unknown>();
  for (const name of names) {
    if (typeof target[name] !== 'function') continue;
    timed.set(name, function (this: unknown, ...args: unknown[]) {
      const stop = histogram.startTimer({ operation: name });
      let result: unknown;
      try {
        // Looked up at each call, like a plain method call would.
        result = (target[name] as (...a: unknown[]) => unknown).apply(target, args);
      } catch (e) {
        stop({ outcome: 'error' });
        throw e;
      }
      if (result instanceof Promise) {
        return result.then(
          (v: unknown) => { stop({ outcome: 'ok' }); return v; },
          (e: unknown) => { stop({ outcome: 'error' }); throw e; },
        );
      }
      stop({ outcome: 'ok' });
      return result;
    });
  }
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  return new Proxy(target, {
    get(t, prop) {
      if (timed.has(prop)) return timed.get(prop);
      const v: unknown = Reflect.get(t, prop, t);
      if (typeof v !== 'function') return v;
      // Methods run on the object itself, whatever fields (private ones too) they use.
      let b = bound.get(prop);
      if (b?.fn !== v) {
        b = { fn: v, bound: (v as (...a: unknown[]) => unknown).bind(t) };
        bound.set(prop, b);
      }
      return b.bound;
    },
  });
}
