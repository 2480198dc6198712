// history at instance, type and system level, with _since, _count and cursor paging.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

describe('http: history', () => {
  let env: TestEnvelope;
  let admin: string;
  let id: string;
  let midpoint: string;
  before(async () => {
    env = await startEnvelope();
    admin = await env.auth('estate-admin');
    const c = await request(env.app).post('/fhir/Location').set('Authorization', admin).send({ resourceType: 'Location', name: 'v1' }).expect(201);
    id = c.body.id;
    await new Promise((r) => setTimeout(r, 5));
    midpoint = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    for (const n of ['v2', 'v3', 'v4']) {
      await request(env.app).put(`/fhir/Location/${id}`).set('Authorization', admin).send({ resourceType: 'Location', id, name: n }).expect(200);
    }
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).send({ resourceType: 'Organization', name: 'o' }).expect(201);
  });
  after(() => env.stop());

  it('instance history is newest first with request/response details', async () => {
    const res = await request(env.app).get(`/fhir/Location/${id}/_history`).set('Authorization', admin).expect(200);
    expect(res.body.resourceType).to.equal('Bundle');
    expect(res.body.type).to.equal('history');
    expect(res.body.total).to.equal(4);
    expect(res.body.entry.map((e: { resource: { name: string } }) => e.resource.name)).to.deep.equal(['v4', 'v3', 'v2', 'v1']);
    expect(res.body.entry[0].response.etag).to.equal('W/"4"');
    expect(res.body.entry[3].request).to.deep.equal({ method: 'POST', url: 'Location' });
    expect(res.body.entry[0].request).to.deep.equal({ method: 'PUT', url: `Location/${id}` });
  });

  it('_since keeps versions at or after the instant', async () => {
    const res = await request(env.app).get(`/fhir/Location/${id}/_history?_since=${encodeURIComponent(midpoint)}`).set('Authorization', admin).expect(200);
    expect(res.body.entry.map((e: { resource: { name: string } }) => e.resource.name)).to.deep.equal(['v4', 'v3', 'v2']);
    await request(env.app).get(`/fhir/Location/${id}/_history?_since=yesterday`).set('Authorization', admin).expect(400);
  });

  it('_count pages with next links that walk every version exactly once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `/fhir/Location/${id}/_history?_count=3`;
    let pages = 0;
    while (url) {
      const res: request.Response = await request(env.app).get(url).set('Authorization', admin).expect(200);
      seen.push(...res.body.entry.map((e: { resource: { name: string } }) => e.resource.name));
      const next: { url: string } | undefined = res.body.link.find((l: { relation: string }) => l.relation === 'next');
      url = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
      pages++;
    }
    expect(pages).to.equal(2);
    expect(seen).to.deep.equal(['v4', 'v3', 'v2', 'v1']);
  });

  it('type history covers only that type; history of an unknown resource is 404', async () => {
    const res = await request(env.app).get('/fhir/Location/_history').set('Authorization', admin).expect(200);
    expect(res.body.entry.every((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Location')).to.equal(true);
    expect(res.body.total).to.equal(4);
    await request(env.app).get('/fhir/Location/unknown/_history').set('Authorization', admin).expect(404);
  });

  it('system history needs history on every type served (deny by default)', async () => {
    const res = await request(env.app).get('/fhir/_history').set('Authorization', admin).expect(403);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });
});
