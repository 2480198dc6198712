import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { RolePolicyError, parseRolePolicy, roleClearance, roleMayBreakGlass, roleNames } from '../../src/policy/roles.js';

const minimal = (roles: unknown) => ({ format: 'envelope-role-policy/1', roles });
const role = (grants: unknown[]) => ({ description: 'd', grants });

describe('policy/roles parseRolePolicy', () => {
  it('parses a valid document, ignoring $-keys', () => {
    const p = parseRolePolicy({
      $schema: 'x', $comment: 'y', format: 'envelope-role-policy/1',
      roles: {
        $comment: 'z',
        'a-role': { $comment: 'c', description: 'A', grants: [{ resources: ['Slot', '*'], permissions: 'crs', note: 'n' }] },
        'b-role': { description: 'B', grants: [{ resources: ['Consent'], permissions: 'rs', when: ['own-patient', 'relationship'] }] },
      },
    });
    assert.deepEqual(roleNames(p), ['a-role', 'b-role']);
    const a = p.roles.get('a-role')!;
    assert.deepEqual(a.grants[0]!.resources, ['Slot', '*']);
    assert.deepEqual([...a.grants[0]!.permissions], ['c', 'r', 's']);
    assert.deepEqual(a.grants[0]!.when, []);
    assert.deepEqual(p.roles.get('b-role')!.grants[0]!.when, ['own-patient', 'relationship']);
  });

  it('reads clearance and break glass, defaulting to none', () => {
    const p = parseRolePolicy(minimal({
      plain: role([]),
      cleared: { ...role([]), mayBreakGlass: true, clearance: { confidentiality: 'R', sensitivity: ['HIV', 'PSY'] } },
      all: { ...role([]), clearance: { sensitivity: '*' } },
    }));
    assert.deepEqual(roleClearance(p, 'plain'), { confidentiality: 'N', sensitivity: [] });
    assert.equal(roleMayBreakGlass(p, 'plain'), false);
    assert.deepEqual(roleClearance(p, 'cleared'), { confidentiality: 'R', sensitivity: ['HIV', 'PSY'] });
    assert.equal(roleMayBreakGlass(p, 'cleared'), true);
    assert.deepEqual(roleClearance(p, 'all'), { confidentiality: 'N', sensitivity: '*' });
    assert.deepEqual(roleClearance(p, 'undefined-role'), { confidentiality: 'N', sensitivity: [] });
    assert.equal(roleMayBreakGlass(p, 'constructor'), false);
  });

  it('reads mayChooseIds, false unless set; the default policy gives it to system roles only', () => {
    const p = parseRolePolicy(minimal({ plain: role([]), loader: { ...role([]), mayChooseIds: true } }));
    assert.equal(p.roles.get('plain')!.mayChooseIds, false);
    assert.equal(p.roles.get('loader')!.mayChooseIds, true);
    const shipped = parseRolePolicy(JSON.parse(readFileSync(new URL('../../../policy/roles.json', import.meta.url), 'utf8')));
    assert.deepEqual([...shipped.roles.values()].filter((r) => r.mayChooseIds).map((r) => r.name).sort(), ['gp-system', 'pas-system']);
  });

  it('does not resolve inherited properties as roles', () => {
    const p = parseRolePolicy(minimal({ x: role([]) }));
    assert.equal(p.roles.get('constructor'), undefined);
    assert.equal(p.roles.get('__proto__'), undefined);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['not an object', [], '(root)', /JSON object/],
    ['unknown top-level key', { ...minimal({ x: role([]) }), rolez: {} }, '(root)', /unknown key "rolez"/],
    ['wrong format', { format: 'v2', roles: { x: role([]) } }, 'format', /envelope-role-policy\/1/],
    ['no roles', minimal({}), 'roles', /no roles/],
    ['roles not an object', minimal([]), 'roles', /object keyed by role name/],
    ['bad role name', minimal({ 'GP Admin': role([]) }), 'roles.GP Admin', /lower-case/],
    ['__proto__ as a role name', JSON.parse('{"format":"envelope-role-policy/1","roles":{"__proto__":{"description":"d","grants":[]}}}'), 'roles.__proto__', /lower-case/],
    ['missing description', minimal({ x: { grants: [] } }), 'roles.x.description', /non-empty string/],
    ['grants not an array', minimal({ x: { description: 'd', grants: {} } }), 'roles.x.grants', /array/],
    ['unknown role key', minimal({ x: { description: 'd', grants: [], inherits: 'y' } }), 'roles.x', /unknown key "inherits"/],
    ['grant not an object', minimal({ x: role(['Slot.rs']) }), 'roles.x.grants[0]', /object/],
    ['misspelt grant key', minimal({ x: role([{ resources: ['Slot'], permisions: 'rs' }]) }), 'roles.x.grants[0]', /unknown key "permisions"/],
    ['empty resources', minimal({ x: role([{ resources: [], permissions: 'rs' }]) }), 'roles.x.grants[0].resources', /non-empty/],
    ['unknown resource type', minimal({ x: role([{ resources: ['Slot', 'Observation'], permissions: 'rs' }]) }), 'roles.x.grants[0].resources[1]', /"Observation" is not/],
    ['letters out of order', minimal({ x: role([{ resources: ['Slot'], permissions: 'sr' }]) }), 'roles.x.grants[0].permissions', /order c r u d s/],
    ['v1 word instead of letters', minimal({ x: role([{ resources: ['Slot'], permissions: 'read' }]) }), 'roles.x.grants[0].permissions', /letters/],
    ['empty permissions', minimal({ x: role([{ resources: ['Slot'], permissions: '' }]) }), 'roles.x.grants[0].permissions', /letters/],
    ['missing permissions', minimal({ x: role([{ resources: ['Slot'] }]) }), 'roles.x.grants[0].permissions', /letters/],
    ['unknown condition', minimal({ x: role([{ resources: ['Slot'], permissions: 'r', when: ['own-team'] }]) }), 'roles.x.grants[0].when[0]', /own-patient, own-organization, relationship/],
    ['when not an array', minimal({ x: role([{ resources: ['Slot'], permissions: 'r', when: 'own-patient' }]) }), 'roles.x.grants[0].when', /array/],
    ['note not a string', minimal({ x: role([{ resources: ['Slot'], permissions: 'r', note: 1 }]) }), 'roles.x.grants[0].note', /string/],
    ['mayBreakGlass not a boolean', minimal({ x: { ...role([]), mayBreakGlass: 'yes' } }), 'roles.x.mayBreakGlass', /true or false/],
    ['mayChooseIds not a boolean', minimal({ x: { ...role([]), mayChooseIds: 1 } }), 'roles.x.mayChooseIds', /true or false/],
    ['clearance not an object', minimal({ x: { ...role([]), clearance: 'R' } }), 'roles.x.clearance', /object/],
    ['unknown confidentiality code', minimal({ x: { ...role([]), clearance: { confidentiality: 'Q' } } }), 'roles.x.clearance.confidentiality', /U, L, M, N, R, V/],
    ['sensitivity not a list of codes', minimal({ x: { ...role([]), clearance: { sensitivity: ['hiv'] } } }), 'roles.x.clearance.sensitivity', /sensitivity codes/],
    ['unknown clearance key', minimal({ x: { ...role([]), clearance: { level: 'R' } } }), 'roles.x.clearance', /unknown key "level"/],
  ];
  for (const [name, doc, path, msg] of bad) {
    it(`refuses ${name} at ${path}`, () => {
      assert.throws(() => parseRolePolicy(doc), (e: unknown) => {
        assert.ok(e instanceof RolePolicyError, String(e));
        assert.equal(e.path, path);
        assert.match(e.message, msg);
        return true;
      });
    });
  }
});
