// The audit trail through the FHIR API: append-only (405 for every change, whoever asks), searched
// only within a date range, and described as such by the CapabilityStatement.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { verifyChain } from '../../src/audit/verify.js';
import { clientKey, makeAssertion, tokenForm, writeClientsFile } from '../auth/token/support.js';

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

  describe('appending AuditEvents from other systems', () => {
    const BASE = 'https://envelope.test';
    let sourceEnv: TestEnvelope;
    const tokenFor = async (id: string, key: Awaited<ReturnType<typeof clientKey>>) => {
      const res = await request(sourceEnv.app).post('/auth/token').type('form')
        .send(tokenForm(await makeAssertion(id, key, { aud: `${BASE}/auth/token` }), { scope: 'system/Slot.rs' })).expect(200);
      return `Bearer ${res.body.access_token}`;
    };
    const event = {
      resourceType: 'AuditEvent', type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100' },
      recorded: '2031-01-01T00:00:00Z', agent: [{ requestor: true, who: { display: 'PAS batch job' } }], source: { observer: { display: 'Trust PAS' } },
    };

    it('a registered audit source appends to the chain; another system and an auditor may not', async () => {
      const sourceKey = await clientKey('ES384');
      const otherKey = await clientKey('ES384');
      const file = writeClientsFile([
        { client_id: 'pas-audit', key: sourceKey, scope: 'system/Slot.rs', organization: 'RR8', role: 'pas-system', auditSource: true },
        { client_id: 'pas-plain', key: otherKey, scope: 'system/Slot.rs', organization: 'RR8', role: 'pas-system' },
      ]);
      sourceEnv = await startEnvelope({ AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE });
      try {
        const created = await request(sourceEnv.app).post('/fhir/AuditEvent').set('Authorization', await tokenFor('pas-audit', sourceKey)).send(event).expect(201);
        assert.match(created.body.id, /^\d{16}$/);
        assert.ok(JSON.stringify(created.body.extension).includes('audit-chain'));
        await request(sourceEnv.app).post('/fhir/AuditEvent').set('Authorization', await tokenFor('pas-plain', otherKey)).send(event).expect(403);
        await request(sourceEnv.app).post('/fhir/AuditEvent').set('Authorization', await sourceEnv.auth('auditor')).send(event).expect(403);
        // Not inside a transaction: the trail appends on its own.
        const tx = await request(sourceEnv.app).post('/fhir').set('Authorization', await tokenFor('pas-audit', sourceKey))
          .send({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: event, request: { method: 'POST', url: 'AuditEvent' } }] });
        assert.equal(tx.status, 400);
        // The grants themselves are in the trail (DICOM 110114 user authentication), refused ones too.
        await request(sourceEnv.app).post('/auth/token').type('form')
          .send(tokenForm(await makeAssertion('pas-audit', sourceKey, { aud: 'https://wrong.example/auth/token' }))).expect(401);
        const auditor = await sourceEnv.auth('auditor', { organization: 'RR8' });
        const trail = await request(sourceEnv.app).get('/fhir/AuditEvent?date=ge2020-01-01&date=le2040-01-01&_count=500').set('Authorization', auditor).expect(200);
        const grants = (trail.body.entry ?? []).map((e: { resource: Record<string, unknown> }) => e.resource)
          .filter((r: Record<string, unknown>) => JSON.stringify(r.type).includes('110114') && JSON.stringify(r).includes('pas-audit'));
        assert.ok(grants.some((g: Record<string, unknown>) => g.outcome === '0'), 'a successful grant is recorded');
        assert.ok((trail.body.entry ?? []).some((e: { resource: Record<string, unknown> }) => JSON.stringify(e.resource.type).includes('110114') && e.resource.outcome === '4'), 'a refused grant is recorded');
        const chain = await verifyChain(sourceEnv.store);
        assert.ok(chain.ok, JSON.stringify(chain));
      } finally {
        await sourceEnv.stop();
      }
    });
  });
});
