// The NHSD-End-User-* wrapper on its own: what the principal becomes, and when it refuses.
import assert from 'node:assert/strict';
import type { AuthRequest, CredentialScheme } from '../../../src/auth/authenticate.js';
import { withEndUserContext, type EndUserRights } from '../../../src/auth/end-user-context.js';
import { FhirError } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/principal.js';
import { parseScopes } from '../../../src/auth/scopes.js';

const system: Principal = {
  sub: 'gp-1', clientId: 'gp-1', authMethod: 'client-credentials', role: 'gp-system', organization: 'A81001',
  scopes: parseScopes('system/Patient.crus system/Slot.rs'), issuer: 'https://envelope.test', tokenId: 't-1',
};
const rights: EndUserRights = (id) => (id === 'gp-1' ? { roles: ['gp-clinician', 'gp-admin'] } : undefined);
/** A scheme that yields a fixed principal, standing for the verified bearer token. */
const yields = (p: Principal | undefined): CredentialScheme => async () => p;
const req = (headers: Record<string, string>): AuthRequest => ({ method: 'GET', headers: { authorization: 'Bearer x', ...headers } });

async function fails(p: Promise<unknown>, status: number, match: RegExp, expression?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FhirError);
    assert.equal(e.status, status);
    assert.match(e.message, match);
    if (expression) assert.deepEqual(e.issues[0]!.expression, [expression]);
    return true;
  });
}

describe('auth/end-user-context', () => {
  it('leaves the principal as it is without the headers', async () => {
    assert.deepEqual(await withEndUserContext(yields(system), rights)(req({})), system);
  });

  it('acts for the asserted end user: role and organisation replaced, recorded in endUser, scopes kept', async () => {
    const p = await withEndUserContext(yields(system), rights)(req({
      'nhsd-end-user-organisation-ods': 'b82005', 'nhsd-end-user-role': 'gp-clinician', 'nhsd-end-user-id': '555021935107',
    }));
    assert.ok(p);
    assert.equal(p.role, 'gp-clinician');
    assert.equal(p.organization, 'B82005');
    assert.deepEqual(p.endUser, { role: 'gp-clinician', organization: 'B82005', id: '555021935107' });
    assert.equal(p.scopes, system.scopes);
    assert.equal(p.clientId, 'gp-1');
    assert.equal(p.sub, 'gp-1');
    assert.equal(system.role, 'gp-system', 'the verified principal is not mutated');
  });

  it('keeps the client\'s organisation when only the role is asserted', async () => {
    const p = await withEndUserContext(yields(system), rights)(req({ 'nhsd-end-user-role': 'gp-admin' }));
    assert.equal(p?.organization, 'A81001');
    assert.deepEqual(p?.endUser, { role: 'gp-admin' });
  });

  it('refuses (403) clients without end-user rights, roles not listed, and principals that are not clients', async () => {
    const wrap = (p: Principal) => withEndUserContext(yields(p), rights);
    await fails(wrap(system)(req({ 'nhsd-end-user-role': 'booking-clerk' })), 403, /end-user role 'booking-clerk'/);
    await fails(wrap({ ...system, clientId: 'pas-1', sub: 'pas-1' })(req({ 'nhsd-end-user-role': 'gp-admin' })), 403, /not registered to act for an end user/);
    // A user token naming the client in its claims is still not a client-credentials token.
    await fails(wrap({ ...system, authMethod: 'jwt' })(req({ 'nhsd-end-user-role': 'gp-admin' })), 403, /not registered/);
    const { clientId: _omit, ...noClient } = system;
    await fails(wrap(noClient)(req({ 'nhsd-end-user-role': 'gp-admin' })), 403, /not registered/);
  });

  it('refuses malformed headers (400, naming the header)', async () => {
    const run = (h: Record<string, string>) => withEndUserContext(yields(system), rights)(req(h));
    await fails(run({ 'nhsd-end-user-organisation-ods': 'A8', 'nhsd-end-user-role': 'gp-admin' }), 400, /ODS code/, 'http.NHSD-End-User-Organisation-ODS');
    await fails(run({ 'nhsd-end-user-organisation-ods': 'A81001, B82005', 'nhsd-end-user-role': 'gp-admin' }), 400, /ODS/, 'http.NHSD-End-User-Organisation-ODS');
    await fails(run({ 'nhsd-end-user-id': 'u1' }), 400, /NHSD-End-User-Role is required/, 'http.NHSD-End-User-Role');
    await fails(run({ 'nhsd-end-user-role': '' }), 400, /role name/, 'http.NHSD-End-User-Role');
    await fails(run({ 'nhsd-end-user-role': 'gp-admin', 'nhsd-end-user-id': 'a\u0007b' }), 400, /printable/, 'http.NHSD-End-User-ID');
  });

  it('asks nothing when no credential was presented', async () => {
    assert.equal(await withEndUserContext(yields(undefined), rights)(req({ 'nhsd-end-user-role': 'gp-admin' })), undefined);
  });
});
