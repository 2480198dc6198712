// Conditional create, update, patch and delete.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const org = (code: string, name = code) => ({ resourceType: 'Organization', name, identifier: [{ system: ODS, value: code }] });

describe('http: conditional interactions', () => {
  let env: TestEnvelope;
  let admin: string;
  before(async () => {
    env = await startEnvelope();
    admin = await env.auth('estate-admin');
  });
  after(() => env.stop());

  it('If-None-Exist: creates when nothing matches, returns the existing one (200) when one does', async () => {
    const first = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('If-None-Exist', `identifier=${ODS}|A10001`).send(org('A10001')).expect(201);
    const again = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('If-None-Exist', `identifier=${ODS}|A10001`).send(org('A10001', 'renamed')).expect(200);
    expect(again.body.id).to.equal(first.body.id);
    expect(again.body.name).to.equal('A10001');
  });

  it('If-None-Exist: several matches is 412', async () => {
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).send(org('DUP1')).expect(201);
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).send(org('DUP1')).expect(201);
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('If-None-Exist', `identifier=${ODS}|DUP1`).send(org('DUP1')).expect(412);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('If-None-Exist: an unknown parameter is 400 rather than a widened match', async () => {
    await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('If-None-Exist', 'colour=blue').send(org('C1')).expect(400);
  });

  it('conditional update: creates on no match, updates the single match, 412 on several', async () => {
    const created = await request(env.app).put(`/fhir/Organization?identifier=${ODS}|U1`).set('Authorization', admin).send(org('U1')).expect(201);
    const updated = await request(env.app).put(`/fhir/Organization?identifier=${ODS}|U1`).set('Authorization', admin).send(org('U1', 'second')).expect(200);
    expect(updated.body.id).to.equal(created.body.id);
    expect(updated.body.meta.versionId).to.equal('2');
    await request(env.app).put(`/fhir/Organization?identifier=${ODS}|DUP1`).set('Authorization', admin).send(org('DUP1')).expect(412);
    await request(env.app).put(`/fhir/Organization?identifier=${ODS}|U1`).set('Authorization', admin)
      .send({ ...org('U1'), id: 'someone-else' }).expect(400);
  });

  it('conditional patch: patches the single match, 404 on none', async () => {
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).send(org('P1')).expect(201);
    const res = await request(env.app).patch(`/fhir/Organization?identifier=${ODS}|P1`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json').send(JSON.stringify([{ op: 'replace', path: '/name', value: 'patched' }])).expect(200);
    expect(res.body.name).to.equal('patched');
    await request(env.app).patch(`/fhir/Organization?identifier=${ODS}|NONE`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json').send(JSON.stringify([])).expect(404);
  });

  it('conditional delete: deletes the single match, 204 on none, 412 on several', async () => {
    const c = await request(env.app).post('/fhir/Organization').set('Authorization', admin).send(org('D1')).expect(201);
    await request(env.app).delete(`/fhir/Organization?identifier=${ODS}|D1`).set('Authorization', admin).expect(204);
    await request(env.app).get(`/fhir/Organization/${c.body.id}`).set('Authorization', admin).expect(410);
    await request(env.app).delete(`/fhir/Organization?identifier=${ODS}|D1`).set('Authorization', admin).expect(204);
    await request(env.app).delete(`/fhir/Organization?identifier=${ODS}|DUP1`).set('Authorization', admin).expect(412);
    await request(env.app).delete('/fhir/Organization').set('Authorization', admin).expect(400);
  });

  it('conditional delete by a role that may not delete is 403 whether or not anything matches', async () => {
    const gp = await env.auth('gp-clinician', { organization: 'A81001' });
    await request(env.app).delete(`/fhir/Organization?identifier=${ODS}|NO-SUCH`).set('Authorization', gp).expect(403);
    await request(env.app).delete(`/fhir/Organization?identifier=${ODS}|A10001`).set('Authorization', gp).expect(403);
  });

  it('concurrent conditional creates of the same identifier store exactly one resource', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      request(env.app).post('/fhir/Organization').set('Authorization', admin).set('If-None-Exist', `identifier=${ODS}|RACE`).send(org('RACE'))));
    expect(results.filter((r) => r.status === 201)).to.have.length(1);
    expect(results.every((r) => r.status === 201 || r.status === 200)).to.equal(true);
    const all = await request(env.app).get(`/fhir/Organization?identifier=${ODS}|RACE`).set('Authorization', admin).expect(200);
    expect(all.body.entry).to.have.length(1);
  });
});
