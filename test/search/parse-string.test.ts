import { expect } from './support/chai.js';
import { where } from './support/fixtures.js';
import { fails } from './support/assert.js';

describe('search/parse: string', () => {
  it('default: starts-with on the normalised value', () => {
    expect(where('Patient', 'name=Pet')).to.deep.equal({ k: 'idx', p: 'name', tests: [{ f: 's', op: 'sw', v: 'pet' }] });
    expect(where('Patient', 'family=M%C3%BCLLER')).to.deep.equal({ k: 'idx', p: 'family', tests: [{ f: 's', op: 'sw', v: 'muller' }] });
    expect(where('Location', 'address-city=Den%20%20Burg%20')).to.deep.equal({ k: 'idx', p: 'address-city', tests: [{ f: 's', op: 'sw', v: 'den burg' }] });
  });
  it(':exact compares the value as written', () => {
    expect(where('Patient', 'given:exact=Zo%C3%AB')).to.deep.equal({ k: 'idx', p: 'given', tests: [{ f: 'exact', op: 'eq', v: 'Zoë' }] });
  });
  it(':contains on the normalised value', () => {
    expect(where('HealthcareService', 'name:contains=PSYCH')).to.deep.equal({ k: 'idx', p: 'name', tests: [{ f: 's', op: 'co', v: 'psych' }] });
  });
  it('comma = OR of starts-with', () => {
    expect(where('Practitioner', 'family=smith,jones')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'family', tests: [{ f: 's', op: 'sw', v: 'smith' }] },
        { k: 'idx', p: 'family', tests: [{ f: 's', op: 'sw', v: 'jones' }] },
      ],
    });
  });
  it(':exact alternatives merge into `in`', () => {
    expect(where('Practitioner', 'family:exact=Smith,Jones')).to.deep.equal({
      k: 'idx', p: 'family', tests: [{ f: 'exact', op: 'in', v: ['Smith', 'Jones'] }],
    });
  });
  it('escaped comma stays in the value', () => {
    expect(where('Organization', 'name=Smith\\,%20Jones')).to.deep.equal({ k: 'idx', p: 'name', tests: [{ f: 's', op: 'sw', v: 'smith, jones' }] });
  });
  it(':missing', () => {
    expect(where('AuditEvent', 'entity-name:missing=true')).to.deep.equal({ k: 'not', of: { k: 'idx', p: 'entity-name', tests: [] } });
  });
  it('modifiers of other types are 400s', () => {
    fails('Patient', 'name:text=x', /':text' is not supported on string/, 'name:text');
    fails('Patient', 'name:not=x', /':not' is not supported/);
    fails('Patient', 'name:startswith=x', /Unknown modifier/);
  });
});
