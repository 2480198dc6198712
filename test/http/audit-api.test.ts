// The audit trail through the FHIR API: append-only (405 for every change, whoever asks), searched
// only within a date range, and described as such by the CapabilityStatement.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

describe('http: the audit trail API', () => {
  let env: TestEnvelope;
  let auditor: string;
  before(async () => {
    env = await startEnvelope();
    auditor = await env.auth('auditor', { sub: 'aud-1', organization: 'RR8' });
  });
  after(() => env.stop());

  it('refuses update, patch and delete of an AuditEvent with 405, also inside a batch', async () => {
    const estate = await env.auth('estate-admin');
    for (const auth of [auditor, estate]) {
      await request(env.app).put('/fhir/AuditEvent/1').set('Authorization', auth).send({ resourceType: 'AuditEvent', id: '1' }).expect(405);
      await request(env.app).patch('/fhir/AuditEvent/1').set('Authorization', auth).set('Content-Type', 'application/json-patch+json').send('[]').expect(405);
      await request(env.app).delete('/fhir/AuditEvent/1').set('Authorization', auth).expect(405);
      await request(env.app).delete('/fhir/AuditEvent?date=2020').set('Authorization', auth).expect(405);
    }
    const batch = await request(env.app).post('/fhir').set('Authorization', auditor)
      .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: 'AuditEvent/1' } }] }).expect(200);
    assert.equal(batch.body.entry[0].response.status, '405');
  });

  it('needs a date range to search the trail; a principal who may not search it gets 403 first', async () => {
    for (const q of ['', '?date=ge2026-01-01', '?date=le2026-12-31', '?patient=Patient/x']) {
      const res = await request(env.app).get(`/fhir/AuditEvent${q}`).set('Authorization', auditor).expect(400);
      assert.deepEqual(res.body.issue[0].expression, ['date']);
    }
    for (const q of ['?date=ge2026-01-01&date=le2026-12-31', '?date=2026-11', '?date=gt2026-01-01,lt2026-02-01']) {
      await request(env.app).get(`/fhir/AuditEvent${q}`).set('Authorization', auditor).expect(200);
    }
    await request(env.app).get('/fhir/AuditEvent').set('Authorization', await env.auth('pas-system', { organization: 'RR8' })).expect(403);
  });

  it('the CapabilityStatement offers no update, patch or delete of AuditEvent', async () => {
    const cs = (await request(env.app).get('/fhir/metadata').expect(200)).body;
    const ae = cs.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent');
    const codes = ae.interaction.map((i: { code: string }) => i.code);
    assert.ok(codes.includes('read') && codes.includes('search-type') && codes.includes('create'));
    for (const c of ['update', 'patch', 'delete']) assert.ok(!codes.includes(c), c);
    assert.equal(ae.updateCreate, false);
    assert.equal(ae.conditionalDelete, 'not-supported');
  });
});
