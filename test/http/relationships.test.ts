// Legitimate relationships, attacked over HTTP: what a principal without one can learn or do
// through every way in (read, search counts, includes, chains, history, writes, transactions),
// how referrals, appointments and registration create one, and self-claimed relationships.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const ref = (r: string) => ({ reference: r });
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORLD = [
  { resourceType: 'Organization', id: 'practice-a', name: 'A', identifier: [{ system: ODS, value: 'A81001' }] },
  { resourceType: 'Organization', id: 'practice-b', name: 'B', identifier: [{ system: ODS, value: 'B82002' }] },
  { resourceType: 'Organization', id: 'trust', name: 'Trust', identifier: [{ system: ODS, value: 'RR8' }] },
  { resourceType: 'PractitionerRole', id: 'gp-a', organization: ref('Organization/practice-a') },
  { resourceType: 'HealthcareService', id: 'cardio', name: 'Cardiology', providedBy: ref('Organization/trust') },
  { resourceType: 'Location', id: 'site', name: 'Site', managingOrganization: ref('Organization/trust') },
  // Ann is registered at practice A (through a PractitionerRole), Bob at practice B.
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Smith', given: ['Ann'] }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  { resourceType: 'Patient', id: 'bob', name: [{ family: 'Smith', given: ['Bob'] }], managingOrganization: ref('Organization/practice-b') },
  {
    resourceType: 'ServiceRequest', id: 'sr-ann', status: 'active', intent: 'order', subject: ref('Patient/ann'),
    requester: ref('PractitionerRole/gp-a'), performer: [ref('HealthcareService/cardio')],
  },
] as unknown as Resource[];

