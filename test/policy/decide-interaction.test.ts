// The default role policy, checked against a grant table written out independently here (and against
// the table in docs/policy.md), over every role × resource type × interaction.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import type { ResourceType } from '../../src/domain/fhir.js';
import { INTERACTIONS, smartPermission } from '../../src/domain/interaction.js';
import type { Interaction } from '../../src/domain/interaction.js';
import type { Principal, Scope } from '../../src/domain/principal.js';
import { decideInteraction, effectivePermissions } from '../../src/policy/decide-interaction.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';
import { parseRolePolicy } from '../../src/policy/roles.js';
import type { RolePolicy } from '../../src/policy/roles.js';

const root = new URL('../../../', import.meta.url);
const policy: RolePolicy = parseRolePolicy(JSON.parse(readFileSync(new URL('policy/roles.json', root), 'utf8')));

type Letter = 'c' | 'r' | 'u' | 'd' | 's';
const LETTERS: Letter[] = ['c', 'r', 'u', 'd', 's'];
const DIRECTORY = ['Organization', 'Location', 'HealthcareService', 'Practitioner', 'PractitionerRole'] as const;
const directory = (letters: string) => Object.fromEntries(DIRECTORY.map((t) => [t, letters])) as Partial<Record<ResourceType, string>>;

/**
 * What each role may do; absent = nothing. Written from the domain, not from the JSON. A cell is
 * `letters` or `letters (condition)`, several parts joined by `; ` (the format of docs/policy.md).
 */
const R = ' (relationship)';
const EXPECTED: Record<string, Partial<Record<ResourceType, string>>> = {
  'gp-clinician': { Patient: `crs${R}`, ServiceRequest: `crus${R}`, Appointment: `crus${R}`, Slot: 'rs', Schedule: 'rs', Consent: `crus${R}`, ...directory('rs') },
  'gp-admin': { Patient: `crs${R}`, ServiceRequest: `crus${R}`, Appointment: `crus${R}`, Slot: 'rs', Schedule: 'rs', Consent: `crus${R}`, ...directory('rs') },
  'gp-system': { Patient: `crus${R}`, ServiceRequest: `crus${R}`, Appointment: `crus${R}`, Slot: 'rs', Schedule: 'rs', ...directory('rs') },
  'booking-clerk': { Patient: `rs${R}`, ServiceRequest: `rs${R}`, Appointment: `crus${R}`, Slot: 'rs', Schedule: 'rs', ...directory('rs') },
  consultant: { Patient: `rs${R}`, ServiceRequest: `rus${R}`, Appointment: `rs${R}`, Consent: `rs${R}`, ...directory('rs') },
  'pas-system': {
    Patient: `rs${R}`, ServiceRequest: `rs${R}`, Appointment: `crus${R}`,
    Slot: 'rs; cud (own-organization)', Schedule: 'rs; cud (own-organization)', ...directory('rs'),
  },
  'estate-admin': { ...directory('cruds') },
  auditor: { AuditEvent: 'rs', ...directory('rs') },
  'privacy-officer': { AuditEvent: 'rs', Consent: 'rs', ...directory('rs') },
  patient: { Patient: 'rs (own-patient)', ServiceRequest: 'rs (own-patient)', Appointment: 'rs (own-patient)', Consent: 'crus (own-patient)', AuditEvent: 'rs (own-patient)' },
};

/** letter → the condition it is granted under ('' when unconditional), from a table cell. */
function cellGrants(cell: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (cell ?? '').split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([cruds]+)(?: \(([a-z-]+)\))?$/.exec(part);
    if (!m) throw new Error(`bad cell part ${part}`);
    for (const l of m[1]!) out.set(l, m[2] ?? '');
  }
  return out;
}
const lettersOf = (cell: string | undefined) => LETTERS.filter((l) => cellGrants(cell).has(l)).join('');
const ROLES = Object.keys(EXPECTED);
const PATIENT_DATA: ResourceType[] = ['Patient', 'ServiceRequest', 'Appointment', 'Consent', 'AuditEvent'];

const scope = (context: Scope['context'], type: string, letters: string): Scope =>
  ({ context, type, permissions: new Set(letters.split('') as Letter[]) });
const principal = (role: string, scopes: Scope[]): Principal => ({ sub: 'u', authMethod: 'jwt', role, scopes });
const ALL = [scope('user', '*', 'cruds')];
const TYPED_INTERACTIONS = INTERACTIONS.filter((i) => smartPermission(i) !== undefined);

function expectedAllows(role: string, type: ResourceType, letter: Letter): boolean {
  return cellGrants(EXPECTED[role]![type]).has(letter);
}

