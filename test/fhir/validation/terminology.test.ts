// Value set expansion from the shipped files, and the binding check built on it.
import { expect } from 'chai';
import { checkBinding } from '../../../src/fhir/validation/bindings.js';
import { expandValueSet, expansionHas } from '../../../src/fhir/validation/terminology.js';

const VS = 'http://hl7.org/fhir/ValueSet/';

describe('validation: terminology', () => {
  it('expands a value set that includes a whole FHIR code system', () => {
    const exp = expandValueSet(`${VS}appointmentstatus|4.0.1`)!;
    expect(exp).to.not.equal(undefined);
    expect([...exp.bySystem.get('http://hl7.org/fhir/appointmentstatus')!].sort()).to.deep.equal(
      ['arrived', 'booked', 'cancelled', 'checked-in', 'entered-in-error', 'fulfilled', 'noshow', 'pending', 'proposed', 'waitlist'],
    );
  });

  it('expands explicit concept lists (units-of-time picks seven UCUM codes)', () => {
    const exp = expandValueSet(`${VS}units-of-time`)!;
    expect(expansionHas(exp, 'min', 'http://unitsofmeasure.org')).to.equal(true);
    expect(expansionHas(exp, 'kg', 'http://unitsofmeasure.org')).to.equal(false);
  });

  it('reaches v3 code systems from the second file when needed', () => {
    const exp = expandValueSet(`${VS}event-timing`)!;
    expect(expansionHas(exp, 'ACM', 'http://terminology.hl7.org/CodeSystem/v3-TimingEvent')).to.equal(true);
    expect(expansionHas(exp, 'MORN')).to.equal(true);
  });

  it('gives up on value sets whose content is not shipped, rather than guessing', () => {
    expect(expandValueSet(`${VS}mimetypes`)).to.equal(undefined); // BCP 13, not shipped
    expect(expandValueSet(`${VS}currencies`)).to.equal(undefined); // ISO 4217, not shipped
    expect(expandValueSet('http://example.org/ValueSet/none')).to.equal(undefined);
    expect(checkBinding('code', 'application/x-anything', `${VS}mimetypes`)).to.equal(undefined);
  });

  it('checks codes, Codings and CodeableConcepts', () => {
    const vs = `${VS}administrative-gender`;
    const sys = 'http://hl7.org/fhir/administrative-gender';
    expect(checkBinding('code', 'female', vs)).to.equal(undefined);
    expect(checkBinding('code', 'Female', vs)?.at).to.equal('');
    expect(checkBinding('Coding', { system: sys, code: 'male' }, vs)).to.equal(undefined);
    expect(checkBinding('Coding', { system: 'http://example.org', code: 'male' }, vs)?.at).to.equal('.code');
    expect(checkBinding('Coding', { code: 'male' }, vs)).to.equal(undefined);
    expect(checkBinding('Coding', { system: sys }, vs)?.at).to.equal('');
    expect(checkBinding('CodeableConcept', { coding: [{ system: sys, code: 'x' }, { system: sys, code: 'y' }] }, vs)?.at).to.equal('');
    expect(checkBinding('Quantity', { value: 1 }, vs)).to.equal(undefined);
  });
});
