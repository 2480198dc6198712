// FHIRPath invariants of the R4 definitions: which are evaluated (every one of the twelve served types
// and their datatypes, except those listed as skipped, each with its reason in docs/validation.md),
// how results are read, warnings kept as warnings, and extensible bindings as warnings.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { datatypeInfo, readR4Bundle, resourceInfo, type ElementDef } from '../../../src/fhir/validation/definitions.js';
import { PPC_1_EXPRESSION } from '../../../src/fhir/validation/consent-invariants.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import {
  checkInvariants, compiledInvariantCount, MAX_INVARIANT_EVALUATIONS, needsMoreThanTheResource, SKIPPED_CONSTRAINTS, type Constraint,
} from '../../../src/fhir/validation/invariants.js';
import { errorsOf, example, SERVED_TYPES } from './support.js';

type R = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface RawSD { type: string; derivation?: string; snapshot: { element: { path: string; type?: { code: string }[]; constraint?: Constraint[] }[] } }

/** Every (type, key) of the raw R4 definitions of the served types and all datatypes. */
function rawConstraints(): { where: string; c: Constraint }[] {
  const out: { where: string; c: Constraint }[] = [];
  const take = (sd: RawSD) => {
    for (const e of sd.snapshot.element) for (const c of e.constraint ?? []) out.push({ where: e.path, c });
  };
  for (const entry of readR4Bundle('profiles-resources.json').entry ?? []) {
    const sd = entry.resource as unknown as RawSD;
    if ((SERVED_TYPES as readonly string[]).includes(sd.type) && sd.derivation !== 'constraint') take(sd);
  }
  for (const entry of readR4Bundle('profiles-types.json').entry ?? []) {
    const sd = entry.resource as unknown as RawSD;
    if (sd.snapshot && sd.derivation !== 'constraint') take(sd);
  }
  return out;
}

/** The keys the validator evaluates, as compacted from the definitions. */
function evaluatedKeys(): Set<string> {
  const keys = new Set<string>();
  const add = (cs: readonly Constraint[] | undefined) => cs?.forEach((c) => keys.add(c.key));
  const elementsOf = (defs: readonly ElementDef[]) => defs.forEach((e) => add(e.constraints));
  for (const t of SERVED_TYPES) {
    const info = resourceInfo(t)!;
    add(info.constraints);
    elementsOf(info.elements);
  }
  for (const entry of readR4Bundle('profiles-types.json').entry ?? []) {
    const name = (entry.resource as unknown as RawSD).type;
    const info = name ? datatypeInfo(name) : undefined;
    if (info) {
      add(info.constraints);
      elementsOf(info.elements);
    }
  }
  return keys;
}

