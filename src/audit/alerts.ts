// Alerts for privacy officers, as AuditEvents of Envelope type `alert`: break-glass use, self-claimed
// legitimate relationships and repeated refusals. `AuditEvent?type=<ENVELOPE_AUDIT>|alert` lists
// them and `subtype` tells the kind. Each carries what an investigator needs first: who (in full),
// for which organisation and purpose, which patient, the stated reason, when, and the request.
import type { Coding, r4 } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import { humanAgent, network, organisationAgent } from './balp-agents.js';
import { patientEntity } from './balp-entities.js';
import {
  ALERT, APPLICATION, APPLICATION_SERVER, CLIENT_ID, EMERGENCY_OVERRIDE_STARTED, ENVELOPE_AUDIT, HUMAN_USER,
  REQUEST_ID, SECURITY_RESOURCE, SYSTEM_OBJECT, X_REQUEST_ID, purposeOfUse,
} from './codes.js';

export { RefusalCounter, type RefusalCounterOptions, type RefusalVerdict } from './refusal-counter.js';

export type AlertKind = 'break-glass' | 'self-claimed-relationship' | 'repeated-refusals';
export const ALERT_KINDS: readonly AlertKind[] = ['break-glass', 'self-claimed-relationship', 'repeated-refusals'];

export interface AlertDetails {
  /** Who did it; absent for refusals of a client that never signed in (then `address` says where from). */
  who?: Principal | undefined;
  /** The client's network address. */
  address?: string | undefined;
  /** Id of the patient whose record it concerns. */
  patient?: string | undefined;
  /** The reason the user gave (break glass, claim) or the last refusal's reason. */
  reason?: string | undefined;
  /** Repeated refusals: how many, within which window (milliseconds). */
  count?: number | undefined;
  windowMs?: number | undefined;
  /** X-Request-ID of the request that raised the alert. */
  requestId?: string | undefined;
  /** When it happened. */
  at: Date | string;
  /** The server recording the alert (defaults to `Envelope`). */
  observer?: { name: string; version?: string | undefined } | undefined;
}

const KIND_DISPLAY: Record<AlertKind, string> = {
  'break-glass': 'Emergency access (break glass)',
  'self-claimed-relationship': 'Self-claimed legitimate relationship',
  'repeated-refusals': 'Repeated refused requests',
};

const BREAK_THE_GLASS = 'BTG';

export function alertEvent(kind: AlertKind, details: AlertDetails): r4.AuditEvent {
  const subtype: Coding[] = [{ system: ENVELOPE_AUDIT, code: kind, display: KIND_DISPLAY[kind] }];
  if (kind === 'break-glass') subtype.push(EMERGENCY_OVERRIDE_STARTED);
  const observer = details.observer ?? { name: 'Envelope' };

  const event: r4.AuditEvent = {
    resourceType: 'AuditEvent',
    type: ALERT,
    subtype,
    action: 'E',
    recorded: instant(details.at),
    // The alert records something that happened: an access that went ahead, or requests refused.
    outcome: kind === 'repeated-refusals' ? '4' : '0',
    agent: alertAgents(details),
    source: {
      site: observer.name,
      observer: { display: observer.version ? `${observer.name} ${observer.version}` : observer.name },
      type: [APPLICATION_SERVER],
    },
    entity: alertEntities(kind, details),
  };
  const purposes = purposesOf(kind, details.who);
  if (purposes.length) event.purposeOfEvent = purposes.map((p) => ({ coding: [purposeOfUse(p)] }));
  return event;
}

function alertAgents(d: AlertDetails): r4.AuditEventAgent[] {
  const human = d.who ? humanAgent(d.who, HUMAN_USER) : undefined;
  const org = d.who ? organisationAgent(d.who) : undefined;
  const clientId = d.who?.clientId ?? (d.who?.authMethod === 'client-credentials' ? d.who.sub : undefined);
  let client: r4.AuditEventAgent | undefined;
  if (!human || d.address) {
    client = {
      type: { coding: [APPLICATION] },
      who: clientId ? { identifier: { system: CLIENT_ID, value: clientId } } : { display: d.who ? 'client software' : 'unauthenticated client' },
      requestor: !human,
      ...network(d.address),
    };
  }
  return [human, org, client].filter((a): a is r4.AuditEventAgent => a !== undefined);
}

function alertEntities(kind: AlertKind, d: AlertDetails): r4.AuditEventEntity[] {
  const entities: r4.AuditEventEntity[] = [];
  if (d.patient) entities.push(patientEntity(d.patient));
  const detail: r4.AuditEventEntityDetail[] = [];
  if (d.reason?.trim()) detail.push({ type: 'reason', valueString: d.reason.trim() });
  if (d.count !== undefined) detail.push({ type: 'count', valueString: String(d.count) });
  if (d.windowMs !== undefined) detail.push({ type: 'window-ms', valueString: String(d.windowMs) });
  const finding: r4.AuditEventEntity = { type: SYSTEM_OBJECT, role: SECURITY_RESOURCE, description: summary(kind, d) };
  if (detail.length) finding.detail = detail;
  entities.push(finding);
  if (d.requestId) entities.push({ what: { identifier: { system: REQUEST_ID, value: d.requestId } }, type: X_REQUEST_ID });
  return entities;
}

/** A line an officer can read in a list of alerts. */
function summary(kind: AlertKind, d: AlertDetails): string {
  const patient = d.patient ? ` to Patient/${d.patient}` : '';
  switch (kind) {
    case 'break-glass':
      return `Emergency access (break glass)${patient}`;
    case 'self-claimed-relationship':
      return `Self-claimed legitimate relationship${patient}`;
    case 'repeated-refusals': {
      const n = d.count !== undefined ? `${d.count} refused requests` : 'Repeated refused requests';
      const w = d.windowMs !== undefined ? ` within ${Math.round(d.windowMs / 1000)} s` : '';
      return `${n}${w}`;
    }
  }
}

/** The principal's purpose of use; break glass always carries BTG. */
function purposesOf(kind: AlertKind, who: Principal | undefined): string[] {
  const out = who?.purposeOfUse ? [who.purposeOfUse] : [];
  if (kind === 'break-glass' && !out.includes(BREAK_THE_GLASS)) out.push(BREAK_THE_GLASS);
  return out;
}

function instant(at: Date | string): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError('alert time is not a valid date');
  return d.toISOString();
}

/** The alert type, for the alert search (`AuditEvent?type=<system>|alert`). */
export { ALERT, ENVELOPE_AUDIT };
