// Invariants decided without evaluating them (src/fhir/validation/invariant-shortcut.ts): whenever the
// shortcut gives an outcome, it is the outcome fhirpath.js gives, over every official example of the
// served types and each of them with one element at a time removed (where most shortcuts apply);
// expressions that can read the instance other than through element names are never shortcut; and
// a booking body no longer evaluates the invariants about elements it does not have.
import { expect } from 'chai';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import { decideWithoutEvaluating } from '../../../src/fhir/validation/invariant-shortcut.js';
import { compileInvariant, invariantEvaluationCount, type InvariantSite } from '../../../src/fhir/validation/invariants.js';
import { walk } from '../../../src/fhir/validation/walker.js';
import { examplesOf, SERVED_TYPES } from './support.js';

type R = Record<string, unknown>;

/** FHIR's reading of a full evaluation, or 'fails to evaluate'. */
function evaluated(site: InvariantSite, base: string | undefined, expression: string): boolean | 'throws' {
  try {
    const out = compileInvariant(base, expression)(site.value, { resource: site.resource, rootResource: site.rootResource });
    if (out.length === 0) return false;
    const v = out.length === 1 && typeof out[0] === 'object' && out[0] !== null && 'data' in out[0] ? (out[0] as { data: unknown }).data : out[0];
    return out.length === 1 && typeof v === 'boolean' ? v : true;
  } catch {
    return 'throws';
  }
}

const decided = (base: string | undefined, expression: string, focus: unknown) =>
  decideWithoutEvaluating(base, expression, focus, (part, bare) => compileInvariant(base, part)(bare, {}));

/** Every (site, invariant) of a resource with the shortcut's outcome and the full evaluation's. */
function compare(resource: R): { shortcut: number; checked: number; wrong: string[] } {
  const { sites } = walk(resource, {});
  let shortcut = 0;
  let checked = 0;
  const wrong: string[] = [];
  for (const site of sites) {
    for (const { base, constraint } of site.rules) {
      checked++;
      const known = decided(base, constraint.expression, site.value);
      if (known === undefined) continue;
      shortcut++;
      const full = evaluated(site, base, constraint.expression);
      // A definite outcome by FHIRPath's logic where fhirpath.js fails on the operand it did not need
      // to read is the one documented difference; anything else must agree exactly.
      if (full !== known && !(full === 'throws' && known === true)) wrong.push(`${constraint.key} at ${site.at}: shortcut ${known}, fhirpath.js ${full}`);
    }
  }
  return { shortcut, checked, wrong };
}

