// read, vread, create, update, patch, delete over HTTP, with their version headers.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

const org = (name: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Organization', name, active: true, ...extra });

describe('http: CRUD interactions', () => {
  let env: TestEnvelope;
  let admin: string;
  before(async () => {
    env = await startEnvelope();
    admin = await env.auth('estate-admin');
  });
  after(() => env.stop());

  async function createOrg(name: string) {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin).send(org(name)).expect(201);
    return res;
  }

  it('create assigns an id, version 1, lastUpdated, and answers 201 with Location, ETag, Last-Modified', async () => {
    const res = await request(env.app)
      .post('/fhir/Organization')
      .set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(org('Leeds GP', { id: 'client-chosen' })))
      .expect(201);
    expect(res.body.id).to.be.a('string').and.not.equal('client-chosen');
    expect(res.body.meta.versionId).to.equal('1');
    expect(res.body.meta.lastUpdated).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(res.headers.etag).to.equal('W/"1"');
    expect(res.headers.location).to.match(new RegExp(`/fhir/Organization/${res.body.id}/_history/1$`));
    expect(res.headers['last-modified']).to.equal(new Date(res.body.meta.lastUpdated).toUTCString());
    expect(res.headers['content-type']).to.match(/^application\/fhir\+json/);
  });

  it('ignores client-supplied versionId and lastUpdated', async () => {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .send(org('Meta', { meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z', tag: [{ system: 'urn:t', code: 'x' }] } }))
      .expect(201);
    expect(res.body.meta.versionId).to.equal('1');
    expect(res.body.meta.lastUpdated).to.not.equal('2000-01-01T00:00:00Z');
    expect(res.body.meta.tag).to.deep.equal([{ system: 'urn:t', code: 'x' }]);
  });

  it('read returns the current version with ETag; vread returns each version', async () => {
    const created = await createOrg('Versions');
    const id = created.body.id as string;
    const upd = await request(env.app).put(`/fhir/Organization/${id}`).set('Authorization', admin)
      .send(org('Versions renamed', { id })).expect(200);
    expect(upd.body.meta.versionId).to.equal('2');
    expect(upd.headers.location).to.match(new RegExp(`/Organization/${id}/_history/2$`));
    const read = await request(env.app).get(`/fhir/Organization/${id}`).set('Authorization', admin).expect(200);
    expect(read.body.name).to.equal('Versions renamed');
    expect(read.headers.etag).to.equal('W/"2"');
    const v1 = await request(env.app).get(`/fhir/Organization/${id}/_history/1`).set('Authorization', admin).expect(200);
    expect(v1.body.name).to.equal('Versions');
    expect(v1.body.meta.versionId).to.equal('1');
    await request(env.app).get(`/fhir/Organization/${id}/_history/7`).set('Authorization', admin).expect(404);
  });

  it('update-as-create with a client-chosen id answers 201', async () => {
    const res = await request(env.app).put('/fhir/Organization/chosen-id-1').set('Authorization', admin)
      .send(org('Chosen', { id: 'chosen-id-1' })).expect(201);
    expect(res.body.id).to.equal('chosen-id-1');
    expect(res.body.meta.versionId).to.equal('1');
  });

  it('update refuses a body id that differs from the URL (400) and a missing id (400)', async () => {
    const res = await request(env.app).put('/fhir/Organization/a1').set('Authorization', admin).send(org('X', { id: 'b2' })).expect(400);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(res.body.issue[0].expression).to.deep.equal(['Organization.id']);
    await request(env.app).put('/fhir/Organization/a1').set('Authorization', admin).send(org('X')).expect(400);
  });

  it('If-Match: the right version updates, a stale one is 412 and nothing changes', async () => {
    const { body } = await createOrg('Guarded');
    await request(env.app).put(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-Match', 'W/"1"')
      .send(org('Guarded 2', { id: body.id })).expect(200);
    const stale = await request(env.app).put(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-Match', 'W/"1"')
      .send(org('Guarded lost', { id: body.id })).expect(412);
    expect(stale.body.resourceType).to.equal('OperationOutcome');
    const read = await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).expect(200);
    expect(read.body.name).to.equal('Guarded 2');
  });

  it('a malformed If-Match is 400 naming the header', async () => {
    const { body } = await createOrg('BadEtag');
    const res = await request(env.app).put(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-Match', 'banana')
      .send(org('x', { id: body.id })).expect(400);
    expect(res.body.issue[0].expression).to.deep.equal(['If-Match']);
  });

  it('delete is logical: 204, read is 410, history keeps every version, update revives', async () => {
    const { body } = await createOrg('Doomed');
    const del = await request(env.app).delete(`/fhir/Organization/${body.id}`).set('Authorization', admin).expect(204);
    expect(del.headers.etag).to.equal('W/"2"');
    const gone = await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).expect(410);
    expect(gone.body.resourceType).to.equal('OperationOutcome');
    await request(env.app).delete(`/fhir/Organization/${body.id}`).set('Authorization', admin).expect(204);
    const hist = await request(env.app).get(`/fhir/Organization/${body.id}/_history`).set('Authorization', admin).expect(200);
    expect(hist.body.entry.map((e: { request: { method: string } }) => e.request.method)).to.deep.equal(['DELETE', 'POST']);
    const revived = await request(env.app).put(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .send(org('Back', { id: body.id })).expect(201);
    expect(revived.body.meta.versionId).to.equal('3');
  });

  it('read of an unknown id is 404, of an unknown type is 404, of a malformed id is 400', async () => {
    const a = await request(env.app).get('/fhir/Organization/nope').set('Authorization', admin).expect(404);
    expect(a.body.resourceType).to.equal('OperationOutcome');
    await request(env.app).get('/fhir/Banana/1').set('Authorization', admin).expect(404);
    await request(env.app).get('/fhir/Organization/bad%20id!').set('Authorization', admin).expect(400);
  });

  it('conditional read: If-None-Match and If-Modified-Since answer 304', async () => {
    const { body } = await createOrg('Cached');
    await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-None-Match', 'W/"1"').expect(304);
    await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-None-Match', 'W/"0"').expect(200);
    const later = new Date(Date.now() + 60_000).toUTCString();
    await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-Modified-Since', later).expect(304);
    await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).set('If-Modified-Since', 'Mon, 01 Jan 2001 00:00:00 GMT').expect(200);
  });

  it('Prefer: return=minimal sends no body; return=OperationOutcome sends an outcome', async () => {
    const min = await request(env.app).post('/fhir/Organization').set('Authorization', admin).set('Prefer', 'return=minimal')
      .send(org('Minimal')).expect(201);
    expect(min.text).to.equal('');
    expect(min.headers.location).to.match(/_history\/1$/);
    const oo = await request(env.app).post('/fhir/Organization').set('Authorization', admin).set('Prefer', 'return=OperationOutcome')
      .send(org('Outcome')).expect(201);
    expect(oo.body.resourceType).to.equal('OperationOutcome');
    expect(oo.body.issue[0].severity).to.equal('information');
  });

  it('patch applies a JSON Patch, honours If-Match, and validates the result', async () => {
    const { body } = await createOrg('Patchable');
    const ok = await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json').set('If-Match', 'W/"1"')
      .send(JSON.stringify([{ op: 'replace', path: '/name', value: 'Patched' }, { op: 'add', path: '/alias', value: ['P'] }]))
      .expect(200);
    expect(ok.body.name).to.equal('Patched');
    expect(ok.body.alias).to.deep.equal(['P']);
    expect(ok.body.meta.versionId).to.equal('2');
    await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json').set('If-Match', 'W/"1"')
      .send(JSON.stringify([{ op: 'replace', path: '/name', value: 'Stale' }])).expect(412);
    const bad = await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'add', path: '/colour', value: 'blue' }])).expect(422);
    expect(bad.body.issue[0].expression).to.deep.equal(['Organization.colour']);
    const failedTest = await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'test', path: '/name', value: 'Nope' }])).expect(422);
    expect(failedTest.body.issue[0].expression).to.deep.equal(['Patch[0]']);
    await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json').send(JSON.stringify({ op: 'nope' })).expect(400);
    await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify([])).expect(415);
    const read = await request(env.app).get(`/fhir/Organization/${body.id}`).set('Authorization', admin).expect(200);
    expect(read.body.meta.versionId).to.equal('2');
  });

  it('patch cannot change the id', async () => {
    const { body } = await createOrg('Sticky id');
    await request(env.app).patch(`/fhir/Organization/${body.id}`).set('Authorization', admin)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/id', value: 'other' }])).expect(400);
  });
});
