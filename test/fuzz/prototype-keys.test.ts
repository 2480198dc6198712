// Found by the fuzzer (seed 7, cases 24593, 32571, 50759): a media type that is the name of an
// Object.prototype property — `constructor`, `__proto__` — in Accept, _format or Content-Type was
// looked up as if it were a known format and the request failed with a 500. It is a client's
// mistake: a 406 or 415 with an OperationOutcome, like any other unsupported media type.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

describe('fuzz findings: Object.prototype names as media types', () => {
  let env: TestEnvelope;
  let token: string;
  before(async () => {
    env = await startEnvelope();
    token = await env.auth('estate-admin');
  });
  after(() => env.stop());

  const outcome = (res: request.Response, what: string) => {
    assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${res.text}`);
    assert.equal(res.body.resourceType, 'OperationOutcome', `${what}: ${res.text}`);
  };

  for (const name of ['constructor', '__proto__']) {
    it(`Accept: ${name} is a 4xx OperationOutcome`, async () => {
      outcome(await request(env.app).get('/fhir/Organization').set('Authorization', token).set('Accept', name), `Accept: ${name}`);
    });
    it(`_format=${name} is a 4xx OperationOutcome`, async () => {
      outcome(await request(env.app).get(`/fhir/Organization?_format=${name}`).set('Authorization', token), `_format=${name}`);
    });
    it(`Content-Type: ${name} is a 4xx OperationOutcome`, async () => {
      const res = await request(env.app).post('/fhir/Organization').set('Authorization', token).set('Content-Type', name)
        .send(Buffer.from(JSON.stringify({ resourceType: 'Organization', name: 'x' })));
      outcome(res, `Content-Type: ${name}`);
    });
  }
});
