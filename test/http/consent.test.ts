// Patient consent over HTTP: a patient records and revokes their own Consent through the API; a
// deny for one organisation hides the patient's data from it on every path (read, search, counts,
// _has, writes) with the same answer as for data that does not exist; the national data opt-out
// never blocks direct care; the Consent resource is validated and protected like patient data.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const ref = (r: string) => ({ reference: r });
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORLD = [
  { resourceType: 'Organization', id: 'practice-a', name: 'A', identifier: [{ system: ODS, value: 'A81001' }] },
  { resourceType: 'Organization', id: 'trust', name: 'Trust', identifier: [{ system: ODS, value: 'RR8' }] },
  { resourceType: 'PractitionerRole', id: 'gp-a', organization: ref('Organization/practice-a') },
  { resourceType: 'HealthcareService', id: 'cardio', name: 'Cardiology', providedBy: ref('Organization/trust') },
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Smith', given: ['Ann'] }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  {
    resourceType: 'ServiceRequest', id: 'sr-ann', status: 'active', intent: 'order', subject: ref('Patient/ann'),
    requester: ref('PractitionerRole/gp-a'), performer: [ref('HealthcareService/cardio')], authoredOn: '2031-01-01',
  },
] as unknown as Resource[];

/** Ann's consent: opted in to sharing, except with the organisation whose ODS code is `ods`. */
function denyOrganisation(ods: string, extra: Json = {}): Json {
  return {
    resourceType: 'Consent', status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: ref('Patient/ann'), dateTime: '2031-01-01',
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: { provision: [{ type: 'deny', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { identifier: { system: ODS, value: ods } } }] }] },
    ...extra,
  };
}

describe('http: patient consent', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let ann: string;
  let gp: string;
  let consultant: string;
  let researcher: string;
  const get = (path: string, auth: string) => request(env.app).get(`/fhir/${path}`).set('Authorization', auth);
  const ids = (body: Json) => (body.entry ?? []).filter((e: Json) => e.search?.mode !== 'outcome').map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();

  beforeEach(async () => {
    env = await startEnvelope({}, { now: () => new Date('2031-01-02T10:00:00Z') });
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
    ann = await env.auth('patient', { sub: 'ann', fhirUser: 'Patient/ann' });
    gp = await env.auth('gp-clinician', { sub: 'dr-a', organization: 'A81001' });
    consultant = await env.auth('consultant', { sub: 'dr-c', organization: 'RR8' });
    researcher = await env.auth('consultant', { sub: 'dr-r', organization: 'RR8', purpose_of_use: 'HRESCH' });
  });
  afterEach(() => env.stop());

  it('a patient records a deny for one organisation: it loses the patient on every path, answered as for missing data; revoking restores it', async () => {
    await get('Patient/ann', consultant).expect(200);
    const created = await request(env.app).post('/fhir/Consent').set('Authorization', ann).send(denyOrganisation('RR8')).expect(201);

    const hidden = await get('Patient/ann', consultant).expect(403);
    const missing = await get('Patient/nobody', consultant).expect(403);
    assert.equal(JSON.stringify(hidden.body).replaceAll('ann', 'X'), JSON.stringify(missing.body).replaceAll('nobody', 'X'));
    await get('ServiceRequest/sr-ann', consultant).expect(403);
    const search = await get('ServiceRequest?_total=accurate', consultant).expect(200);
    assert.equal(search.body.total, 0);
    assert.deepEqual(ids((await get('Patient?_has:ServiceRequest:patient:status=active', consultant).expect(200)).body), []);
    assert.equal((await get('Patient?_summary=count', consultant).expect(200)).body.total, 0);
    // A write about the patient is refused too.
    const sr = (await get('ServiceRequest/sr-ann', gp).expect(200)).body;
    await request(env.app).put('/fhir/ServiceRequest/sr-ann').set('Authorization', consultant).send({ ...sr, status: 'completed' }).expect(403);
    // The patient's own practice is not named, so it still sees everything.
    assert.deepEqual(ids((await get('ServiceRequest', gp).expect(200)).body), ['ServiceRequest/sr-ann']);

    const consent = created.body;
    await request(env.app).put(`/fhir/Consent/${consent.id}`).set('Authorization', ann).send({ ...consent, status: 'inactive' }).expect(200);
    await get('Patient/ann', consultant).expect(200);
    assert.deepEqual(ids((await get('ServiceRequest', consultant).expect(200)).body), ['ServiceRequest/sr-ann']);
  });

  it('staff may record a consent for the patient they are related to, not for another', async () => {
    await request(env.app).post('/fhir/Consent').set('Authorization', gp).send(denyOrganisation('RR8')).expect(201);
    await get('Patient/ann', consultant).expect(403);
    const stranger = await env.auth('gp-clinician', { sub: 'dr-z', organization: 'Z99999' });
    await request(env.app).post('/fhir/Consent').set('Authorization', stranger).send(denyOrganisation('A81001')).expect(403);
  });

  it('the national data opt-out blocks research, not direct care', async () => {
    const optOut = {
      ...denyOrganisation('RR8'),
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      policy: [{ uri: 'https://digital.nhs.uk/services/national-data-opt-out' }],
      provision: {},
    };
    delete (optOut as Json).provision;
    await request(env.app).post('/fhir/Consent').set('Authorization', ann).send(optOut).expect(201);
    await get('ServiceRequest/sr-ann', consultant).expect(200);
    await get('ServiceRequest/sr-ann', researcher).expect(403);
    assert.deepEqual(ids((await get('ServiceRequest', researcher).expect(200)).body), []);
  });

  it('a Consent breaking ppc-1 or ppc-2 is refused with the invariant named, and nothing is stored', async () => {
    const noPolicy = denyOrganisation('RR8');
    delete noPolicy.policyRule;
    const res = await request(env.app).post('/fhir/Consent').set('Authorization', ann).send(noPolicy);
    assert.ok(res.status === 400 || res.status === 422, `status ${res.status}`);
    assert.ok(JSON.stringify(res.body).includes('ppc-1'));
    const noPatient = denyOrganisation('RR8');
    delete noPatient.patient;
    const res2 = await request(env.app).post('/fhir/Consent').set('Authorization', gp).send(noPatient);
    assert.ok(res2.status >= 400 && res2.status < 500);
    assert.equal((await get('Consent', ann).expect(200)).body.entry?.length ?? 0, 0);
  });

  it('a patient cannot record or read a consent for someone else', async () => {
    const bob = await env.auth('patient', { sub: 'bob', fhirUser: 'Patient/bob' });
    await request(env.app).post('/fhir/Consent').set('Authorization', bob).send(denyOrganisation('RR8')).expect(403);
    const mine = await request(env.app).post('/fhir/Consent').set('Authorization', ann).send(denyOrganisation('RR8')).expect(201);
    const other = await get(`Consent/${mine.body.id}`, bob);
    assert.equal(other.status, 403);
    assert.ok(!JSON.stringify(other.body).includes('RR8'));
  });
});
