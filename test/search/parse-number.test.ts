// number, quantity, uri and composite parameters. Envelope's own types have no number, quantity or
// composite parameters, so these use a registry that also covers RiskAssessment and Observation.
import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { LENIENT, where, wideRegistry } from './support/fixtures.js';

const w = (type: string, q: string) => where(type, q, wideRegistry);
const n = (op: string, v: number) => ({ f: 'n', op, v });

describe('search/parse: number', () => {
  it('eq uses the implied range of the written precision', () => {
    expect(w('RiskAssessment', 'probability=0.25')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 0.245), n('lt', 0.255)] });
    expect(w('RiskAssessment', 'probability=100')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 99.5), n('lt', 100.5)] });
    expect(w('RiskAssessment', 'probability=100.00')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 99.995), n('lt', 100.005)] });
    expect(w('RiskAssessment', 'probability=1e2')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 50), n('lt', 150)] });
  });
  it('gt, lt, ge, le compare with the exact value', () => {
    for (const op of ['gt', 'lt', 'ge', 'le']) {
      expect(w('RiskAssessment', `probability=${op}0.5`)).to.deep.equal({ k: 'idx', p: 'probability', tests: [n(op, 0.5)] });
    }
  });
  it('ne is outside the implied range', () => {
    expect(w('RiskAssessment', 'probability=ne0.5')).to.deep.equal({
      k: 'or', of: [{ k: 'idx', p: 'probability', tests: [n('lt', 0.45)] }, { k: 'idx', p: 'probability', tests: [n('ge', 0.55)] }],
    });
  });
  it('sa, eb use the stored value\'s own range; ap allows 10%', () => {
    expect(w('RiskAssessment', 'probability=sa0.5')).to.deep.equal({ k: 'idx', p: 'probability', tests: [{ f: 'nlo', op: 'ge', v: 0.55 }] });
    expect(w('RiskAssessment', 'probability=eb0.5')).to.deep.equal({ k: 'idx', p: 'probability', tests: [{ f: 'nhi', op: 'le', v: 0.45 }] });
    expect(w('RiskAssessment', 'probability=ap100')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 90), n('le', 110)] });
    expect(w('RiskAssessment', 'probability=ap0.5')).to.deep.equal({ k: 'idx', p: 'probability', tests: [n('ge', 0.45), n('le', 0.55)] });
  });
  it('malformed numbers and prefixes are 400s', () => {
    fails('RiskAssessment', 'probability=abc', /Unknown prefix 'ab'/, 'probability', LENIENT, wideRegistry);
    fails('RiskAssessment', 'probability=1,5x', /not a valid number/, 'probability', LENIENT, wideRegistry);
    fails('RiskAssessment', 'probability=gt', /not a valid number/, undefined, LENIENT, wideRegistry);
    fails('RiskAssessment', 'probability=1.2.3', /not a valid number/, undefined, LENIENT, wideRegistry);
  });
});

describe('search/parse: quantity', () => {
  it('number|system|code', () => {
    expect(w('Observation', 'value-quantity=5.4|http://unitsofmeasure.org|mg')).to.deep.equal({
      k: 'idx', p: 'value-quantity',
      tests: [{ f: 'sys', op: 'eq', v: 'http://unitsofmeasure.org' }, { f: 'code', op: 'eq', v: 'mg' }, n('ge', 5.35), n('lt', 5.45)],
    });
  });
  it('number||code: any system', () => {
    expect(w('Observation', 'value-quantity=gt5.4||mg')).to.deep.equal({
      k: 'idx', p: 'value-quantity', tests: [{ f: 'code', op: 'eq', v: 'mg' }, n('gt', 5.4)],
    });
  });
  it('number alone: any unit', () => {
    expect(w('Observation', 'value-quantity=le5.4')).to.deep.equal({ k: 'idx', p: 'value-quantity', tests: [n('le', 5.4)] });
  });
  it('ne keeps the unit on both sides', () => {
    expect(w('Observation', 'value-quantity=ne5||mg')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'value-quantity', tests: [{ f: 'code', op: 'eq', v: 'mg' }, n('lt', 4.5)] },
        { k: 'idx', p: 'value-quantity', tests: [{ f: 'code', op: 'eq', v: 'mg' }, n('ge', 5.5)] },
      ],
    });
  });
  it('malformed quantities are 400s', () => {
    fails('Observation', 'value-quantity=5.4|mg', /not a valid quantity/, 'value-quantity', LENIENT, wideRegistry);
    fails('Observation', 'value-quantity=x|s|mg', /not a valid number/, undefined, LENIENT, wideRegistry);
  });
});

