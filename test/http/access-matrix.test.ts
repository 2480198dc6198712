// The access matrix: every default role × every resource type × every typed interaction, once for a
// principal WITH the relationship (own organisation, own record) the conditions ask for and once
// WITHOUT, over HTTP against the real server. What should happen is read from the grant table in
// docs/policy.md (the documented policy) — not from policy/roles.json, which the server loads — and
// from what the conditions mean for this small world, written out here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import type { Resource } from '../../src/domain/fhir.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const DIRECTORY = ['Organization', 'Location', 'HealthcareService', 'Practitioner', 'PractitionerRole'];
const INTERACTIONS = ['read', 'vread', 'history-instance', 'search-type', 'history-type', 'create', 'update', 'patch', 'delete'] as const;
type Interaction = (typeof INTERACTIONS)[number];
const LETTER: Record<Interaction, string> = {
  read: 'r', vread: 'r', 'history-instance': 'r', 'search-type': 's', 'history-type': 's', create: 'c', update: 'u', patch: 'u', delete: 'd',
};

/** The documented grant table: role → type → letter → condition ('' when unconditional). */
function documentedPolicy(): Map<string, Map<string, Map<string, string>>> {
  const md = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
  const section = md.split('<!-- grants-table -->')[1]!.split('<!-- /grants-table -->')[0]!;
  const rows = section.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
  const header = rows[0]!.slice(1).map((h) => (h.startsWith('Directory') ? DIRECTORY : [h]));
  const out = new Map<string, Map<string, Map<string, string>>>();
  for (const row of rows.slice(2)) {
    const byType = new Map<string, Map<string, string>>();
    row.slice(1).forEach((cell, i) => {
      const letters = new Map<string, string>();
      for (const part of cell === '—' ? [] : cell.split(';').map((p) => p.trim())) {
        const m = /^([cruds]+)(?: \(([a-z-]+)\))?$/.exec(part)!;
        for (const l of m[1]!) letters.set(l, m[2] ?? '');
      }
      for (const t of header[i]!) byType.set(t, letters);
    });
    out.set(row[0]!, byType);
  }
  return out;
}

const ref = (r: string) => ({ reference: r });
/** One resource of each type, all about patient pat-p and the trust RR8 / practice A81001. */
const WORLD: Resource[] = [
  { resourceType: 'Organization', id: 'org-practice', name: 'Practice', identifier: [{ system: ODS, value: 'A81001' }] },
  { resourceType: 'Organization', id: 'org-trust', name: 'Trust', identifier: [{ system: ODS, value: 'RR8' }] },
  { resourceType: 'Practitioner', id: 'pr-gp', name: [{ family: 'Jones' }] },
  { resourceType: 'PractitionerRole', id: 'role-gp', practitioner: ref('Practitioner/pr-gp'), organization: ref('Organization/org-practice') },
  { resourceType: 'Location', id: 'loc-site', name: 'Site', managingOrganization: ref('Organization/org-trust') },
  { resourceType: 'HealthcareService', id: 'hs-cardio', name: 'Cardiology', providedBy: ref('Organization/org-trust'), location: [ref('Location/loc-site')] },
  { resourceType: 'Schedule', id: 'sch-cardio', active: true, actor: [ref('HealthcareService/hs-cardio')] },
  { resourceType: 'Slot', id: 'slot-1', schedule: ref('Schedule/sch-cardio'), status: 'busy', start: '2031-03-01T09:00:00Z', end: '2031-03-01T09:15:00Z' },
  { resourceType: 'Patient', id: 'pat-p', name: [{ family: 'Smith' }], generalPractitioner: [ref('Organization/org-practice')] },
  {
    resourceType: 'ServiceRequest', id: 'sr-p', status: 'active', intent: 'order', subject: ref('Patient/pat-p'),
    requester: ref('PractitionerRole/role-gp'), performer: [ref('HealthcareService/hs-cardio')],
  },
  {
    resourceType: 'Appointment', id: 'appt-p', status: 'booked', start: '2031-03-01T09:00:00Z', end: '2031-03-01T09:15:00Z',
    slot: [ref('Slot/slot-1')], basedOn: [ref('ServiceRequest/sr-p')],
    participant: [{ actor: ref('Patient/pat-p'), status: 'accepted' }, { actor: ref('HealthcareService/hs-cardio'), status: 'accepted' }],
  },
  {
    resourceType: 'Consent', id: 'consent-p', status: 'active', patient: ref('Patient/pat-p'),
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
  },
  {
    resourceType: 'AuditEvent', id: 'ae-p', type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
    recorded: '2026-01-01T00:00:00Z', agent: [{ requestor: true, who: { display: 'Dr Jones' } }], source: { observer: { display: 'Envelope' } },
    entity: [{ what: ref('Patient/pat-p') }],
  },
] as unknown as Resource[];
const TARGET = new Map(WORLD.filter((r) => !['org-practice', 'pr-gp'].includes(r.id!)).map((r) => [r.resourceType, r]));
TARGET.set('Organization', WORLD.find((r) => r.id === 'org-trust')!);
TARGET.set('Practitioner', WORLD.find((r) => r.id === 'pr-gp')!);

/** Token claims per role: WITH the relationship / organisation / own record the conditions ask for, and WITHOUT. */
const GP = { with: { organization: 'A81001' }, without: { organization: 'C83003' } };
const HOSPITAL = { with: { organization: 'RR8' }, without: { organization: 'RX1' } };
const PRINCIPALS: Record<string, { with: Record<string, string>; without: Record<string, string> }> = {
  'gp-clinician': GP, 'gp-admin': GP, 'gp-system': GP,
  'booking-clerk': HOSPITAL, consultant: HOSPITAL, 'pas-system': HOSPITAL,
  'estate-admin': HOSPITAL, auditor: HOSPITAL, 'privacy-officer': HOSPITAL,
  patient: { with: { fhirUser: 'Patient/pat-p' }, without: { fhirUser: 'Patient/pat-q' } },
};

