// Reading a break-glass assertion off a request: the Category header forms FHIR uses, the token's
// purpose of use, and the reason that must come with it.
import assert from 'node:assert/strict';
import { FhirError } from '../../src/domain/errors.js';
import type { Principal } from '../../src/domain/principal.js';
import { assertsBreakGlass, breakGlassOf } from '../../src/fhir/break-glass-request.js';

const principal = (purposeOfUse?: string): Principal => ({ sub: 's', authMethod: 'jwt', role: 'consultant', scopes: [], ...(purposeOfUse ? { purposeOfUse } : {}) });
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

describe('fhir/break-glass-request', () => {
  it('recognises BTG in the Category header forms and in the token purpose of use', () => {
    for (const category of [`BTG; scheme="${ACT}"`, `BTG; scheme="${ACT}"; label="Break the glass"`, `${ACT}#BTG`, `${ACT}|BTG`, `other; scheme="urn:x", BTG; scheme="${ACT}"`]) {
      assert.equal(assertsBreakGlass({ headers: { category }, principal: principal() }), true, category);
    }
    assert.equal(assertsBreakGlass({ headers: {}, principal: principal('BTG') }), true);
  });

  it('ignores BTG from another scheme, other purposes, and no header', () => {
    for (const category of ['BTG', 'BTG; scheme="urn:other"', `${ACT}#ETREAT`, `ETREAT; scheme="${ACT}"`, `http://example.org/v3-ActReason#BTG`]) {
      assert.equal(assertsBreakGlass({ headers: { category }, principal: principal() }), false, category);
    }
    assert.equal(assertsBreakGlass({ headers: {}, principal: principal('TREAT') }), false);
  });

  it('needs a reason, of bounded length, named in the error', () => {
    const req = (reason?: string) => ({ headers: { category: `${ACT}#BTG`, ...(reason !== undefined ? { 'x-break-glass-reason': reason } : {}) }, principal: principal() });
    for (const reason of [undefined, '', '   ', 'x'.repeat(1001)]) {
      assert.throws(() => breakGlassOf(req(reason)), (e: unknown) => e instanceof FhirError && e.status === 400 && e.issues[0]!.expression![0] === 'X-Break-Glass-Reason');
    }
    assert.deepEqual(breakGlassOf(req('  Collapsed in clinic ')), { reason: 'Collapsed in clinic' });
    assert.equal(breakGlassOf({ headers: {}, principal: principal() }), undefined);
  });
});
