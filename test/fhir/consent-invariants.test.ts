// Consent invariants ppc-1..ppc-5 and the provision type rule, on the official R4 examples and on
// deliberately broken variants: each fault is reported once, as an `invariant` error at its place.
import { expect } from 'chai';
import { consentInvariantIssues } from '../../src/fhir/validation/consent-invariants.js';
import { examplesOf } from './validation/support.js';

const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

// `any` on purpose: the variants do free-form surgery on example JSON.
type R = Record<string, any>;
function valid(): R {
  return {
    resourceType: 'Consent', status: 'active',
    scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: 'Patient/pa' },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: { period: { start: '2025-01-01' }, provision: [{ type: 'permit', provision: [{ type: 'deny' }] }] },
  };
}
const located = (r: unknown) => consentInvariantIssues(r).map((i) => `${i.severity} ${i.code} ${(i.expression ?? []).join(',')} ${i.diagnostics.split(':')[0]}`);

describe('fhir/validation: Consent invariants', () => {
  it('accepts a valid consent', () => {
    expect(consentInvariantIssues(valid())).to.deep.equal([]);
  });

  it('every official R4 Consent example meets ppc-1..ppc-5; the two that put a type on the root or leave one off a nested provision are caught', () => {
    const examples = examplesOf('Consent');
    expect(examples.length).to.be.greaterThan(10);
    const faults: Record<string, string[]> = {};
    for (const e of examples) {
      const issues = consentInvariantIssues(e.resource);
      expect(issues.filter((i) => /^ppc-/.test(i.diagnostics)), e.file).to.deep.equal([]);
      if (issues.length > 0) faults[e.file] = [...new Set(issues.map((i) => i.expression![0]!.replace(/\[\d+\]/g, '[n]')))];
    }
    expect(faults).to.deep.equal({
      'Consent-consent-example-notOrg.json': ['Consent.provision.type'],
      'Consent-consent-example-pkb.json': ['Consent.provision.provision[n].type'],
    });
  });

  it('ppc-1: policy or policyRule is required; either one is enough', () => {
    const neither = valid(); delete neither.policyRule;
    expect(located(neither)).to.deep.equal(['error invariant Consent ppc-1']);
    const policyOnly = valid(); delete policyOnly.policyRule; policyOnly.policy = [{ uri: 'https://digital.nhs.uk/services/national-data-opt-out' }];
    expect(consentInvariantIssues(policyOnly)).to.deep.equal([]);
    const emptyPolicy = valid(); delete emptyPolicy.policyRule; emptyPolicy.policy = [];
    expect(located(emptyPolicy)).to.deep.equal(['error invariant Consent ppc-1']);
  });

  for (const [key, scope] of [['ppc-2', 'patient-privacy'], ['ppc-3', 'research'], ['ppc-4', 'adr'], ['ppc-5', 'treatment']] as const) {
    it(`${key}: a consent of scope ${scope} must name the patient`, () => {
      const r = valid(); r.scope = { coding: [{ system: SCOPE, code: scope }] }; delete r.patient;
      expect(located(r)).to.deep.equal([`error invariant Consent.patient ${key}`]);
      r.patient = { reference: 'Patient/pa' };
      expect(consentInvariantIssues(r)).to.deep.equal([]);
    });
  }

  it('a scope of another code system does not require a patient', () => {
    const r = valid(); r.scope = { coding: [{ system: 'urn:example:scopes', code: 'patient-privacy' }] }; delete r.patient;
    expect(consentInvariantIssues(r)).to.deep.equal([]);
  });

  it('a typed root provision only warns (official R4 examples have one); every nested provision, at any depth, must have a type', () => {
    const rootTyped = valid(); rootTyped.provision.type = 'deny';
    expect(located(rootTyped)).to.deep.equal(['warning invariant Consent.provision.type The root provision should not have a type']);
    const nestedUntyped = valid(); delete nestedUntyped.provision.provision[0].provision[0].type;
    expect(located(nestedUntyped)).to.deep.equal(['warning invariant Consent.provision.provision[0].provision[0].type A nested provision should have a type (permit or deny)']);
  });

  it('reports every fault, and ignores what is not a Consent', () => {
    const r = valid(); delete r.policyRule; delete r.patient; r.provision.type = 'permit';
    expect(located(r).map((s) => s.split(' ')[2])).to.deep.equal(['Consent', 'Consent.patient', 'Consent.provision.type']);
    expect(consentInvariantIssues({ resourceType: 'Patient' })).to.deep.equal([]);
    expect(consentInvariantIssues('Consent')).to.deep.equal([]);
    expect(consentInvariantIssues(null)).to.deep.equal([]);
  });
});