describe('validation: FHIRPath invariants', () => {
  it('every invariant of the served types and the datatypes is evaluated, or skipped with a reason', () => {
    const evaluated = evaluatedKeys();
    const unaccounted = rawConstraints().filter(({ c }) => !evaluated.has(c.key) && !(c.key in SKIPPED_CONSTRAINTS) && !needsMoreThanTheResource(c.expression));
    expect(unaccounted.map(({ where, c }) => `${c.key} @ ${where}`)).to.deep.equal([]);
    // Something real is evaluated: the served types' own invariants and common datatype ones.
    for (const key of ['app-1', 'app-2', 'app-3', 'app-4', 'dom-2', 'dom-4', 'dom-5', 'dom-6', 'prr-1', 'sev-1', 'pat-1', 'org-1', 'org-2', 'org-3', 'per-1', 'cpt-2', 'ext-1', 'txt-1', 'txt-2', 'qty-3', 'tim-1']) {
      expect(evaluated.has(key), key).to.equal(true);
    }
    for (const key of ['ele-1', 'ref-1', 'dom-3', 'ppc-1', 'ppc-2']) expect(evaluated.has(key), key).to.equal(false);
  });

  it('docs/validation.md lists every skipped invariant', () => {
    const doc = readFileSync(new URL('../../../../docs/validation.md', import.meta.url), 'utf8');
    for (const key of Object.keys(SKIPPED_CONSTRAINTS)) expect(doc, key).to.include(`\`${key}\``);
  });

  it('ppc-1 is checked with the R4 expression itself', () => {
    const consent = rawConstraints().find(({ c }) => c.key === 'ppc-1')!;
    expect(PPC_1_EXPRESSION).to.equal(consent.c.expression);
  });

  describe('dom-3 (checked in one pass by the structural walk)', () => {
    const org = (id: string, extra: R = {}) => ({ resourceType: 'Organization', id, name: id, ...extra });
    const patient = (extra: R) => ({ resourceType: 'Patient', ...extra });
    const located = (r: unknown) => errorsOf(validateResource(r)).map((i) => `${i.diagnostics.split(':')[0]} ${i.expression!.join()}`);

    it('a contained resource referred to from the container, from another contained resource, by a uri, or referring to its container passes', () => {
      expect(located(example('HealthcareService-example.json'))).to.deep.equal([]);
      expect(located(patient({ contained: [org('o')], managingOrganization: { reference: '#o' } }))).to.deep.equal([]);
      expect(located(patient({ contained: [org('o', { partOf: { reference: '#p' } }), org('p')], managingOrganization: { reference: '#o' } }))).to.deep.equal([]);
      expect(located(patient({ contained: [org('o')], extension: [{ url: 'http://example.org/x', valueUri: '#o' }] }))).to.deep.equal([]);
      expect(located(patient({ contained: [org('o', { partOf: { reference: '#' } })] }))).to.deep.equal([]);
    });

    it('a contained resource nothing refers to fails, at the container', () => {
      expect(located(patient({ contained: [org('o'), org('q')], managingOrganization: { reference: '#o' } }))).to.deep.equal(['dom-3 Patient']);
      // A resource in a Bundle entry is the container of its own contained resources.
      expect(located({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient({ contained: [org('o')] }) }] })).to.deep.equal(['dom-3 Bundle.entry[0].resource']);
    });

    it('stays linear: hundreds of contained resources and thousands of references take well under a second', () => {
      const contained = Array.from({ length: 300 }, (_, i) => org(`o${i}`));
      const r = patient({ contained, generalPractitioner: Array.from({ length: 6000 }, (_, i) => ({ reference: `#o${i % 300}` })) });
      const t0 = performance.now();
      expect(located(r)).to.deep.equal([]);
      expect(performance.now() - t0).to.be.lessThan(1500);
    });
  });

  it('a resource needing more invariant evaluations than a resource may is refused as too costly, quickly', () => {
    const r = { resourceType: 'Patient', identifier: Array.from({ length: MAX_INVARIANT_EVALUATIONS + 1 }, () => ({ value: 'x', period: { start: '2020-01-01' } })) };
    const t0 = performance.now();
    expect(errorsOf(validateResource(r)).map((i) => `${i.code} ${i.expression!.join()}`)).to.deep.equal(['too-costly Patient']);
    expect(performance.now() - t0).to.be.lessThan(2000);
    r.identifier.length = 1000;
    expect(errorsOf(validateResource(r))).to.deep.equal([]);
  });

  it('best practice (dom-6, no narrative) is a warning when asked for, and not evaluated otherwise', () => {
    expect(validateResource({ resourceType: 'Organization', name: 'x' })).to.deep.equal([]);
    const issues = validateResource({ resourceType: 'Organization', name: 'x' }, { bestPractice: true });
    expect(issues.map((i) => `${i.severity} ${i.code} ${i.expression!.join()} ${i.diagnostics.split(':')[0]}`)).to.deep.equal(['warning invariant Organization dom-6']);
    // Contained resources have no narrative in R4: dom-6 spares them.
    const withContained = { resourceType: 'Organization', name: 'x', contained: [{ resourceType: 'Organization', id: 'o', name: 'y' }], partOf: { reference: '#o' } };
    expect(validateResource(withContained, { bestPractice: true }).map((i) => i.expression!.join())).to.deep.equal(['Organization']);
  });

  it('an empty result fails an invariant; a result fhirpath.js cannot compute is a warning, not a pass', () => {
    const site = (expression: string) => ({
      at: 'Patient', value: { resourceType: 'Patient', name: [{ family: 'a' }, { family: 'b' }] }, resource: {}, rootResource: {},
      rules: [{ base: undefined, constraint: { key: 'test-1', severity: 'error' as const, human: 'test', expression } }],
    });
    expect(checkInvariants([site('name.exists()')])).to.deep.equal([]);
    expect(checkInvariants([site('gender = \'male\'')]).map((i) => `${i.severity} ${i.diagnostics}`)).to.deep.equal(['error test-1: test']);
    expect(checkInvariants([site('name.family.single() = \'a\'')]).map((i) => `${i.severity} ${i.code}`)).to.deep.equal(['warning invariant']);
    // A rule stated as a warning stays a warning.
    const warning = { ...site('gender.exists()'), rules: [{ base: undefined, constraint: { key: 'test-2', severity: 'warning' as const, human: 'test', expression: 'gender.exists()' } }] };
    expect(checkInvariants([warning]).map((i) => i.severity)).to.deep.equal(['warning']);
  });

  it('compiles each expression once: validating again compiles nothing new', () => {
    const r = example('Appointment-example.json');
    validateResource(r);
    const after = compiledInvariantCount();
    for (let i = 0; i < 5; i++) validateResource(r);
    expect(compiledInvariantCount()).to.equal(after);
  });
});

describe('validation: extensible bindings', () => {
  const patient = (extra: R) => ({
    resourceType: 'Patient', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' }, ...extra,
  });

  it('a code outside an extensible value set is a warning located at the code; the resource stays valid', () => {
    const issues = validateResource(patient({ maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'Q' }] } }));
    expect(errorsOf(issues)).to.deep.equal([]);
    expect(issues.map((i) => `${i.severity} ${i.code} ${i.expression!.join()}`)).to.deep.equal(['warning code-invalid Patient.maritalStatus.coding[0].code']);
  });

  it('a code from the value set, or text alone, raises nothing', () => {
    expect(validateResource(patient({ maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M' }] } }))).to.deep.equal([]);
    expect(validateResource(patient({ maritalStatus: { text: 'partnered' } }))).to.deep.equal([]);
  });

  it('a required binding still refuses a code outside its value set', () => {
    const issues = validateResource(patient({ gender: 'M' }));
    expect(errorsOf(issues).map((i) => `${i.code} ${i.expression!.join()}`)).to.deep.equal(['code-invalid Patient.gender']);
  });
});