describe('http: legitimate relationships', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let gpA: string;
  let gpB: string;
  let consultant: string;
  let otherTrust: string;
  let now: Date;
  const get = (path: string, auth: string) => request(env.app).get(`/fhir/${path}`).set('Authorization', auth);
  const ids = (body: Json) => (body.entry ?? []).map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();

  beforeEach(async () => {
    now = new Date('2031-01-01T00:00:00Z');
    env = await startEnvelope({}, { now: () => now });
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
    gpA = await env.auth('gp-clinician', { sub: 'dr-a', organization: 'A81001' });
    gpB = await env.auth('gp-clinician', { sub: 'dr-b', organization: 'B82002' });
    consultant = await env.auth('consultant', { sub: 'dr-c', organization: 'RR8' });
    otherTrust = await env.auth('consultant', { sub: 'dr-x', organization: 'RX1' });
  });
  afterEach(() => env.stop());

  describe('reading and searching without one', () => {
    it('a hidden patient and a missing one get the same 403, with no detail that tells them apart', async () => {
      const hidden = await get('Patient/bob', gpA).expect(403);
      const missing = await get('Patient/nobody', gpA).expect(403);
      const strip = (b: Json, id: string) => JSON.stringify(b).replaceAll(id, 'X');
      assert.equal(strip(hidden.body, 'bob'), strip(missing.body, 'nobody'));
      assert.equal(hidden.body.issue[0].details.coding[0].code, 'NO_RELATIONSHIP');
      await get('Patient/bob/_history/1', gpA).expect(403);
      await get('Patient/bob/_history', gpA).expect(403);
      await get('Patient/ann', gpA).expect(200);
    });

    it('searches silently leave out unrelated patients: matches, totals, counts', async () => {
      const res = await get('Patient?family=smith&_total=accurate', gpA).expect(200);
      assert.deepEqual(ids(res.body), ['Patient/ann']);
      assert.equal(res.body.total, 1);
      assert.equal((await get('Patient?_summary=count', gpB).expect(200)).body.total, 1);
      assert.deepEqual(ids((await get('Patient', otherTrust).expect(200)).body), []);
    });

    it('includes, reverse includes, chains and _has do not reach hidden data', async () => {
      // gpB has no relationship with Ann, so her referral and anything through it stay hidden.
      assert.deepEqual(ids((await get('ServiceRequest?_include=ServiceRequest:subject', gpB).expect(200)).body), []);
      assert.deepEqual(ids((await get('Patient?_revinclude=ServiceRequest:subject', gpB).expect(200)).body), ['Patient/bob']);
      assert.deepEqual(ids((await get('ServiceRequest?subject.family=smith', gpB).expect(200)).body), []);
      assert.deepEqual(ids((await get('Patient?_has:ServiceRequest:subject:status=active', gpB).expect(200)).body), []);
      assert.deepEqual(ids((await get('Patient/ann/ServiceRequest', gpB).expect(200)).body), []);
      // Ann's practice sees the same searches answered.
      assert.deepEqual(ids((await get('ServiceRequest?_include=ServiceRequest:subject', gpA).expect(200)).body), ['Patient/ann', 'ServiceRequest/sr-ann']);
    });

    it('type and system history are refused to roles limited by relationship', async () => {
      await get('Patient/_history', gpA).expect(403);
      await get('_history', gpA).expect(403);
    });
  });

  describe('how a relationship arises and ends', () => {
    it('the hospital performing an active referral is related; when it is revoked and nothing else links them, it is not', async () => {
      await get('Patient/ann', consultant).expect(200);
      await get('Patient/ann', otherTrust).expect(403);
      const sr = (await get('ServiceRequest/sr-ann', consultant).expect(200)).body;
      // The consultant may still act on the referral that is their only link (status update).
      await request(env.app).put('/fhir/ServiceRequest/sr-ann').set('Authorization', consultant).send({ ...sr, status: 'revoked' }).expect(200);
      await get('Patient/ann', consultant).expect(403);
    });

    it('taking part in an appointment for the patient relates the organisation', async () => {
      await get('Patient/bob', consultant).expect(403);
      await env.store.transaction((tx) => tx.create({
        resourceType: 'Appointment', id: 'appt-bob', status: 'booked', start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z',
        participant: [{ actor: ref('Patient/bob'), status: 'accepted' }, { actor: ref('Location/site'), status: 'accepted' }],
      } as unknown as Resource));
      await get('Patient/bob', consultant).expect(200);
      await get('Appointment/appt-bob', consultant).expect(200);
    });

    it('a practice may register a patient with itself, not with another practice', async () => {
      await request(env.app).post('/fhir/Patient').set('Authorization', gpA).send({ resourceType: 'Patient', generalPractitioner: [ref('Organization/practice-a')] }).expect(201);
      const elsewhere = await request(env.app).post('/fhir/Patient').set('Authorization', gpA).send({ resourceType: 'Patient', name: [{ family: 'Zed' }], generalPractitioner: [ref('Organization/practice-b')] }).expect(403);
      assert.equal(elsewhere.body.issue[0].details.coding[0].code, 'NO_RELATIONSHIP');
      assert.deepEqual(ids((await get('Patient?family=zed', gpB).expect(200)).body), [], 'nothing stored');
    });
  });

  describe('a write cannot create the relationship that justifies it', () => {
    const referral = (patient: string, requester: string) => ({
      resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: ref(`Patient/${patient}`), requester: ref(requester),
    });

    it('a referral for an unrelated patient, naming oneself as requester, is refused and not stored', async () => {
      const res = await request(env.app).post('/fhir/ServiceRequest').set('Authorization', gpA).send(referral('bob', 'PractitionerRole/gp-a')).expect(403);
      assert.equal(res.body.issue[0].details.coding[0].code, 'NO_RELATIONSHIP');
      await get('Patient/bob', gpA).expect(403);
      assert.equal((await env.store.search({ types: ['ServiceRequest'], where: [], sort: [], count: 10, total: 'accurate' })).total, 1);
    });

    it('nor two such referrals in one transaction, each vouching for the other', async () => {
      const bundle = {
        resourceType: 'Bundle', type: 'transaction',
        entry: [1, 2].map(() => ({ resource: referral('bob', 'PractitionerRole/gp-a'), request: { method: 'POST', url: 'ServiceRequest' } })),
      };
      await request(env.app).post('/fhir').set('Authorization', gpA).send(bundle).expect(403);
      await get('Patient/bob', gpA).expect(403);
    });

    it('moving a referral one may edit onto an unrelated patient is refused', async () => {
      const sr = (await get('ServiceRequest/sr-ann', gpA).expect(200)).body;
      await request(env.app).put('/fhir/ServiceRequest/sr-ann').set('Authorization', gpA).send({ ...sr, subject: ref('Patient/bob') }).expect(403);
      assert.equal((await get('ServiceRequest/sr-ann', gpA).expect(200)).body.subject.reference, 'Patient/ann');
    });

    it('overwriting a hidden resource by id is refused like reading it', async () => {
      const res = await request(env.app).put('/fhir/Patient/bob').set('Authorization', (await env.auth('gp-system', { sub: 's', organization: 'A81001' })))
        .send({ resourceType: 'Patient', id: 'bob', generalPractitioner: [ref('Organization/practice-a')] }).expect(403);
      assert.equal(res.body.issue[0].details.coding[0].code, 'NO_RELATIONSHIP');
      assert.equal((await env.store.read('Patient', 'bob'))!.versionId, 1);
    });
  });

  describe('PUT cannot tell which ids exist (no update-as-create under limits)', () => {
    const patientOfA = (id: string) => ({ resourceType: 'Patient', id, name: [{ family: 'New' }], generalPractitioner: [ref('Organization/practice-a')] });
    const strip = (b: Json, id: string) => JSON.stringify(b).replaceAll(id, 'X');

    it('a clinician PUTting at a hidden id and at a free one gets the same refusal, and nothing is stored', async () => {
      const hidden = await request(env.app).put('/fhir/Patient/bob').set('Authorization', gpA).send(patientOfA('bob')).expect(403);
      const free = await request(env.app).put('/fhir/Patient/nobody').set('Authorization', gpA).send(patientOfA('nobody')).expect(403);
      assert.equal(strip(hidden.body, 'bob'), strip(free.body, 'nobody'));
      assert.equal(await env.store.read('Patient', 'nobody'), undefined);
      // A conditional update that names the id is the same PUT; one without an id creates with a server id.
      const named = await request(env.app).put('/fhir/Patient?family=Nomatch').set('Authorization', gpA).send(patientOfA('nobody')).expect(403);
      assert.equal(strip(named.body, 'nobody'), strip(free.body, 'nobody'));
      const { id: _omit, ...anonymous } = patientOfA('x');
      const created = await request(env.app).put('/fhir/Patient?family=Nomatch').set('Authorization', gpA).send(anonymous).expect(201);
      assert.notEqual(created.body.id, 'x');
      // Creating is what POST is for, with an id the server assigns.
      await request(env.app).post('/fhir/Patient').set('Authorization', gpA).send(patientOfA('ignored')).expect(201);
    });

    it('a conditional update that would create needs the create permission, not update alone', async () => {
      // The consultant may update referrals it is related to, but not create them.
      const { id: _omit, ...sr } = { id: 'x', resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: ref('Patient/ann') };
      await request(env.app).put('/fhir/ServiceRequest?identifier=urn:x|none').set('Authorization', consultant).send(sr).expect(403);
      assert.equal((await env.store.search({ types: ['ServiceRequest'], where: [], sort: [], count: 10, total: 'accurate' })).total, 1);
    });

    it('a system trusted to choose ids (mayChooseIds: the GP system) creates at its own id', async () => {
      const system = await env.auth('gp-system', { sub: 's', organization: 'A81001' });
      const res = await request(env.app).put('/fhir/Patient/gp-own-42').set('Authorization', system).send(patientOfA('gp-own-42')).expect(201);
      assert.equal(res.body.id, 'gp-own-42');
    });
  });

  it('a patient/ scope reaches only the launch patient (fhirUser), whatever else the role could see', async () => {
    const app = await env.auth('patient', { sub: 'ann-app', fhirUser: 'Patient/ann', scope: 'patient/Patient.rs patient/ServiceRequest.rs' });
    await get('Patient/ann', app).expect(200);
    await get('Patient/bob', app).expect(403);
    assert.deepEqual(ids((await get('ServiceRequest', app).expect(200)).body), ['ServiceRequest/sr-ann']);
    // A clinician's token with only patient/ scopes and no patient as fhirUser reaches no patient at all.
    const narrow = await env.auth('gp-clinician', { sub: 'dr-a2', organization: 'A81001', scope: 'patient/*.rs' });
    await get('Patient/ann', narrow).expect(403);
    assert.deepEqual(ids((await get('Patient', narrow).expect(200)).body), []);
  });

  describe('self-claimed relationships', () => {
    /** The privacy officer's alert feed: self-claimed relationship alerts in the audit trail. */
    const claimAlerts = async () => {
      const officer = await env.auth('privacy-officer', { sub: 'po', organization: 'RR8' });
      const res = await get('AuditEvent?type=https://envelope.example/fhir/CodeSystem/audit-event|alert&date=ge2030-01-01&date=le2032-01-01', officer).expect(200);
      return (res.body.entry ?? []).map((e: Json) => e.resource)
        .filter((r: Json) => r.subtype?.some((c: Json) => c.code === 'self-claimed-relationship'));
    };
    const claim = (auth: string, patient: string, reason?: string) => request(env.app).post(`/fhir/Patient/${patient}/$claim-relationship`).set('Authorization', auth)
      .send({ resourceType: 'Parameters', parameter: reason === undefined ? [] : [{ name: 'reason', valueString: reason }] });

    it('a role allowed to claim states a reason, gains access for a limited time, and the privacy officer is alerted', async () => {
      await get('Patient/bob', otherTrust).expect(403);
      const res = await claim(otherTrust, 'bob', 'Seen in clinic today, records needed for treatment').expect(200);
      assert.match(res.body.issue[0].diagnostics, /claimed until 2031-01-02T00:00:00\.000Z/);
      await get('Patient/bob', otherTrust).expect(200);
      assert.deepEqual(ids((await get('Patient?family=smith', otherTrust).expect(200)).body), ['Patient/bob']);
      const alerts = await claimAlerts();
      assert.equal(alerts.length, 1);
      const alert = JSON.stringify(alerts[0]);
      assert.ok(alert.includes('Patient/bob') && alert.includes('Seen in clinic today, records needed for treatment') && alert.includes('dr-x'), alert);
      // The claim is the claimant's own, for their organisation, and it lapses.
      await get('Patient/bob', consultant).expect(403);
      now = new Date('2031-01-02T00:00:01Z');
      await get('Patient/bob', otherTrust).expect(403);
    });

    it('refused without a reason, for a role not allowed to claim, and for an unknown patient', async () => {
      await claim(otherTrust, 'bob').expect(400);
      await claim(otherTrust, 'bob', '   ').expect(400);
      await claim(otherTrust, 'bob', 'x'.repeat(1001)).expect(400);
      await claim(await env.auth('booking-clerk', { sub: 'clerk', organization: 'RX1' }), 'bob', 'I want to').expect(403);
      await claim(otherTrust, 'nobody', 'a reason').expect(404);
      await get('Patient/bob', otherTrust).expect(403);
      assert.deepEqual(await claimAlerts(), []);
    });
  });
});
