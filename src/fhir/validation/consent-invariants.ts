// The rules of R4 Consent that structural validation does not check: invariants ppc-1..ppc-5 and the
// rule stated on Consent.provision.type ("not permitted in root rule, required in all nested
// rules"). The write path runs them on every Consent; each error blocks the write. The type rule
// only warns: official R4 examples (consent-example-notOrg, -pkb) break it. This file is the one
// implementation of ppc-*: the general invariant check (invariants.ts) skips those keys.
//
// ppc-1 is the R4 expression itself, evaluated by fhirpath.js like every other invariant.
//
// R4 publishes ppc-2..ppc-5 with the placeholder `system='something'` in place of the consent scope
// code system, which makes the published expressions always true. Envelope checks what they intend:
// a scope coded http://terminology.hl7.org/CodeSystem/consentscope patient-privacy, research, adr or
// treatment requires `patient`.
import type { Issue } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import { compileInvariant } from './invariants.js';

const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';

/** R4's ppc-1, verbatim (a test compares it with the definitions). */
export const PPC_1_EXPRESSION = 'policy.exists() or policyRule.exists()';

const PATIENT_REQUIRED: readonly { key: string; scope: string; name: string }[] = [
  { key: 'ppc-2', scope: 'patient-privacy', name: 'privacy' },
  { key: 'ppc-3', scope: 'research', name: 'research' },
  { key: 'ppc-4', scope: 'adr', name: 'advance directive (adr)' },
  { key: 'ppc-5', scope: 'treatment', name: 'treatment' },
];

const invariant = (diagnostics: string, expression: string): Issue => ({ severity: 'error', code: 'invariant', diagnostics, expression: [expression] });

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

function scopeCodes(scope: unknown): string[] {
  if (!isPlainObject(scope) || !Array.isArray(scope['coding'])) return [];
  return scope['coding']
    .filter((c): c is Record<string, unknown> => isPlainObject(c) && c['system'] === CONSENT_SCOPE_SYSTEM && typeof c['code'] === 'string')
    .map((c) => c['code'] as string);
}

function provisionIssues(p: unknown, at: string, root: boolean, out: Issue[]): void {
  if (!isPlainObject(p)) return;
  if (root && present(p['type'])) {
    // Official R4 examples (consent-example-notOrg, -pkb) type their root, so this only warns; the
    // engine then reads the root type as the consent's base (docs/consent.md).
    out.push({ ...invariant('The root provision should not have a type: it states the scope of the consent; its type is read as the consent\'s base decision', `${at}.type`), severity: 'warning' });
  }
  if (!root && !present(p['type'])) {
    // Also only a warning (the official consent-example-pkb has untyped nested provisions): such a
    // provision decides nothing itself; its conditions narrow the provisions nested in it.
    out.push({ ...invariant('A nested provision should have a type (permit or deny): without one it decides nothing itself', `${at}.type`), severity: 'warning' });
  }
  const children = p['provision'];
  if (Array.isArray(children)) children.forEach((c, i) => provisionIssues(c, `${at}.provision[${i}]`, false, out));
}

function ppc1Holds(consent: Record<string, unknown>): boolean {
  const result = compileInvariant(undefined, PPC_1_EXPRESSION)(consent, { resource: consent, rootResource: consent });
  return result.length === 1 && result[0] === true;
}

/** Every violation of ppc-1..ppc-5 and of the provision type rule in a Consent; [] for anything that is not a Consent object. */
export function consentInvariantIssues(resource: unknown): Issue[] {
  if (!isPlainObject(resource) || resource['resourceType'] !== 'Consent') return [];
  const out: Issue[] = [];
  if (!ppc1Holds(resource)) out.push(invariant('ppc-1: a Consent must have either policy or policyRule', 'Consent'));
  if (!present(resource['patient'])) {
    const codes = scopeCodes(resource['scope']);
    for (const rule of PATIENT_REQUIRED) {
      if (codes.includes(rule.scope)) out.push(invariant(`${rule.key}: a Consent of scope ${rule.name} must name the patient`, 'Consent.patient'));
    }
  }
  provisionIssues(resource['provision'], 'Consent.provision', true, out);
  return out;
}
