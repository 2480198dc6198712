// Found by the fuzzer (seed 7, between cases 30000 and 45000): a request whose parameter name is
// megabytes long — a form body sent to an operation, or a Parameters resource — is
// refused with an error that repeats the whole name, so the client gets megabytes back and the
// AuditEvent of the refusal stores them as outcomeDesc: a string over FHIR's 1 MB limit, i.e. an
// invalid resource in the audit trail. Refusals must not echo unbounded input, and the audit trail
// must hold only valid resources.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { scanStore } from './store-scan.js';

const HUGE = 2_000_000;
/** Far more than any useful diagnostic, far less than the input. */
const ECHO_LIMIT = 64 * 1024;

describe('fuzz findings: megabyte parameter names', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  before(async () => {
    env = await startEnvelope();
  });
  after(() => env.stop());

  const cases: [string, (gp: string) => request.Test][] = [
    ['a form body to $find', (gp) => request(env.app).post('/fhir/Appointment/$find').set('Authorization', gp)
      .set('Content-Type', 'application/x-www-form-urlencoded').send(`${'x'.repeat(HUGE)}=1`)],
    ['a Parameters resource to $hold', (gp) => request(env.app).post('/fhir/Slot/some-slot/$hold').set('Authorization', gp)
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'z'.repeat(HUGE), valueString: 'x' }] }))],
  ];

  for (const [what, send] of cases) {
    it(`${what}: a 4xx OperationOutcome that does not repeat megabytes of input`, async () => {
      const res = await send(await env.auth('gp-clinician', { organization: 'A81001' }));
      assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.ok(res.text.length < ECHO_LIMIT, `the answer is ${res.text.length} bytes`);
    });
  }

  it('the audit trail of those refusals holds only valid resources', async () => {
    const scan = await scanStore(env.store);
    assert.deepEqual(scan.problems.map((p) => p.slice(0, 200)), []);
  });
});
