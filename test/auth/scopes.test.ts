import assert from 'node:assert/strict';
import { formatScope, parseScope, parseScopes } from '../../src/auth/scopes.js';

/** scope text → canonical v2 text, or null when it must grant nothing. */
const TABLE: [string, string | null][] = [
  // SMART v2
  ['user/Appointment.cruds', 'user/Appointment.cruds'],
  ['user/Appointment.rs', 'user/Appointment.rs'],
  ['system/Slot.c', 'system/Slot.c'],
  ['patient/Consent.crus', 'patient/Consent.crus'],
  ['user/*.rs', 'user/*.rs'],
  ['system/*.cruds', 'system/*.cruds'],
  // SMART v1
  ['user/Patient.read', 'user/Patient.rs'],
  ['user/Patient.write', 'user/Patient.cud'],
  ['system/*.read', 'system/*.rs'],
  ['patient/*.write', 'patient/*.cud'],
  ['user/Appointment.*', 'user/Appointment.cruds'],
  ['user/*.*', 'user/*.cruds'],
  // bare v1 / GP Connect style
  ['read', '*/*.rs'],
  ['write', '*/*.cud'],
  // not FHIR data access: ignored
  ['openid', null], ['fhirUser', null], ['profile', null], ['offline_access', null], ['online_access', null],
  ['launch', null], ['launch/patient', null], ['launch/encounter', null], ['nationalrbacaccess', null],
  // malformed or not honourable: ignored, never widened
  ['user/Appointment.srd', null], // letters out of order
  ['user/Appointment.rr', null],
  ['user/Appointment.', null],
  ['user/Appointment.x', null],
  ['user/appointment.rs', null], // not a type name
  ['user/Appoint-ment.rs', null],
  ['organization/*.read', null], // GP Connect context we do not know
  ['users/Patient.rs', null],
  ['user/Observation.rs?category=laboratory', null], // v2 param restriction we cannot enforce
  ['user/Patient.rs.extra', null],
  ['READ', null],
  ['*/*.rs', null],
];

describe('auth/scopes', () => {
  for (const [input, expected] of TABLE) {
    it(`${JSON.stringify(input)} → ${expected ?? 'ignored'}`, () => {
      const s = parseScope(input);
      assert.equal(s === undefined ? null : formatScope(s), expected);
    });
  }

  it('parses a space-separated claim, skipping what it ignores', () => {
    const out = parseScopes('openid  fhirUser user/Appointment.rs\tlaunch/patient read');
    assert.deepEqual(out.map(formatScope), ['user/Appointment.rs', '*/*.rs']);
  });

  it('parses an array claim (some IdPs send scp as a list)', () => {
    assert.deepEqual(parseScopes(['user/Slot.rs', 42, 'system/Slot.c']).map(formatScope), ['user/Slot.rs', 'system/Slot.c']);
  });

  it('treats a missing or odd claim as no scopes', () => {
    for (const v of [undefined, null, 3, {}, '']) assert.deepEqual(parseScopes(v), []);
  });
});