describe('validation: invariants decided without evaluating them', () => {
  it('agree with fhirpath.js on every official example of the served types, whole and with each element removed', () => {
    let shortcut = 0;
    let checked = 0;
    const wrong: string[] = [];
    for (const type of SERVED_TYPES) {
      for (const { file, resource } of examplesOf(type)) {
        const variants: R[] = [resource];
        for (const k of Object.keys(resource)) {
          if (k === 'resourceType') continue;
          const { [k]: _gone, ...rest } = resource;
          variants.push(rest as R);
        }
        for (const v of variants) {
          const r = compare(v);
          shortcut += r.shortcut;
          checked += r.checked;
          wrong.push(...r.wrong.map((w) => `${file}: ${w}`));
        }
      }
    }
    expect(wrong).to.deep.equal([]);
    // The comparison means something: most checks were decided by the shortcut, and many were not.
    expect(shortcut).to.be.greaterThan(checked / 3);
    expect(checked - shortcut).to.be.greaterThan(1000);
  });

  it('decides an invariant from what the instance has and lacks, exactly as fhirpath.js evaluates it', () => {
    const patient = (extra: R) => ({ resourceType: 'Patient', ...extra });
    const appointment = (extra: R) => ({ resourceType: 'Appointment', status: 'booked', ...extra });
    const app4 = "Appointment.cancelationReason.exists() implies (Appointment.status='noshow' or Appointment.status='cancelled')";
    /** [expression, instance, the shortcut's outcome (undefined: left to fhirpath.js)] */
    const cases: [string, R, boolean | undefined][] = [
      ['contained.contained.empty()', patient({}), true],
      ['contained.contained.empty()', patient({ contained: [] }), undefined],
      // An empty result fails, as a full evaluation reads it.
      ["gender = 'male'", patient({}), false],
      ["gender = 'male'", patient({ gender: 'male' }), undefined],
      // exists() as fhirpath.js reads JSON: a primitive's extension alone exists, null and [] do not.
      ['birthDate.exists()', patient({ birthDate: '2000-01-01' }), true],
      ['birthDate.exists()', patient({ _birthDate: { extension: [] } }), true],
      ['birthDate.exists().not()', patient({ _birthDate: { extension: [] } }), false],
      ['birthDate.empty()', patient({ birthDate: null }), true],
      ['name.exists()', patient({ name: [] }), false],
      ['name.exists()', patient({ name: [{}] }), true],
      // A choice element is left to fhirpath.js, which knows the types its suffixes may name.
      ['deceased.exists()', patient({ deceasedBoolean: false }), undefined],
      ['deceased.exists()', patient({ deceasedFoo: 1 }), undefined],
      // Three-valued logic: only definite outcomes.
      [app4, appointment({}), true],
      [app4, appointment({ cancelationReason: { text: 'x' } }), undefined],
      ['start.exists() = end.exists()', appointment({ start: 'a' }), false],
      ['start.exists() != end.exists()', appointment({ start: 'a' }), true],
      ['gender.exists() and name.exists()', patient({ name: [{ family: 'a' }] }), false],
      ["gender = 'male' or name.exists()", patient({ name: [{ family: 'a' }] }), true],
      ["gender = 'male' or name.empty()", patient({ name: [{ family: 'a' }], gender: 'female' }), undefined],
      ["name.empty() implies gender = 'male'", patient({ name: [{ family: 'a' }], gender: 'female' }), true],
      ["gender = 'male' implies name.exists()", patient({ name: [{ family: 'a' }], gender: 'female' }), true],
      // xor is not short-circuited; read as a whole, it is decided only when neither side is there.
      ["gender = 'male' xor name.exists()", patient({ name: [{ family: 'a' }] }), undefined],
      ["gender = 'male' xor name.exists()", patient({}), false],
      // A type name reads the element after it, on a resource of that type only.
      ['Patient.gender.exists()', patient({ gender: 'male' }), true],
      ['Patient.gender.exists()', patient({}), false],
      ['Appointment.gender.exists()', patient({ gender: 'male' }), undefined],
    ];
    for (const [expression, instance, outcome] of cases) {
      const known = decided(undefined, expression, instance);
      expect(known, `${expression} on ${JSON.stringify(instance)}`).to.equal(outcome);
      if (known !== undefined) {
        const site = { at: 'x', value: instance, rules: [], resource: instance, rootResource: instance };
        expect(evaluated(site, undefined, expression), `fhirpath.js: ${expression} on ${JSON.stringify(instance)}`).to.equal(known);
      }
    }
  });

  it('never decides an expression that can read the instance other than through its element names', () => {
    const empty = { resourceType: 'Patient' };
    for (const expression of [
      'children().empty()', 'descendants().empty()', 'hasValue().not()', 'iif(gender.exists(), false, true)',
      '$this.gender.empty()', '%resource.gender.empty()', '%rootResource.gender.empty()', 'now() > @2000-01-01',
      'Patient.children().empty()', 'Patient.exists().not() or gender.exists()',
    ]) {
      expect(decided(undefined, expression, empty), expression).to.equal(undefined);
      // Sanity: the expressions are valid FHIRPath that fhirpath.js evaluates.
      expect(() => fhirpath.evaluate(empty, expression, { resource: empty, rootResource: empty }, r4model)).not.to.throw();
    }
  });

  it('a booking needs no fhirpath.js evaluation, and a booking that breaks a rule is still refused', () => {
    const booking = {
      resourceType: 'Appointment', status: 'booked', slot: [{ reference: 'Slot/s1' }], start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z',
      created: '2031-01-01', basedOn: [{ reference: 'ServiceRequest/r1' }], participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
    };
    validateResource(booking);
    const before = invariantEvaluationCount();
    expect(validateResource(booking)).to.deep.equal([]);
    // app-1 (type or actor), app-2 (start and end both or neither) and app-3 (start and end, or a
    // status without them) are read off what the booking has; dom-2, dom-4, dom-5 (contained) and
    // app-4 (cancelationReason) are about what it lacks. fhirpath.js is not needed for any of them.
    expect(invariantEvaluationCount() - before).to.equal(0);
    // Still refused where the rule is broken.
    const { end: _end, ...noEnd } = booking;
    expect(validateResource(noEnd).map((i) => i.diagnostics.split(':')[0])).to.include.members(['app-2', 'app-3']);
    expect(validateResource({ ...booking, contained: [{ resourceType: 'Patient', id: 'c', meta: { versionId: '1' } }] })
      .map((i) => i.diagnostics.split(':')[0])).to.include('dom-4');
  });
});
