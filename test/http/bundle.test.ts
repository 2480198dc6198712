// batch and transaction Bundles.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelopeWithRoles, type TestEnvelope } from '../helpers/envelope.js';

describe('http: batch and transaction', () => {
  let env: TestEnvelope;
  let pas: string;
  before(async () => {
    // Bundle mechanics, not policy: a role that may write schedules and slots of any organisation.
    env = await startEnvelopeWithRoles({ 'schedule-loader': { resources: ['Schedule', 'Slot', 'Location'], permissions: 'cruds' } });
    pas = await env.auth('schedule-loader');
  });
  after(() => env.stop());

  const schedule = (extra: Record<string, unknown> = {}) => ({ resourceType: 'Schedule', active: true, actor: [{ reference: 'Location/loc-1' }], ...extra });
  const slot = (scheduleRef: string, start: string) => ({
    resourceType: 'Slot', schedule: { reference: scheduleRef }, status: 'free', start, end: start.replace(':00:00', ':15:00'),
  });

  it('transaction: creates with urn:uuid references rewritten to the assigned ids', async () => {
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-1111-1111-111111111111', resource: slot('urn:uuid:22222222-2222-2222-2222-222222222222', '2030-01-01T09:00:00Z'), request: { method: 'POST', url: 'Slot' } },
        { fullUrl: 'urn:uuid:22222222-2222-2222-2222-222222222222', resource: schedule(), request: { method: 'POST', url: 'Schedule' } },
      ],
    }).expect(200);
    expect(res.body.type).to.equal('transaction-response');
    expect(res.body.entry).to.have.length(2);
    expect(res.body.entry[0].response.status).to.equal('201');
    const scheduleLocation: string = res.body.entry[1].response.location;
    expect(scheduleLocation).to.match(/^Schedule\/[^/]+\/_history\/1$/);
    const slotRes = res.body.entry[0].resource;
    expect(slotRes.schedule.reference).to.equal(scheduleLocation.replace(/\/_history\/1$/, ''));
    const read = await request(env.app).get(`/fhir/${slotRes.resourceType}/${slotRes.id}`).set('Authorization', pas).expect(200);
    expect(read.body.schedule.reference).to.equal(scheduleLocation.replace(/\/_history\/1$/, ''));
  });

  it('transaction: any failure rolls back every entry', async () => {
    const before = await request(env.app).get('/fhir/Schedule/_history').set('Authorization', pas).expect(200);
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: schedule(), request: { method: 'POST', url: 'Schedule' } },
        { resource: schedule({ colour: 'blue' }), request: { method: 'POST', url: 'Schedule' } },
      ],
    }).expect(422);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(res.body.issue[0].diagnostics).to.match(/^Bundle\.entry\[1\]/);
    expect(res.body.issue[0].expression[0]).to.match(/^Bundle\.entry\[1\]/);
    const after = await request(env.app).get('/fhir/Schedule/_history').set('Authorization', pas).expect(200);
    expect(after.body.total).to.equal(before.body.total);
  });

  it('transaction: processes DELETE before POST before PUT before GET', async () => {
    const a = await request(env.app).post('/fhir/Schedule').set('Authorization', pas).send(schedule()).expect(201);
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { request: { method: 'GET', url: `Schedule/${a.body.id}` } },
        { resource: schedule({ id: 'tx-put-1', comment: 'put' }), request: { method: 'PUT', url: 'Schedule/tx-put-1' } },
        { request: { method: 'DELETE', url: `Schedule/${a.body.id}` } },
      ],
    });
    // The GET runs last, after the DELETE, so the whole transaction fails with 410 and rolls back.
    expect(res.status).to.equal(410);
    await request(env.app).get(`/fhir/Schedule/${a.body.id}`).set('Authorization', pas).expect(200);
    await request(env.app).get('/fhir/Schedule/tx-put-1').set('Authorization', pas).expect(404);
  });

  it('transaction: conditional create by ifNoneExist reuses the existing resource and its id in references', async () => {
    await request(env.app).post('/fhir/Schedule').set('Authorization', pas)
      .send(schedule({ identifier: [{ system: 'urn:pas', value: 'S-42' }] })).expect(201);
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:33333333-3333-3333-3333-333333333333', resource: schedule({ identifier: [{ system: 'urn:pas', value: 'S-42' }] }),
          request: { method: 'POST', url: 'Schedule', ifNoneExist: 'identifier=urn:pas|S-42' } },
        { resource: slot('urn:uuid:33333333-3333-3333-3333-333333333333', '2030-02-01T09:00:00Z'), request: { method: 'POST', url: 'Slot' } },
      ],
    }).expect(200);
    expect(res.body.entry[0].response.status).to.equal('200');
    const existingId = res.body.entry[0].resource.id;
    expect(res.body.entry[1].resource.schedule.reference).to.equal(`Schedule/${existingId}`);
    const all = await request(env.app).get('/fhir/Schedule?identifier=urn:pas|S-42').set('Authorization', pas).expect(200);
    expect(all.body.entry).to.have.length(1);
  });

  it('transaction: two entries changing the same resource are refused', async () => {
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: schedule({ id: 'dup' }), request: { method: 'PUT', url: 'Schedule/dup' } },
        { request: { method: 'DELETE', url: 'Schedule/dup' } },
      ],
    }).expect(422);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('batch: entries succeed or fail independently, each with its own status', async () => {
    const res = await request(env.app).post('/fhir').set('Authorization', pas).send({
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: schedule(), request: { method: 'POST', url: 'Schedule' } },
        { request: { method: 'GET', url: 'Schedule/does-not-exist' } },
        { resource: { resourceType: 'Organization', name: 'x' }, request: { method: 'POST', url: 'Organization' } },
      ],
    }).expect(200);
    expect(res.body.type).to.equal('batch-response');
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).to.deep.equal(['201', '404', '403']);
    expect(res.body.entry[1].response.outcome.resourceType).to.equal('OperationOutcome');
  });

  it('a Bundle of another type, or a malformed entry, is refused', async () => {
    await request(env.app).post('/fhir').set('Authorization', pas).send({ resourceType: 'Bundle', type: 'collection' }).expect(422);
    await request(env.app).post('/fhir').set('Authorization', pas).send({ resourceType: 'Patient' }).expect(400);
    const res = await request(env.app).post('/fhir').set('Authorization', pas)
      .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'FETCH', url: 'Slot' } }] }).expect(422);
    expect(res.body.issue[0].expression).to.deep.equal(['Bundle.entry[0].request.method']);
  });
});
