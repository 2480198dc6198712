// Requests that Node's HTTP layer refuses before the application sees them — a header section over
// its 16 KiB limit, bytes HTTP does not allow in the request line or a header, an unknown method, a
// bad Transfer-Encoding, conflicting Content-Lengths, an Expect it does not meet. They are sent to
// the real server process (node dist/src/main.js, as operators run it), and, like every other
// answer, each must be an error with an OperationOutcome body, and the server must stay up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from '../faults/child-server.js';
import { RawConnection, type RawRequest, type RawResponse } from './raw-http.js';

const CASES: [string, RawRequest][] = [
  ['a header section over 16 KiB', { method: 'GET', target: '/fhir/Patient', headers: [['X-Big', 'x'.repeat(20 * 1024)]] }],
  ['a byte above 0x7f in the request target', { method: 'GET', target: '/fhir/Patient/\u00e9\u00ff', headers: [] }],
  ['a control character in a header value', { method: 'GET', target: '/fhir/Patient', headers: [['X-Junk', 'a\u0001b']] }],
  ['an unknown method', { method: 'FOO', target: '/fhir/Patient', headers: [] }],
  ['an unknown Transfer-Encoding', { method: 'POST', target: '/fhir/Patient', headers: [['Transfer-Encoding', 'x'], ['Content-Type', 'application/fhir+json']], body: Buffer.from('{}') }],
  ['two different Content-Lengths', { method: 'POST', target: '/fhir/Patient', headers: [['Content-Length', '1'], ['Content-Type', 'application/fhir+json']], body: Buffer.from('{}') }],
  ['an Expect the server does not meet', { method: 'GET', target: '/fhir/Patient', headers: [['Expect', 'x']] }],
];

describe('fuzz: requests refused by the HTTP parser still get an OperationOutcome (real server process)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'envelope-parser-'));
  let server: ChildServer;
  before(async () => {
    server = await startChildServer(dataDir);
  });
  after(async () => {
    await server?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [what, req] of CASES) {
    it(`${what}: a 4xx OperationOutcome`, async () => {
      const { port } = new URL(server.base);
      const conn = new RawConnection('127.0.0.1', Number(port), 10_000);
      let res: RawResponse;
      try {
        res = await conn.send(req);
      } finally {
        conn.close();
      }
      const text = res.body.toString('utf8');
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${text}`);
      assert.match(res.headers['content-type'] ?? '', /json/, `${res.status} with content-type ${JSON.stringify(res.headers['content-type'])} and body ${JSON.stringify(text)}`);
      const body = JSON.parse(text) as { resourceType?: string; issue?: unknown[] };
      assert.equal(body.resourceType, 'OperationOutcome', text);
      assert.ok(Array.isArray(body.issue) && body.issue.length > 0, text);
    });
  }

  it('is still up after all of them', async () => {
    const res = await fetch(`${server.base}/fhir/metadata`);
    assert.equal(res.status, 200);
  });
});