describe('search/parse: uri', () => {
  it('exact by default', () => {
    expect(where('ServiceRequest', 'instantiates-uri=http://x.org/protocol/1')).to.deep.equal({
      k: 'idx', p: 'instantiates-uri', tests: [{ f: 's', op: 'eq', v: 'http://x.org/protocol/1' }],
    });
    expect(where('Slot', '_profile=http://x.org/fhir/StructureDefinition/slot')).to.deep.equal({
      k: 'idx', p: '_profile', tests: [{ f: 's', op: 'eq', v: 'http://x.org/fhir/StructureDefinition/slot' }],
    });
    expect(where(['Slot', 'Schedule'], '_source=urn:envelope:seed')).to.deep.equal({
      k: 'idx', p: '_source', tests: [{ f: 's', op: 'eq', v: 'urn:envelope:seed' }],
    });
  });
  it(':below: the URI or anything under it as a path', () => {
    expect(where('AuditEvent', 'policy:below=http://x.org/fhir/')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'policy', tests: [{ f: 's', op: 'eq', v: 'http://x.org/fhir' }] },
        { k: 'idx', p: 'policy', tests: [{ f: 's', op: 'sw', v: 'http://x.org/fhir/' }] },
      ],
    });
  });
  it(':above: the URI and each of its path prefixes', () => {
    expect(where('Slot', '_profile:above=http://x.org/fhir/StructureDefinition/slot')).to.deep.equal({
      k: 'idx', p: '_profile',
      tests: [{ f: 's', op: 'in', v: ['http://x.org/fhir/StructureDefinition/slot', 'http://x.org/fhir/StructureDefinition', 'http://x.org/fhir', 'http://x.org'] }],
    });
    expect(where('Slot', '_profile:above=urn:oid:1.2.3')).to.deep.equal({ k: 'idx', p: '_profile', tests: [{ f: 's', op: 'in', v: ['urn:oid:1.2.3'] }] });
  });
  it('other modifiers are 400s', () => {
    fails('Slot', '_profile:contains=x', /':contains' is not supported on uri/);
  });
});

describe('search/parse: composite', () => {
  it('components joined with $, each parsed as its own parameter, ANDed', () => {
    expect(w('Observation', 'code-value-quantity=http://loinc.org|8480-6$gt100||mm[Hg]')).to.deep.equal({
      k: 'and', of: [
        { k: 'idx', p: 'code', tests: [{ f: 'sys', op: 'eq', v: 'http://loinc.org' }, { f: 'code', op: 'eq', v: '8480-6' }] },
        { k: 'idx', p: 'value-quantity', tests: [{ f: 'code', op: 'eq', v: 'mm[Hg]' }, n('gt', 100)] },
      ],
    });
  });
  it('comma alternatives are ORed', () => {
    expect(w('Observation', 'code-value-date=a$2020,b$2021')).to.deep.equal({
      k: 'or', of: [
        { k: 'and', of: [
          { k: 'idx', p: 'code', tests: [{ f: 'code', op: 'eq', v: 'a' }] },
          { k: 'idx', p: 'value-date', tests: [{ f: 'lo', op: 'ge', v: '2020-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2020-12-31T23:59:59.999Z' }] },
        ] },
        { k: 'and', of: [
          { k: 'idx', p: 'code', tests: [{ f: 'code', op: 'eq', v: 'b' }] },
          { k: 'idx', p: 'value-date', tests: [{ f: 'lo', op: 'ge', v: '2021-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2021-12-31T23:59:59.999Z' }] },
        ] },
      ],
    });
  });
  it('the wrong number of components, or a bad component value, is a 400', () => {
    fails('Observation', 'code-value-quantity=http://loinc.org|8480-6', /needs 2 values/, 'code-value-quantity', LENIENT, wideRegistry);
    fails('Observation', 'code-value-quantity=a$b$c', /needs 2 values/, undefined, LENIENT, wideRegistry);
    fails('Observation', 'code-value-quantity=a$xx5', /Unknown prefix/, undefined, LENIENT, wideRegistry);
  });
});
