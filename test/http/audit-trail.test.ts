// The audit trail over HTTP: every interaction — answered, refused, unauthenticated — leaves an
// AuditEvent before its response; when the trail cannot write, nothing is disclosed (503); the chain
// verifies; a patient sees who accessed their record without the staff's identities; repeated
// refusals alert the privacy officers.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { verifyChain } from '../../src/audit/verify.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const WINDOW = 'date=ge2020-01-01&date=le2040-01-01';
const WORLD = [
  { resourceType: 'Organization', id: 'practice', name: 'Practice', identifier: [{ system: ODS, value: 'A81001' }] },
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Confidential-Surname' }], generalPractitioner: [{ reference: 'Organization/practice' }] },
] as unknown as Resource[];

describe('http: the audit trail records every interaction', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let failing = false;
  let gp: string;
  let auditor: string;

  before(async () => {
    // The real SQLite store, whose transactions (the audit log's only way to write) can be made to fail.
    env = await startEnvelope({}, {
      openStore: async (indexer) => {
        const store = await openSqliteStore({ file: ':memory:', indexer });
        return new Proxy(store, {
          get(target, prop, receiver) {
            if (prop === 'transaction' && failing) return () => Promise.reject(new Error('disk full'));
            const v = Reflect.get(target, prop, receiver);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }) as Store;
      },
    });
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
    gp = await env.auth('gp-clinician', { sub: 'dr-jones-4711', organization: 'A81001' });
    auditor = await env.auth('auditor', { sub: 'aud-1', organization: 'RR8' });
  });
  after(() => env.stop());

  const eventsFor = async (requestId: string): Promise<Json[]> => {
    const res = await request(env.app).get(`/fhir/AuditEvent?${WINDOW}&_count=1000`).set('Authorization', auditor).expect(200);
    return (res.body.entry ?? []).map((e: Json) => e.resource).filter((r: Json) => JSON.stringify(r).includes(requestId));
  };

  it('a read is recorded with who, what, which patient and the request id, before the response', async () => {
    const res = await request(env.app).get('/fhir/Patient/ann').set('Authorization', gp).set('X-Request-ID', 'req-read-1').expect(200);
    assert.equal(res.headers['x-request-id'], 'req-read-1');
    const [event, ...more] = await eventsFor('req-read-1');
    assert.equal(more.length, 0);
    assert.equal(event!.subtype[0].code, 'read');
    assert.equal(event!.action, 'R');
    assert.equal(event!.outcome, '0');
    const json = JSON.stringify(event);
    assert.ok(json.includes('dr-jones-4711') && json.includes('Patient/ann') && json.includes('A81001'), json);
  });

  it('refusals and unauthenticated requests are recorded too', async () => {
    await request(env.app).get('/fhir/Patient/ann').set('Authorization', await env.auth('gp-clinician', { sub: 'dr-other', organization: 'B82002' }))
      .set('X-Request-ID', 'req-refused-1').expect(403);
    const [refused] = await eventsFor('req-refused-1');
    assert.equal(refused!.outcome, '4');
    assert.ok(JSON.stringify(refused).includes('dr-other'));
    await request(env.app).get('/fhir/Patient/ann').set('X-Request-ID', 'req-anon-1').expect(401);
    const [anonymous] = await eventsFor('req-anon-1');
    assert.equal(anonymous!.outcome, '4');
  });

  it('when the trail cannot write, the answer is 503 and discloses nothing', async () => {
    failing = true;
    try {
      const res = await request(env.app).get('/fhir/Patient/ann').set('Authorization', gp).expect(503);
      assert.ok(!JSON.stringify(res.body).includes('Confidential-Surname'));
      assert.equal(res.headers['retry-after'], '1', 'a client may try again in a moment');
      const search = await request(env.app).get('/fhir/Patient?family=confidential').set('Authorization', gp).expect(503);
      assert.ok(!JSON.stringify(search.body).includes('Confidential-Surname'));
    } finally {
      failing = false;
    }
    await request(env.app).get('/fhir/Patient/ann').set('Authorization', gp).expect(200);
  });

  it('the chain of everything recorded verifies', async () => {
    const result = await verifyChain(env.store);
    assert.ok(result.ok, JSON.stringify(result));
  });

  it('a patient sees who accessed their record: organisation and role, not the staff member', async () => {
    const me = await env.auth('patient', { sub: 'ann-login', fhirUser: 'Patient/ann' });
    const res = await request(env.app).get('/fhir/AuditEvent?patient=Patient/ann').set('Authorization', me).expect(200);
    const events = (res.body.entry ?? []).map((e: Json) => e.resource);
    assert.ok(events.length >= 1);
    const json = JSON.stringify(events);
    assert.ok(json.includes('A81001'), 'the organisation is shown');
    for (const secret of ['dr-jones-4711', 'req-read-1', 'dr-other']) assert.ok(!json.includes(secret), `${secret} is hidden`);
    // Nobody else's trail: another patient's record is not theirs to list.
    const other = await env.auth('patient', { sub: 'bob-login', fhirUser: 'Patient/bob' });
    const none = await request(env.app).get('/fhir/AuditEvent?patient=Patient/ann').set('Authorization', other).expect(200);
    assert.equal((none.body.entry ?? []).length, 0);
  });

  it('repeated refusals of one principal raise one alert for the privacy officers', async () => {
    const prowler = await env.auth('gp-clinician', { sub: 'prowler', organization: 'C83003' });
    for (let i = 0; i < 12; i++) await request(env.app).get(`/fhir/Patient/p${i}`).set('Authorization', prowler).expect(403);
    const officer = await env.auth('privacy-officer', { sub: 'po', organization: 'RR8' });
    const res = await request(env.app).get(`/fhir/AuditEvent?type=https://envelope.example/fhir/CodeSystem/audit-event|alert&${WINDOW}`).set('Authorization', officer).expect(200);
    const alerts = (res.body.entry ?? []).map((e: Json) => e.resource).filter((r: Json) => r.subtype?.some((c: Json) => c.code === 'repeated-refusals'));
    assert.equal(alerts.length, 1);
    assert.ok(JSON.stringify(alerts[0]).includes('prowler'));
  });
});
