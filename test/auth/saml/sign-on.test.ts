// The decision after a verified assertion: who, which role profiles are usable at the strength the
// IdP actually used, and whether one of them acts from the start.
import assert from 'node:assert/strict';
import type { AssertionFacts } from '../../../src/auth/saml/assertion.js';
import { DEFAULT_ATTRIBUTE_NAMES, SMARTCARD_CONTEXTS } from '../../../src/auth/saml/config.js';
import { parseRoleMap } from '../../../src/auth/saml/role-map.js';
import { parseRoleProfiles } from '../../../src/auth/saml/role-profiles.js';
import { decideSignOn, type SignOnPolicy } from '../../../src/auth/saml/sign-on.js';

const SMARTCARD = SMARTCARD_CONTEXTS[1]!;
const PASSWORD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const gp = { person_roleid: 'p-1', org_code: 'A81001', role_code: 'S8000:G8000:R8000', role_name: 'Clinical' };
const clerk = { person_roleid: 'p-2', org_code: 'RXX', role_code: 'S8001:G8004:R8010', role_name: 'Clerical' };

const policy: SignOnPolicy = {
  attributes: { ...DEFAULT_ATTRIBUTE_NAMES, practitioner: 'practitioner', name: 'displayName' },
  strongAuthnContexts: SMARTCARD_CONTEXTS,
  roleMap: parseRoleMap({
    format: 'envelope-saml-role-map/1',
    rules: [{ nationalRole: 'R8000', role: 'gp-clinician' }, { nationalRole: 'R8010', role: 'booking-clerk' }],
  }, () => true),
  weakAllowed: (role) => role === 'booking-clerk',
};

function facts(attrs: Record<string, string[]>, authnContexts = [SMARTCARD]): AssertionFacts {
  return { id: '_a', issueInstant: new Date().toISOString(), notOnOrAfter: [], authnContexts, recipients: [], attributes: new Map(Object.entries(attrs)) };
}
const profiles = (...ps: object[]) => ps.map((p) => JSON.stringify(p));

describe('auth/saml/sign-on', () => {
  it('one usable profile at smartcard strength acts at once, with practitioner and name', () => {
    const d = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp), practitioner: ['dr-1'], displayName: ['Dr One'] }), policy);
    assert.ok(d.ok);
    assert.equal(d.user.selectedProfileId, 'p-1');
    assert.equal(d.user.fhirUser, 'Practitioner/dr-1');
    assert.equal(d.user.name, 'Dr One');
    assert.equal(d.user.strongAuthentication, true);
    assert.deepEqual(d.user.profiles.map((p) => p.role), ['gp-clinician']);
  });

  it('several profiles and none selected: no role yet; a selected one among them acts', () => {
    const none = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp, clerk) }), policy);
    assert.ok(none.ok);
    assert.equal(none.user.selectedProfileId, undefined);
    const chosen = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp, clerk), selected_roleid: ['p-2'] }), policy);
    assert.ok(chosen.ok);
    assert.equal(chosen.user.selectedProfileId, 'p-2');
  });

  it('a weak context keeps only roles allowed for it; none left is "too weak"', () => {
    const d = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp, clerk) }, [PASSWORD]), policy);
    assert.ok(d.ok);
    assert.deepEqual(d.user.profiles.map((p) => p.id), ['p-2']);
    assert.equal(d.user.selectedProfileId, 'p-2');
    assert.equal(d.user.strongAuthentication, false);
    const clinical = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp) }, [PASSWORD]), policy);
    assert.deepEqual(clinical, { ok: false, status: 401, reason: 'Authentication too weak for the user\'s roles: sign in with a smartcard' });
  });

  it('a weak context with the clinical profile selected at the IdP is refused, not switched to another role', () => {
    const d = decideSignOn(facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp, clerk), selected_roleid: ['p-1'] }, [PASSWORD]), policy);
    assert.equal(d.ok, false);
  });

  const refused: [string, AssertionFacts, number][] = [
    ['no user id', facts({ nhsid_nrbac_roles: profiles(gp) }), 401],
    ['two user ids', facts({ uid: ['a', 'b'], nhsid_nrbac_roles: profiles(gp) }), 401],
    ['a user id with spaces', facts({ uid: ['a b'], nhsid_nrbac_roles: profiles(gp) }), 401],
    ['no authentication statement', facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp) }, []), 401],
    ['two authentication statements (which strength?)', facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp) }, [SMARTCARD, PASSWORD]), 401],
    ['no role profiles', facts({ uid: ['u1'] }), 403],
    ['only unmapped or malformed profiles', facts({ uid: ['u1'], nhsid_nrbac_roles: ['not json', JSON.stringify({ ...gp, role_code: 'R9999' }), JSON.stringify({ person_roleid: 'x' })] }), 403],
    ['a practitioner attribute that is not an id', facts({ uid: ['u1'], nhsid_nrbac_roles: profiles(gp), practitioner: ['Patient/1'] }), 401],
  ];
  for (const [name, f, status] of refused) {
    it(`refuses ${name} (${status})`, () => {
      const d = decideSignOn(f, policy);
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.status, status);
    });
  }

  it('role profiles: malformed entries are dropped, arrays are flattened, duplicates keep the first', () => {
    const ps = parseRoleProfiles([
      JSON.stringify([gp, { ...gp, org_code: 'ZZZ' }]),
      '{"person_roleid":"p-3","org_code":"a82","role_code":"R8000"}',
      '{"person_roleid":"bad id!","org_code":"A1","role_code":"R8000"}',
      '{"person_roleid":"p-4","org_code":"A81001","role_code":"R8000; DROP"}',
      '[[]]', 'null',
    ]);
    assert.deepEqual(ps, [
      { id: 'p-1', orgCode: 'A81001', roleCode: 'S8000:G8000:R8000', roleName: 'Clinical' },
      { id: 'p-3', orgCode: 'A82', roleCode: 'R8000' },
    ]);
  });
});
