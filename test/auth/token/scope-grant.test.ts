// The scope decision: requested ∩ registered ∩ role grants, where asking for more is refused.
import assert from 'node:assert/strict';
import type { Scope } from '../../../src/domain/principal.js';
import { OAuthError } from '../../../src/auth/token/oauth-error.js';
import { covers, grantScopes, intersectScopes, parseSystemScope } from '../../../src/auth/token/scope-grant.js';

const scopes = (s: string): Scope[] => s.split(' ').map((t) => {
  const p = parseSystemScope(t);
  assert.ok(p, t);
  return p;
});

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof OAuthError && e.code === 'invalid_scope' && e.status === 400 && message.test(e.description));
}

describe('auth/token: scope grant', () => {
  const role = scopes('system/Slot.rs system/Schedule.cruds system/Appointment.crus');
  const limits = { allowed: scopes('system/*.rs system/Schedule.cruds'), role, roleName: 'pas-system' };

  it('intersects per type and letter; a * scope meets each of the other side\'s types', () => {
    assert.deepEqual(intersectScopes(limits.allowed, role), ['system/Appointment.rs', 'system/Schedule.cruds', 'system/Slot.rs']);
    assert.deepEqual(intersectScopes(scopes('system/*.rs'), scopes('system/*.r system/Slot.s')), ['system/*.r', 'system/Slot.rs']);
    assert.deepEqual(intersectScopes(scopes('system/Slot.c'), role), []);
  });

  it('covers: a wildcard request is covered only by a wildcard', () => {
    assert.ok(covers(scopes('system/*.rs'), scopes('system/Slot.r')[0]!));
    assert.ok(!covers(scopes('system/Slot.rs system/Schedule.rs'), scopes('system/*.r')[0]!));
    assert.ok(!covers(scopes('system/Slot.r'), scopes('system/Slot.rs')[0]!));
  });

  it('without a request, grants the registered scopes cut to the role', () => {
    assert.deepEqual(grantScopes(undefined, limits), ['system/Appointment.rs', 'system/Schedule.cruds', 'system/Slot.rs']);
    assert.deepEqual(grantScopes('  ', limits), grantScopes(undefined, limits));
    refused(() => grantScopes(undefined, { ...limits, allowed: scopes('system/Patient.rs') }), /grant nothing that role 'pas-system' permits/);
  });

  it('grants a covered request exactly, merged and in v2 form', () => {
    assert.deepEqual(grantScopes('system/Slot.read system/Schedule.c system/Schedule.d', limits), ['system/Schedule.cd', 'system/Slot.rs']);
  });

  it('refuses rather than trims a request beyond the registration or the role', () => {
    refused(() => grantScopes('system/Slot.r system/Slot.c', limits), /'system\/Slot.c' is beyond the scopes registered/);
    refused(() => grantScopes('system/Appointment.d', { ...limits, allowed: scopes('system/Appointment.cruds') }), /beyond what role 'pas-system' grants/);
    refused(() => grantScopes('system/Patient.r', limits), /beyond what role/);
  });

  it('refuses scopes it does not grant, naming them printably', () => {
    for (const s of ['user/Slot.rs', 'patient/Slot.rs', 'openid', 'launch', 'system/Slot.rs?status=free', 'system/Slot.x', 'system/slot.rs']) {
      refused(() => grantScopes(s, limits), /is not a system\/ SMART scope/);
    }
    refused(() => grantScopes('bad\u0000"\\scope', limits), /'bad\?\?\?scope'/);
    refused(() => grantScopes('system/Slot.r '.repeat(400), limits), /too long/);
  });
});
