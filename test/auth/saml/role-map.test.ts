// The role map: validated against the role policy at start-up (errors name the JSON path), first
// matching rule wins, and a profile no rule matches is not usable.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRoleMap, mapRole, nationalRoleOf, parseRoleMap } from '../../../src/auth/saml/role-map.js';
import { loadRolePolicy } from '../../../src/compose.js';

const ROLES = new Set(['gp-clinician', 'gp-admin', 'consultant', 'booking-clerk']);
const exists = (r: string) => ROLES.has(r);

describe('auth/saml/role-map', () => {
  it('the shipped policy/saml-roles.json is valid against the shipped role policy', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const policy = loadRolePolicy(`${root}policy/roles.json`);
    const map = loadRoleMap(`${root}policy/saml-roles.json`, (r) => policy.roles.has(r));
    assert.equal(mapRole(map, 'S8000:G8000:R8000', 'A81001'), 'gp-clinician');
    assert.equal(mapRole(map, 'S8000:G8000:R8000', 'RXX'), 'consultant');
    assert.equal(mapRole(map, 'S8001:G8004:R8010', 'RXX01'), 'booking-clerk');
    assert.equal(mapRole(map, 'S8001:G8004:R8010', 'A81001'), 'gp-admin');
    assert.equal(mapRole(map, 'S0001:G0001:R0001', 'ANY'), 'privacy-officer');
    assert.equal(mapRole(map, 'S8000:G8000:R9999', 'A81001'), undefined);
  });

  it('first match wins; the ODS pattern must match the whole code', () => {
    const map = parseRoleMap({
      format: 'envelope-saml-role-map/1',
      rules: [
        { nationalRole: 'R8000', odsCode: 'A81001', role: 'consultant' },
        { nationalRole: 'R8000', odsCode: '[A-Z][0-9]{5}', role: 'gp-clinician' },
        { nationalRole: 'R8000', role: 'booking-clerk' },
      ],
    }, exists);
    assert.equal(mapRole(map, 'R8000', 'A81001'), 'consultant');
    assert.equal(mapRole(map, 'R8000', 'B82002'), 'gp-clinician');
    assert.equal(mapRole(map, 'R8000', 'XB82002'), 'booking-clerk', 'a pattern is anchored at both ends');
  });

  it('reads the job-role code out of a national role code, and nothing from an ambiguous one', () => {
    assert.equal(nationalRoleOf('S8000:G8000:R8000'), 'R8000');
    assert.equal(nationalRoleOf('R8010'), 'R8010');
    assert.equal(nationalRoleOf('S8000:G8000'), undefined);
    assert.equal(nationalRoleOf('R8000:R8010'), undefined);
    assert.equal(nationalRoleOf('XR8000'), undefined);
  });

  const bad: [string, unknown, RegExp][] = [
    ['a non-object', [], /\(root\): must be a JSON object/],
    ['a wrong format', { format: 'x', rules: [] }, /format: must be "envelope-saml-role-map\/1"/],
    ['no rules', { format: 'envelope-saml-role-map/1', rules: [] }, /rules: must be a non-empty array/],
    ['an unknown key', { format: 'envelope-saml-role-map/1', rules: [{ nationalRole: 'R8000', role: 'consultant', colour: 1 }] }, /rules\[0\]: unknown key "colour"/],
    ['a bad national role', { format: 'envelope-saml-role-map/1', rules: [{ nationalRole: '8000', role: 'consultant' }] }, /rules\[0\]\.nationalRole/],
    ['an unknown Envelope role', { format: 'envelope-saml-role-map/1', rules: [{ nationalRole: 'R8000', role: 'consultant' }, { nationalRole: 'R8001', role: 'nurse' }] }, /rules\[1\]\.role: "nurse" is not a role/],
    ['a broken pattern', { format: 'envelope-saml-role-map/1', rules: [{ nationalRole: 'R8000', odsCode: '([', role: 'consultant' }] }, /rules\[0\]\.odsCode: .* is not a valid regular expression/],
  ];
  for (const [name, json, msg] of bad) {
    it(`refuses ${name}, naming the path`, () => assert.throws(() => parseRoleMap(json, exists), msg));
  }
});
