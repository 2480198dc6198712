// Test AuditEvents, without any mocha dependency (the append worker process imports them too).
import type { AuditEvent } from '../../../src/audit/chain.js';

/** A minimal valid R4 AuditEvent; `n` makes it distinguishable (agent and patient). */
export function auditEvent(n: number | string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: '2025-03-01T09:00:00.000Z',
    outcome: '0',
    agent: [{ who: { identifier: { system: 'urn:test:user', value: `user-${n}` } }, requestor: true }],
    source: { observer: { display: 'Envelope' } },
    entity: [{ what: { reference: `Patient/p-${n}` } }],
    ...extra,
  };
}

/** The marker auditEvent(n) carries, read back from a stored event. */
export function markerOf(event: AuditEvent): string | undefined {
  return event.agent?.[0]?.who?.identifier?.value;
}

/** The id of the event at `n`: the sequence number in 16 digits. */
export const id = (n: number): string => String(n).padStart(16, '0');