let seq = 0;
/** A fresh copy of the type's target (new id), stored directly, for an interaction that changes or deletes it. */
async function freshCopy(env: TestEnvelope, type: string): Promise<Resource> {
  const copy = { ...TARGET.get(type)!, id: `m-${++seq}` } as Resource & { start?: string; end?: string };
  if (type === 'Slot') Object.assign(copy, { status: 'free', start: `2032-01-01T${String(seq % 24).padStart(2, '0')}:00:00Z`, end: `2032-01-01T${String(seq % 24).padStart(2, '0')}:10:00Z` });
  await env.store.transaction((tx) => tx.create(copy));
  return (await env.store.read(type, copy.id!))!.resource;
}

async function attempt(env: TestEnvelope, auth: string, type: string, i: Interaction): Promise<{ status: number; found?: boolean }> {
  const target = TARGET.get(type)!;
  const agent = request(env.app);
  const as = <T extends { set(h: string, v: string): T }>(r: T) => r.set('Authorization', auth);
  switch (i) {
    case 'read': return { status: (await as(agent.get(`/fhir/${type}/${target.id}`))).status };
    case 'vread': return { status: (await as(agent.get(`/fhir/${type}/${target.id}/_history/1`))).status };
    case 'history-instance': return { status: (await as(agent.get(`/fhir/${type}/${target.id}/_history`))).status };
    case 'history-type': return { status: (await as(agent.get(`/fhir/${type}/_history`))).status };
    case 'search-type': {
      // The audit trail is searched only within a date range.
      const window = type === 'AuditEvent' ? '&date=ge2020-01-01&date=le2030-12-31' : '';
      const res = await as(agent.get(`/fhir/${type}?_id=${target.id}${window}`));
      return { status: res.status, found: res.status === 200 && (res.body.entry ?? []).some((e: { resource: Resource }) => e.resource.id === target.id) };
    }
    case 'create': {
      const { id: _id, meta: _meta, ...body } = (await freshCopy(env, type)) as Resource & { meta?: unknown };
      if (type === 'Slot') Object.assign(body, { start: '2033-01-01T09:00:00Z', end: '2033-01-01T09:15:00Z' });
      return { status: (await as(agent.post(`/fhir/${type}`)).send(body)).status };
    }
    case 'update': {
      const r = await freshCopy(env, type);
      return { status: (await as(agent.put(`/fhir/${type}/${r.id}`)).send(r)).status };
    }
    case 'patch': {
      const r = await freshCopy(env, type);
      const res = await as(agent.patch(`/fhir/${type}/${r.id}`)).set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'test', path: '/resourceType', value: type }]));
      return { status: res.status };
    }
    case 'delete': {
      const r = await freshCopy(env, type);
      return { status: (await as(agent.delete(`/fhir/${type}/${r.id}`))).status };
    }
  }
}

/** Statuses that mean "the policy let it through" (the booking rules may still refuse a write on their own grounds). */
const PASSED: Record<Interaction, number[]> = {
  read: [200], vread: [200], 'history-instance': [200], 'search-type': [200], 'history-type': [200],
  create: [201, 409, 422], update: [200, 409, 422], patch: [200, 409, 422], delete: [200, 204, 409, 422],
};

describe('http: access matrix (every role × type × interaction, with and without a relationship)', function () {
  this.timeout(120_000);
  let env: TestEnvelope;
  const documented = documentedPolicy();

  before(async () => {
    env = await startEnvelope();
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
  });
  after(() => env.stop());

  it('the documented table covers the ten roles and every type', () => {
    assert.deepEqual([...documented.keys()].sort(), Object.keys(PRINCIPALS).sort());
    for (const byType of documented.values()) assert.deepEqual([...byType.keys()].sort(), [...RESOURCE_TYPES].sort());
  });

  for (const role of Object.keys(PRINCIPALS)) {
    for (const variant of ['with', 'without'] as const) {
      it(`${role}, ${variant} the relationship`, async () => {
        const auth = await env.auth(role, { sub: `${role}-${variant}`, ...PRINCIPALS[role]![variant] });
        const wrong: string[] = [];
        for (const type of RESOURCE_TYPES) {
          for (const i of INTERACTIONS) {
            const grant = documented.get(role)!.get(type)!.get(LETTER[i]);
            const conditional = grant !== undefined && grant !== '';
            // A conditional grant holds in this world exactly for the "with" principal.
            const holds = grant !== undefined && (!conditional || variant === 'with');
            const got = await attempt(env, auth, type, i);
            let ok: boolean;
            // The audit trail is append-only: no role may change it, and the server does not offer it (405).
            if (type === 'AuditEvent' && ['update', 'patch', 'delete'].includes(i)) ok = got.status === 405;
            else if (grant === undefined) ok = got.status === 403;
            else if (i === 'search-type') ok = got.status === 200 && got.found === holds;
            else if (i === 'history-type') ok = conditional ? got.status === 403 : got.status === 200;
            else ok = holds ? PASSED[i].includes(got.status) : got.status === 403;
            if (!ok) wrong.push(`${i} ${type}: got ${got.status}${got.found !== undefined ? ` found=${got.found}` : ''} (grant ${grant === undefined ? 'none' : `'${grant}'`})`);
          }
        }
        assert.deepEqual(wrong, []);
      });
    }
  }
});
