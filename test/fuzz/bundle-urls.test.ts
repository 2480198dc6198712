// Found by the long fuzz run (seed 13, cases 55990 and 70279): a Bundle entry whose request.url has
// a malformed percent-escape in its path ("%%", "Organization/%E0%A4%A") makes the whole request
// fail with a 500 (decodeURIComponent throws URIError). It is the client's mistake, and only that
// entry's: a batch answers with a batch-response whose entry failed with a 4xx, a transaction with
// a 4xx OperationOutcome naming the entry.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

describe('fuzz findings: malformed percent-escapes in Bundle entry URLs', () => {
  let env: TestEnvelope;
  let token: string;
  before(async () => {
    env = await startEnvelope();
    token = await env.auth('estate-admin');
  });
  after(() => env.stop());

  const post = (type: string, method: string, url: string) => request(env.app).post('/fhir').set('Authorization', token)
    .set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Bundle', type, entry: [{ request: { method, url } }] }));

  for (const [method, url] of [['GET', '%%'], ['DELETE', '%%'], ['GET', 'Organization/%E0%A4%A']]) {
    it(`batch, ${method} ${url}: the entry fails with a 4xx, the batch is answered`, async () => {
      const res = await post('batch', method, url);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.type, 'batch-response');
      assert.match(String(res.body.entry?.[0]?.response?.status), /^4\d\d/, res.text);
    });
    it(`transaction, ${method} ${url}: a 4xx OperationOutcome`, async () => {
      const res = await post('transaction', method, url);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text}`);
      assert.equal(res.body.resourceType, 'OperationOutcome');
    });
  }
});
