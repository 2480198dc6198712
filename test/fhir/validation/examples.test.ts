// Every official HL7 R4 example of the types Envelope serves must pass basic validation untouched.
import { expect } from 'chai';
import { validateResource } from '../../../src/fhir/validation/index.js';
import { errorsOf, examplesOf, SERVED_TYPES } from './support.js';

describe('validation: official R4 examples', () => {
  for (const type of SERVED_TYPES) {
    describe(type, () => {
      const examples = examplesOf(type);
      it('has official examples to check', () => {
        expect(examples.length).to.be.greaterThan(0);
      });
      for (const { file, resource } of examples) {
        it(`${file} validates without errors`, () => {
          const errs = errorsOf(validateResource(resource, { expectedType: type }));
          expect(errs, JSON.stringify(errs, null, 1)).to.deep.equal([]);
        });
      }
    });
  }
});
