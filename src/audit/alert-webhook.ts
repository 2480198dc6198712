// Optional push of privacy-officer alerts to a configured webhook, with retry. The alerts themselves
// live in the audit trail (durable before the request that raised them answered); this only tells
// someone. It works as an outbox over that trail: each tick reads the alerts from where it got to
// (a cursor in the store's records) and POSTs them in chain order, one at a time; an alert counts as
// sent only after the webhook answered 2xx, and the cursor moves past it only then. A failure stops
// the tick, and the next tick (after a growing pause) tries the same alert again, so an alert is
// delivered at least once, in order, across restarts and several processes (each POST carries the
// alert's id, which receivers use to drop repeats).
import type { Store } from '../store/port.js';
import type { Cond } from '../domain/search-types.js';
import { ALERT, ENVELOPE_AUDIT } from './codes.js';

export interface AlertWebhookOptions {
  store: Store;
  url: string;
  /** Extra header sent with each POST (for example an Authorization for the receiver). */
  headers?: Record<string, string>;
  intervalMs: number;
  now?: () => Date;
  onError: (e: unknown) => void;
  /** The HTTP client (tests may pass another; the default is the platform's fetch). */
  fetch?: typeof fetch;
}

export interface AlertWebhook {
  /** One pass now; resolves with how many alerts were delivered. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

const CURSOR_KIND = 'alert-webhook';
/** A cursor is kept as long as the trail is. */
const CURSOR_TTL_MS = 50 * 366 * 24 * 3600 * 1000;
const PAGE = 100;
const MAX_BACKOFF_MS = 10 * 60_000;

const IS_ALERT: Cond = { k: 'idx', p: 'type', tests: [{ f: 'sys', op: 'eq', v: ENVELOPE_AUDIT }, { f: 'code', op: 'eq', v: ALERT.code! }] };

export function startAlertWebhook(opts: AlertWebhookOptions): AlertWebhook {
  const now = opts.now ?? (() => new Date());
  const post = opts.fetch ?? fetch;
  let running: Promise<number> = Promise.resolve(0);
  let failures = 0;
  let nextTryAt = 0;

  /** The last alert delivered: its id and when it was recorded (the search starts from that time). */
  async function cursor(): Promise<{ after: string; since?: string }> {
    const r = await opts.store.records.get(CURSOR_KIND, 'cursor', now().toISOString());
    const after = typeof r?.data['after'] === 'string' ? r.data['after'] : '';
    const since = typeof r?.data['since'] === 'string' ? r.data['since'] : undefined;
    return since === undefined ? { after } : { after, since };
  }

  async function pass(): Promise<number> {
    if (now().getTime() < nextTryAt) return 0;
    let { after, since } = await cursor();
    let sent = 0;
    for (;;) {
      // Alerts in chain order (ids are zero-padded sequence numbers) recorded since the last one
      // delivered, past it.
      const where: Cond[] = [IS_ALERT];
      if (since !== undefined) where.push({ k: 'idx', p: 'date', tests: [{ f: 'hi', op: 'ge', v: since }] });
      const page = await opts.store.search({ types: ['AuditEvent'], where, sort: [{ p: '_id', desc: false }], count: PAGE * 2, total: 'none' });
      const due = page.matches.filter((m) => m.id > after).slice(0, PAGE);
      if (due.length === 0) return sent;
      for (const m of due) {
        const res = await post(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', ...(opts.headers ?? {}) },
          body: JSON.stringify(m.resource),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`the alert webhook answered ${res.status} for AuditEvent/${m.id}`);
        after = m.id;
        const recorded = (m.resource as { recorded?: unknown }).recorded;
        if (typeof recorded === 'string') since = new Date(recorded).toISOString();
        await opts.store.records.put({ kind: CURSOR_KIND, id: 'cursor', data: { after, ...(since ? { since } : {}) }, expiresAt: new Date(now().getTime() + CURSOR_TTL_MS).toISOString() });
        sent++;
      }
    }
  }

  const tick = (): Promise<number> => {
    running = running.then(pass).then(
      (n) => {
        failures = 0;
        nextTryAt = 0;
        return n;
      },
      (e: unknown) => {
        failures++;
        nextTryAt = now().getTime() + Math.min(MAX_BACKOFF_MS, opts.intervalMs * 2 ** Math.min(failures, 10));
        opts.onError(e);
        return 0;
      },
    );
    return running;
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