describe('policy/decideInteraction with the default role policy', () => {
  it('defines exactly the ten roles of the issue', () => {
    assert.deepEqual([...policy.roles.keys()].sort(), [...ROLES].sort());
    assert.equal(ROLES.length, 10);
  });

  it('matches the grant table for every role × type × interaction when scopes allow everything', () => {
    const wrong: string[] = [];
    for (const role of ROLES) for (const type of RESOURCE_TYPES) for (const i of TYPED_INTERACTIONS) {
      const d = decideInteraction(policy, principal(role, ALL), i, type);
      const want = expectedAllows(role, type, smartPermission(i)!);
      if (d.permit !== want) wrong.push(`${role} ${i} ${type}: got ${d.permit}, want ${want}`);
      if (!d.permit && d.reason.length === 0) wrong.push(`${role} ${i} ${type}: denial without a reason`);
      if (d.permit) {
        const wantCondition = cellGrants(EXPECTED[role]![type]).get(smartPermission(i)!) ?? '';
        const got = (d.limits ?? []).map((l) => l.conditions.join('+')).join('|');
        if (got !== wantCondition) wrong.push(`${role} ${i} ${type}: limited by '${got}', want '${wantCondition}'`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('intersects with the scopes: a single-letter scope allows only that letter', () => {
    const wrong: string[] = [];
    for (const only of LETTERS) for (const context of ['user', 'system', '*'] as const) {
      const scopes = [scope(context, '*', only)];
      for (const role of ROLES) for (const type of RESOURCE_TYPES) for (const i of TYPED_INTERACTIONS) {
        const letter = smartPermission(i)!;
        const want = letter === only && expectedAllows(role, type, letter);
        if (decideInteraction(policy, principal(role, scopes), i, type).permit !== want) wrong.push(`${context}/*.${only} ${role} ${i} ${type}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('intersects with the scopes: a type-specific scope allows only that type', () => {
    const wrong: string[] = [];
    for (const scoped of RESOURCE_TYPES) {
      const scopes = [scope('user', scoped, 'cruds')];
      for (const role of ROLES) for (const type of RESOURCE_TYPES) for (const i of TYPED_INTERACTIONS) {
        const want = type === scoped && expectedAllows(role, type, smartPermission(i)!);
        if (decideInteraction(policy, principal(role, scopes), i, type).permit !== want) wrong.push(`user/${scoped} ${role} ${i} ${type}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('effectivePermissions equals the grant table under full scopes, and nothing without scopes', () => {
    for (const role of ROLES) for (const type of RESOURCE_TYPES) {
      assert.equal([...effectivePermissions(policy, principal(role, ALL), type)].join(''), lettersOf(EXPECTED[role]![type]), `${role} ${type}`);
      assert.equal(effectivePermissions(policy, principal(role, []), type).size, 0);
    }
  });

  it('scopesForRole gives exactly the grants, so a default dev token is neither short nor wide', () => {
    for (const role of ROLES) {
      const want = RESOURCE_TYPES.filter((t) => EXPECTED[role]![t]).map((t) => `user/${t}.${lettersOf(EXPECTED[role]![t])}`);
      assert.deepEqual(scopesForRole(policy, role), want, role);
    }
    assert.equal(scopesForRole(policy, 'nobody'), undefined);
  });

  describe('least privilege, independent of the table', () => {
    it('nobody deletes patient data or writes the audit trail', () => {
      for (const role of ROLES) for (const type of PATIENT_DATA) {
        assert.equal(decideInteraction(policy, principal(role, ALL), 'delete', type).permit, false, `${role} delete ${type}`);
      }
      for (const role of ROLES) for (const i of ['create', 'update', 'patch', 'delete'] as Interaction[]) {
        assert.equal(decideInteraction(policy, principal(role, ALL), i, 'AuditEvent').permit, false, `${role} ${i} AuditEvent`);
      }
    });

    it('estate-admin touches no patient data; every staff role reads the directory', () => {
      for (const type of PATIENT_DATA) assert.equal(effectivePermissions(policy, principal('estate-admin', ALL), type).size, 0, type);
      for (const role of ROLES.filter((r) => r !== 'patient')) for (const type of DIRECTORY) {
        for (const i of ['read', 'search-type'] as Interaction[]) assert.equal(decideInteraction(policy, principal(role, ALL), i, type).permit, true, `${role} ${i} ${type}`);
      }
    });

    it('every grant on patient data for a person is limited by relationship or own record; no role sees all patients', () => {
      for (const role of ROLES.filter((r) => r !== 'privacy-officer' && r !== 'auditor')) for (const type of ['Patient', 'ServiceRequest', 'Appointment'] as ResourceType[]) {
        for (const i of TYPED_INTERACTIONS) {
          const d = decideInteraction(policy, principal(role, ALL), i, type);
          if (d.permit) assert.ok(d.limits && d.limits.length > 0, `${role} ${i} ${type} is unconditional`);
        }
      }
    });
  });

  describe('interactions without a type of their own', () => {
    it('capabilities: any defined role', () => {
      for (const role of ROLES) assert.equal(decideInteraction(policy, principal(role, []), 'capabilities', '').permit, true);
    });

    it('batch/transaction: admitted when some interaction is possible, else denied', () => {
      for (const i of ['batch', 'transaction'] as Interaction[]) {
        for (const role of ROLES) {
          const want = true;
          assert.equal(decideInteraction(policy, principal(role, ALL), i, '').permit, want, `${role} ${i}`);
          assert.equal(decideInteraction(policy, principal(role, []), i, '').permit, false, `${role} ${i} no scopes`);
        }
        // auditor's only grants are reads; a scope for a type the role cannot use does not count
        assert.equal(decideInteraction(policy, principal('auditor', [scope('user', 'Slot', 'cruds')]), i, '').permit, false);
      }
    });

    it('operation: denied for every role', () => {
      for (const role of ROLES) assert.equal(decideInteraction(policy, principal(role, ALL), 'operation', 'Slot').permit, false);
    });

    it('system-level search/history: only per concrete type', () => {
      const p = principal('auditor', ALL);
      for (const i of ['search-system', 'history-system'] as Interaction[]) {
        assert.equal(decideInteraction(policy, p, i, 'AuditEvent').permit, true);
        assert.equal(decideInteraction(policy, p, i, 'Slot').permit, false);
        for (const t of ['', '*', 'Observation', 'constructor']) assert.equal(decideInteraction(policy, p, i, t).permit, false, `${i} ${t}`);
      }
    });
  });

  describe('deny by default', () => {
    it('an unknown role is denied everything, including capabilities, and is not echoed', () => {
      for (const role of ['superuser', 'constructor', '__proto__', 'toString', '']) {
        for (const i of INTERACTIONS) {
          const d = decideInteraction(policy, principal(role, ALL), i, 'Appointment');
          assert.equal(d.permit, false, `${role} ${i}`);
          if (!d.permit && role) assert.ok(!d.reason.includes(role), d.reason);
        }
      }
    });

    it('patient/ scopes grant only what concerns the launch patient (own-patient, on top of the role\'s own conditions)', () => {
      const gp = decideInteraction(policy, principal('gp-clinician', [scope('patient', '*', 'cruds')]), 'read', 'Appointment');
      assert.deepEqual(gp.permit && gp.limits?.map((l) => [...l.conditions].sort()), [['own-patient', 'relationship']]);
      const slots = decideInteraction(policy, principal('gp-clinician', [scope('patient', '*', 'rs')]), 'read', 'Slot');
      assert.deepEqual(slots.permit && slots.limits?.map((l) => l.conditions), [['own-patient']], 'an unconditional grant becomes own-patient');
      const mine = decideInteraction(policy, principal('patient', [scope('patient', 'Appointment', 'rs')]), 'read', 'Appointment');
      assert.deepEqual(mine.permit && mine.limits?.map((l) => l.conditions), [['own-patient']]);
      // A user/ scope next to it lifts the extra limit.
      const both = decideInteraction(policy, principal('gp-clinician', [scope('patient', '*', 'rs'), scope('user', 'Slot', 'rs')]), 'read', 'Slot');
      assert.deepEqual(both, { permit: true });
    });

    it('bare v1 read/write scopes work through the role', () => {
      const p = principal('consultant', [scope('*', '*', 'rs')]);
      assert.equal(decideInteraction(policy, p, 'read', 'ServiceRequest').permit, true);
      assert.equal(decideInteraction(policy, p, 'update', 'ServiceRequest').permit, false);
    });

    it('a denial names the rule that refused', () => {
      const d = decideInteraction(policy, principal('auditor', ALL), 'create', 'Appointment');
      assert.deepEqual(d, { permit: false, reason: "Role 'auditor' does not grant create (c) on Appointment" });
    });
  });

  it('docs/policy.md shows the same grant table', () => {
    const md = readFileSync(new URL('docs/policy.md', root), 'utf8');
    const section = md.split('<!-- grants-table -->')[1]?.split('<!-- /grants-table -->')[0];
    assert.ok(section, 'docs/policy.md has <!-- grants-table --> … <!-- /grants-table --> markers');
    const rows = section.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
    const header = rows[0]!.slice(1);
    const cols = header.map((h) => (h.startsWith('Directory') ? [...DIRECTORY] : [h as ResourceType]));
    const seen = new Set<string>();
    for (const row of rows.slice(2)) {
      const role = row[0]!;
      seen.add(role);
      assert.ok(EXPECTED[role], `docs role ${role}`);
      row.slice(1).forEach((cell, i) => {
        for (const t of cols[i]!) assert.equal(cell === '—' ? '' : cell, EXPECTED[role]![t] ?? '', `docs ${role} ${t}`);
      });
    }
    assert.deepEqual([...seen].sort(), [...ROLES].sort());
    const covered = cols.flat();
    assert.deepEqual([...covered].sort(), [...RESOURCE_TYPES].sort());
  });
});
