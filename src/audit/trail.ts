// The audit trail the access layer writes to (its AuditSink): each access record becomes its BALP
// AuditEvents (one per patient), refusals are counted per principal so that repeated ones raise an
// alert for the privacy officers, and everything is appended to the chained log in one call, so a
// record and the alert it raised are durable together before the request's response leaves.
import type { AccessRecord } from '../domain/access-record.js';
import type { Principal } from '../domain/principal.js';
import type { r4 } from '../domain/fhir.js';
import { alertEvent, RefusalCounter, type AlertDetails, type AlertKind } from './alerts.js';
import type { AuditAppender } from './appender.js';
import { auditEventsFor } from './balp.js';

export interface AuditTrailOptions {
  log: AuditAppender;
  /** Refusals (401, 403) of one principal (or address, when nobody signed in) that raise an alert, within windowMs. */
  refusals?: { threshold: number; windowMs: number };
  server: { name: string; version: string };
}

export interface AuditTrail {
  /** Durably records an interaction (and any alert it raises); rejects when it cannot. */
  record(r: AccessRecord): Promise<void>;
  /** Durably records an alert for the privacy officers (break glass, self-claimed relationship). */
  alert(kind: AlertKind, details: Omit<AlertDetails, 'observer'>): Promise<void>;
  /** Appends events from a registered audit source, chained like the server's own. */
  append(events: r4.AuditEvent[]): Promise<r4.AuditEvent[]>;
}

const REFUSED = new Set([401, 403]);

/** Whose refusals are counted together: the principal (issuer, subject, organisation), or the address. */
function subjectKey(p: Principal | undefined, address: string | undefined): string {
  return p ? JSON.stringify(['principal', p.issuer ?? '', p.sub, p.organization ?? '']) : JSON.stringify(['address', address ?? '']);
}

export function createAuditTrail(opts: AuditTrailOptions): AuditTrail {
  const counter = new RefusalCounter(opts.refusals ?? { threshold: 10, windowMs: 5 * 60_000 });
  const observer = { name: opts.server.name, version: opts.server.version };
  return {
    async record(r) {
      const events = auditEventsFor(r);
      if (REFUSED.has(r.outcome.status)) {
        const verdict = counter.record(subjectKey(r.principal, r.client.address), new Date(r.recorded));
        if (verdict.alert) {
          events.push(alertEvent('repeated-refusals', {
            who: r.principal, address: r.client.address, reason: r.outcome.text, count: verdict.count,
            windowMs: opts.refusals?.windowMs ?? 5 * 60_000, requestId: r.requestId, at: r.recorded, observer,
          }));
        }
      }
      await opts.log.record(events);
    },
    async alert(kind, details) {
      await opts.log.record([alertEvent(kind, { ...details, observer })]);
    },
    append: (events) => opts.log.append(events),
  };
}
