// Sealed envelopes and break glass over HTTP: masking for roles without clearance, locked data that
// does not exist for anyone outside the sealing team, labels that cannot be learnt or removed, and
// break glass with its reason, role check, alert, window and expiry.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const SNOMED = 'http://snomed.info/sct';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const TEAM = 'https://envelope.example/fhir/CodeSystem/seal-team';
const BTG = 'BTG; scheme="http://terminology.hl7.org/CodeSystem/v3-ActReason"';
const HIV_CODE = '86406008';
const ref = (r: string) => ({ reference: r });
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const referral = (id: string, extra: Json) => ({
  resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: ref('Patient/ann'),
  requester: ref('PractitionerRole/gp-a'), performer: [ref('HealthcareService/gum')], authoredOn: '2031-01-01', ...extra,
});

const WORLD = [
  { resourceType: 'Organization', id: 'practice-a', name: 'A', identifier: [{ system: ODS, value: 'A81001' }] },
  { resourceType: 'Organization', id: 'trust', name: 'Trust', identifier: [{ system: ODS, value: 'RR8' }] },
  { resourceType: 'PractitionerRole', id: 'gp-a', organization: ref('Organization/practice-a') },
  { resourceType: 'HealthcareService', id: 'gum', name: 'Sexual health', providedBy: ref('Organization/trust') },
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Smith', given: ['Ann'] }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  referral('sr-plain', { note: [{ text: 'plain-note' }] }),
  referral('sr-hiv', {
    meta: { security: [{ system: ACT, code: 'HIV' }, { system: CONF, code: 'R' }, { system: TEAM, code: 'A81001' }] },
    reasonCode: [{ coding: [{ system: SNOMED, code: HIV_CODE }] }], note: [{ text: 'secret-note' }],
  }),
  referral('sr-locked', {
    meta: { security: [{ system: CONF, code: 'V' }, { system: TEAM, code: 'A81001' }] },
    note: [{ text: 'locked-note' }],
  }),
] as unknown as Resource[];

