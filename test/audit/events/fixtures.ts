// Access records and small readers for the AuditEvent tests. The values are distinctive strings so a
// test can search an event's JSON for them (a leak check is a substring search).
import assert from 'node:assert/strict';
import type { AccessRecord } from '../../../src/audit/access-record.js';
import type { Coding, r4 } from '../../../src/domain/fhir.js';
import type { Principal } from '../../../src/domain/principal.js';
import { validateResource } from '../../../src/fhir/validation/index.js';

export const STAFF = {
  sub: 'user-7f3a9c',
  issuer: 'https://idp.example.nhs.uk/envelope',
  fhirUser: 'Practitioner/pr-77',
  roleProfileId: '555021935107',
  tokenId: 'jti-c0ffee-4411',
  assertionId: '_assert-8d1e2f',
  address: '203.0.113.57',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0) TrustGP/4.2',
  requestId: 'req-5b7e91d2',
  query: 'patient=p1&name=Smithfield&_count=10',
} as const;

export function staff(over: Partial<Principal> = {}): Principal {
  return {
    sub: STAFF.sub,
    authMethod: 'jwt',
    role: 'gp-clinician',
    organization: 'A81001',
    fhirUser: STAFF.fhirUser,
    scopes: [],
    purposeOfUse: 'TREAT',
    tokenId: STAFF.tokenId,
    issuer: STAFF.issuer,
    ...over,
  };
}

export function system(over: Partial<Principal> = {}): Principal {
  return {
    sub: 'ers-referrals',
    authMethod: 'client-credentials',
    role: 'referral-system',
    organization: 'X26',
    clientId: 'ers-referrals',
    scopes: [],
    purposeOfUse: 'TREAT',
    tokenId: 'jti-sys-2231',
    issuer: 'https://envelope.example/auth',
    ...over,
  };
}

export function record(over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    requestId: STAFF.requestId,
    interaction: 'read',
    action: 'R',
    recorded: '2025-03-04T10:15:30.123Z',
    outcome: { code: '0', status: 200 },
    principal: staff(),
    client: { address: STAFF.address, userAgent: STAFF.userAgent },
    server: { name: 'envelope.test', version: '0.1.0', address: 'https://envelope.test/fhir' },
    method: 'GET',
    path: '/fhir/Appointment/a1',
    resources: [{ type: 'Appointment', id: 'a1', versionId: 3 }],
    patients: ['p1'],
    ...over,
  };
}

/** Asserts `event` is valid R4 (no error or fatal issue from the server's own validator). */
export function assertValidR4(event: r4.AuditEvent): void {
  const errors = validateResource(event).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  assert.deepEqual(errors.map((i) => `${i.code} ${(i.expression ?? []).join(',')}: ${i.diagnostics}`), []);
}

export const has = (codings: Coding[] | undefined, want: Coding): boolean =>
  (codings ?? []).some((c) => c.system === want.system && c.code === want.code);

export function agentOfType(event: r4.AuditEvent, type: Coding): r4.AuditEventAgent | undefined {
  return event.agent.find((a) => has(a.type?.coding, type));
}

export function entitiesWithRole(event: r4.AuditEvent, role: Coding): r4.AuditEventEntity[] {
  return (event.entity ?? []).filter((e) => e.role?.system === role.system && e.role?.code === role.code);
}

export function entityOfType(event: r4.AuditEvent, type: Coding): r4.AuditEventEntity | undefined {
  return (event.entity ?? []).find((e) => e.type?.system === type.system && e.type?.code === type.code);
}

export const references = (event: r4.AuditEvent): string[] =>
  (event.entity ?? []).map((e) => e.what?.reference).filter((r): r is string => r !== undefined);

export const requestors = (event: r4.AuditEvent): r4.AuditEventAgent[] => event.agent.filter((a) => a.requestor);
