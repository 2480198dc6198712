// Bad input always gets an OperationOutcome with the right status, never a stack trace or a 500.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

function expectOutcome(body: { resourceType?: string; issue?: unknown[] }): void {
  expect(body.resourceType).to.equal('OperationOutcome');
  expect(body.issue).to.be.an('array').that.is.not.empty;
  expect(JSON.stringify(body)).to.not.match(/at \S+ \(|node_modules|\.ts:\d+/);
}

describe('http: errors and content negotiation', () => {
  let env: TestEnvelope;
  let admin: string;
  before(async () => {
    env = await startEnvelope({ BODY_LIMIT: '20kb' });
    admin = await env.auth('estate-admin');
  });
  after(() => env.stop());

  it('malformed JSON is 400', async () => {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json').send('{"resourceType": "Organization",').expect(400);
    expectOutcome(res.body);
  });

  it('invalid UTF-8 is 400', async () => {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json').send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])).expect(400);
    expectOutcome(res.body);
  });

  it('deeply nested JSON is a 400 or a 422, never a crash', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json').send(`{"resourceType":"Organization","alias":${deep}}`);
    expect([400, 422]).to.include(res.status);
    expectOutcome(res.body);
  });

  it('a resourceType that does not match the URL is 400; a non-object body is 400', async () => {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin).send({ resourceType: 'Location' }).expect(400);
    expect(res.body.issue[0].expression).to.deep.equal(['Organization.resourceType']);
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).set('Content-Type', 'application/fhir+json').send('[1,2]').expect(400);
    await request(env.app).post('/fhir/Organization').set('Authorization', admin).set('Content-Type', 'application/fhir+json').send('"x"').expect(400);
  });

  it('an unknown element is 422 with expression naming it, and nothing is stored', async () => {
    const before = await request(env.app).get('/fhir/Organization/_history').set('Authorization', admin).expect(200);
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .send({ resourceType: 'Organization', name: 'X', colour: 'red' }).expect(422);
    expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0])).to.include('Organization.colour');
    const after = await request(env.app).get('/fhir/Organization/_history').set('Authorization', admin).expect(200);
    expect(after.body.total).to.equal(before.body.total);
  });

  it('a bad required-binding code is 422 naming the element', async () => {
    const pas = await env.auth('pas-system');
    const res = await request(env.app).post('/fhir/Schedule').set('Authorization', pas)
      .send({ resourceType: 'Schedule', actor: [{ reference: 'Location/x' }], active: 'yes' }).expect(422);
    expect(res.body.issue[0].expression[0]).to.equal('Schedule.active');
    const slot = await request(env.app).post('/fhir/Slot').set('Authorization', pas)
      .send({ resourceType: 'Slot', schedule: { reference: 'Schedule/x' }, status: 'vacant', start: '2030-01-01T09:00:00Z', end: '2030-01-01T09:15:00Z' }).expect(422);
    expect(slot.body.issue[0].expression[0]).to.equal('Slot.status');
  });

  it('a body over the limit is 413', async () => {
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Organization', name: 'x'.repeat(30_000) })).expect(413);
    expectOutcome(res.body);
  });

  it('formats other than FHIR JSON and XML are refused: 406 for a response, 415 for a body', async () => {
    const a = await request(env.app).get('/fhir/metadata').set('Accept', 'text/html').expect(406);
    expectOutcome(a.body);
    await request(env.app).get('/fhir/metadata?_format=yaml').expect(406);
    const b = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('Content-Type', 'text/plain').send('Organization').expect(415);
    expectOutcome(b.body);
  });

  it('application/json is accepted and echoed; _pretty indents', async () => {
    const res = await request(env.app).get('/fhir/metadata?_pretty=true').set('Accept', 'application/json').expect(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.text).to.contain('\n  "resourceType"');
  });

  it('an unsupported method is 405; an unknown route is 404; both are OperationOutcomes', async () => {
    const a = await request(env.app).delete('/fhir/metadata').set('Authorization', admin).expect(405);
    expectOutcome(a.body);
    const b = await request(env.app).get('/nowhere').expect(404);
    expectOutcome(b.body);
    const c = await request(env.app).get('/fhir/Organization/1/_history/1/extra').set('Authorization', admin).expect(404);
    expectOutcome(c.body);
  });

  it('every FHIR response has Cache-Control: no-store and an X-Request-ID (echoed when sent)', async () => {
    const a = await request(env.app).get('/fhir/metadata').set('X-Request-ID', 'abc-123').expect(200);
    expect(a.headers['x-request-id']).to.equal('abc-123');
    expect(a.headers['cache-control']).to.equal('no-store');
    const b = await request(env.app).get('/fhir/Organization/none').set('Authorization', admin).expect(404);
    expect(b.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    expect(b.headers['cache-control']).to.equal('no-store');
  });

  it('sets security headers from helmet', async () => {
    const res = await request(env.app).get('/fhir/metadata').expect(200);
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });
});

describe('http: authentication and roles', () => {
  let env: TestEnvelope;
  before(async () => {
    env = await startEnvelope();
  });
  after(() => env.stop());

  it('metadata needs no token; everything else does (401 with WWW-Authenticate)', async () => {
    await request(env.app).get('/fhir/metadata').expect(200);
    const res = await request(env.app).get('/fhir/Organization').expect(401);
    expectOutcome(res.body);
    expect(res.headers['www-authenticate']).to.match(/^Bearer/);
    await request(env.app).get('/fhir/Organization').set('Authorization', 'Bearer not.a.token').expect(401);
  });

  it('a token signed by another key is 401', async () => {
    const other = await startEnvelope();
    try {
      const foreign = await other.auth('estate-admin');
      await request(env.app).get('/fhir/Organization').set('Authorization', foreign).expect(401);
    } finally {
      await other.stop();
    }
  });

  it('a role without the grant gets 403 with an OperationOutcome, and nothing is written', async () => {
    const auditor = await env.auth('auditor');
    const res = await request(env.app).post('/fhir/Organization').set('Authorization', auditor)
      .send({ resourceType: 'Organization', name: 'Nope' }).expect(403);
    expectOutcome(res.body);
    const admin = await env.auth('estate-admin');
    const search = await request(env.app).get('/fhir/Organization?name=Nope').set('Authorization', admin).expect(200);
    expect(search.body.entry ?? []).to.have.length(0);
  });

  it('scopes narrow the role: a read-only scope cannot create', async () => {
    const readOnly = await env.auth('estate-admin', { scope: 'user/Organization.rs' });
    await request(env.app).post('/fhir/Organization').set('Authorization', readOnly)
      .send({ resourceType: 'Organization', name: 'Nope' }).expect(403);
    await request(env.app).get('/fhir/Organization').set('Authorization', readOnly).expect(200);
  });

  it('estate-admin may not read patient data', async () => {
    const admin = await env.auth('estate-admin');
    await request(env.app).get('/fhir/Patient').set('Authorization', admin).expect(403);
    await request(env.app).get('/fhir/Appointment/x').set('Authorization', admin).expect(403);
  });
});