describe('http: sealed envelopes and break glass', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let now: Date;
  let gp: string;
  let consultant: string;
  let clerk: string;
  const get = (path: string, auth: string) => request(env.app).get(`/fhir/${path}`).set('Authorization', auth);
  const glass = (path: string, auth: string, reason?: string) => {
    const r = get(path, auth).set('Category', BTG);
    return reason === undefined ? r : r.set('X-Break-Glass-Reason', reason);
  };
  const ids = (body: Json) => (body.entry ?? []).filter((e: Json) => e.search?.mode !== 'outcome').map((e: Json) => e.resource.id).sort();
  const codes = (r: Json) => (r.meta?.security ?? []).map((c: Json) => c.code).sort();
  const alerts = async () => {
    const page = await env.store.search({ types: ['AuditEvent'], where: [], sort: [], count: 1000, total: 'none' });
    return page.matches.map((m) => m.resource as Json).filter((e) => e.type?.code === 'alert');
  };

  beforeEach(async () => {
    now = new Date('2031-01-02T10:00:00Z');
    env = await startEnvelope({}, { now: () => now });
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
    gp = await env.auth('gp-clinician', { sub: 'dr-a', organization: 'A81001' });
    consultant = await env.auth('consultant', { sub: 'dr-c', organization: 'RR8' });
    clerk = await env.auth('booking-clerk', { sub: 'clerk', organization: 'RR8' });
  });
  afterEach(() => env.stop());

  describe('sealed', () => {
    it('is masked for a role without the clearance: skeleton kept, sensitive elements and labels gone, REDACTED', async () => {
      const res = await get('ServiceRequest/sr-hiv', consultant).expect(200);
      const raw = JSON.stringify(res.body);
      for (const secret of ['secret-note', HIV_CODE, '"HIV"', TEAM, 'A81001']) assert.ok(!raw.includes(secret), `leaked ${secret}`);
      assert.equal(res.body.reasonCode, undefined);
      assert.equal(res.body.note, undefined);
      assert.deepEqual(res.body.subject, ref('Patient/ann'));
      assert.equal(res.body.status, 'active');
      assert.ok(codes(res.body).includes('REDACTED'));
      assert.ok(codes(res.body).includes('R'));
    });

    it('is whole for the sealing team', async () => {
      const res = await get('ServiceRequest/sr-hiv', gp).expect(200);
      assert.equal(res.body.note[0].text, 'secret-note');
      assert.ok(!codes(res.body).includes('REDACTED'));
    });

    it('a searchset says data was suppressed, and hidden elements cannot be searched, sorted or counted', async () => {
      const res = await get('ServiceRequest?patient=Patient/ann&_total=accurate', consultant).expect(200);
      assert.deepEqual(ids(res.body), ['sr-hiv', 'sr-plain']);
      const outcome = res.body.entry.find((e: Json) => e.search.mode === 'outcome');
      assert.equal(outcome.resource.issue[0].code, 'suppressed');
      assert.ok(!JSON.stringify(res.body).includes('secret-note'));
      const byCode = await get(`ServiceRequest?reason-code=${SNOMED}|${HIV_CODE}&_total=accurate`, consultant).expect(200);
      assert.equal(byCode.body.total, 0);
      assert.deepEqual(ids(byCode.body), []);
      const byLabel = await get(`ServiceRequest?_security=${ACT}|HIV&_total=accurate`, consultant).expect(200);
      assert.equal(byLabel.body.total, 0);
      const viaHas = await get(`Patient?_has:ServiceRequest:patient:reason-code=${HIV_CODE}`, consultant).expect(200);
      assert.deepEqual(ids(viaHas.body), []);
      // The team finds it by what it holds.
      assert.deepEqual(ids((await get(`ServiceRequest?reason-code=${HIV_CODE}`, gp).expect(200)).body), ['sr-hiv']);
    });

    it('a principal who may not see the labels cannot remove them, nor write the hidden elements', async () => {
      const masked = (await get('ServiceRequest/sr-hiv', consultant).expect(200)).body;
      await request(env.app).put('/fhir/ServiceRequest/sr-hiv').set('Authorization', consultant)
        .send({ ...masked, status: 'completed', meta: { security: [{ system: CONF, code: 'N' }] } }).expect(200);
      const stored = (await env.store.read('ServiceRequest', 'sr-hiv'))!.resource as Json;
      assert.equal(stored.status, 'completed');
      assert.equal(stored.note[0].text, 'secret-note', 'hidden elements carried over');
      assert.ok(codes(stored).includes('HIV'), 'label kept');
      assert.ok(!codes(stored).includes('REDACTED'), 'the marker is never stored');
      const tried = await request(env.app).put('/fhir/ServiceRequest/sr-hiv').set('Authorization', consultant)
        .send({ ...masked, note: [{ text: 'overwritten' }] }).expect(403);
      assert.ok(!JSON.stringify(tried.body).includes('secret-note'));
    });

    it('the labelling policy seals what a client writes: code rules add the label, the writer becomes the team', async () => {
      const created = await request(env.app).post('/fhir/ServiceRequest').set('Authorization', gp)
        .send(referral('x', { id: undefined, reasonCode: [{ coding: [{ system: SNOMED, code: HIV_CODE }] }] })).expect(201);
      const stored = (await env.store.read('ServiceRequest', created.body.id))!.resource as Json;
      assert.ok(codes(stored).includes('HIV'));
      assert.ok(stored.meta.security.some((c: Json) => c.system === TEAM && c.code === 'A81001'));
      const seen = (await get(`ServiceRequest/${created.body.id}`, consultant).expect(200)).body;
      assert.equal(seen.reasonCode, undefined);
    });
  });

  describe('sealed and locked', () => {
    it('does not exist outside the team: read answers as for a missing record, searches and counts leave it out', async () => {
      const locked = await get('ServiceRequest/sr-locked', consultant).expect(403);
      const missing = await get('ServiceRequest/sr-nothing', consultant).expect(403);
      assert.equal(JSON.stringify(locked.body).replaceAll('sr-locked', 'X'), JSON.stringify(missing.body).replaceAll('sr-nothing', 'X'));
      const res = await get('ServiceRequest?patient=Patient/ann&_total=accurate', consultant).expect(200);
      assert.equal(res.body.total, 2);
      assert.ok(!JSON.stringify(res.body).includes('sr-locked'));
      assert.ok(!JSON.stringify((await get('Patient?_revinclude=ServiceRequest:patient', consultant).expect(200)).body).includes('sr-locked'));
      await get('ServiceRequest/sr-locked/_history', consultant).expect(403);
      await get('ServiceRequest/sr-locked/_history/1', consultant).expect(403);
    });

    it('is whole for the team', async () => {
      const res = await get('ServiceRequest/sr-locked', gp).expect(200);
      assert.equal(res.body.note[0].text, 'locked-note');
    });

    it('stays locked under break glass', async () => {
      await glass('ServiceRequest/sr-locked', consultant, 'emergency').expect(403);
      const res = await glass('ServiceRequest?patient=Patient/ann', consultant, 'emergency').expect(200);
      assert.ok(!JSON.stringify(res.body).includes('locked-note'));
      assert.ok(!JSON.stringify(res.body).includes('sr-locked'));
    });
  });

  describe('break glass', () => {
    it('needs a reason', async () => {
      const res = await glass('ServiceRequest/sr-hiv', consultant).expect(400);
      assert.deepEqual(res.body.issue[0].expression, ['X-Break-Glass-Reason']);
      assert.equal((await alerts()).length, 0);
    });

    it('is refused to a role that may not break the glass', async () => {
      await glass('ServiceRequest/sr-hiv', clerk, 'I want to see').expect(403);
      assert.equal((await alerts()).length, 0);
    });

    it('opens sealed data with a label saying so, alerts the privacy officer and audits the reason', async () => {
      const res = await glass('ServiceRequest/sr-hiv', consultant, 'Collapsed in clinic').expect(200);
      assert.equal(res.body.note[0].text, 'secret-note');
      assert.ok(codes(res.body).includes('BTG'));
      const raised = await alerts();
      assert.equal(raised.length, 1);
      assert.ok(JSON.stringify(raised[0]).includes('Collapsed in clinic'));
      const page = await env.store.search({ types: ['AuditEvent'], where: [], sort: [], count: 1000, total: 'none' });
      const access = page.matches.map((m) => m.resource as Json).filter((e) => JSON.stringify(e).includes('break-glass-reason'));
      assert.ok(access.length >= 1, 'the access itself is audited with the reason');
    });

    it('keeps the patient open for the window, then seals again', async () => {
      await glass('ServiceRequest/sr-hiv', consultant, 'Collapsed in clinic').expect(200);
      now = new Date(now.getTime() + 30 * 60_000);
      const during = (await get('ServiceRequest/sr-hiv', consultant).expect(200)).body;
      assert.equal(during.note[0].text, 'secret-note');
      assert.ok(codes(during).includes('BTG'));
      assert.equal((await alerts()).length, 1, 'one alert per window');
      now = new Date(now.getTime() + 31 * 60_000);
      const after = (await get('ServiceRequest/sr-hiv', consultant).expect(200)).body;
      assert.equal(after.note, undefined);
      assert.ok(codes(after).includes('REDACTED'));
    });

    it('a searchset opened by break glass says so', async () => {
      const res = await glass('ServiceRequest?patient=Patient/ann', consultant, 'Collapsed in clinic').expect(200);
      const outcome = res.body.entry.find((e: Json) => e.search.mode === 'outcome');
      assert.ok(outcome.resource.issue.some((i: Json) => i.details?.coding?.[0]?.code === 'BTG' && i.severity === 'warning'));
      assert.ok(JSON.stringify(res.body).includes('secret-note'));
    });
  });
});
