import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { parse, where } from './support/fixtures.js';


describe('search/parse: token', () => {
  it('code only', () => {
    expect(where('Appointment', 'status=booked')).to.deep.equal({ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] });
  });
  it('system|code', () => {
    expect(where('Slot', 'service-type=http://snomed.info/sct|394913002')).to.deep.equal({
      k: 'idx', p: 'service-type',
      tests: [{ f: 'sys', op: 'eq', v: 'http://snomed.info/sct' }, { f: 'code', op: 'eq', v: '394913002' }],
    });
  });
  it('|code: explicitly no system', () => {
    expect(where('Slot', 'identifier=|45')).to.deep.equal({
      k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: '' }, { f: 'code', op: 'eq', v: '45' }],
    });
  });
  it('system|: any code in the system', () => {
    expect(where('Slot', 'identifier=http://example.org/scheduleid|')).to.deep.equal({
      k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 'http://example.org/scheduleid' }],
    });
  });
  it('a lone | is malformed', () => fails('Slot', 'identifier=|', /neither a system nor a code/, 'identifier'));
  it('comma = OR, merged into one `in` test when only the code differs', () => {
    expect(where('Appointment', 'status=booked,pending,booked')).to.deep.equal({
      k: 'idx', p: 'status', tests: [{ f: 'code', op: 'in', v: ['booked', 'pending'] }],
    });
    expect(where('Patient', 'identifier=s|1,s|2')).to.deep.equal({
      k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 's' }, { f: 'code', op: 'in', v: ['1', '2'] }],
    });
  });
  it('comma = OR, kept as `or` when alternatives differ in more than one test', () => {
    expect(where('Patient', 'identifier=s|1,t|2')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 's' }, { f: 'code', op: 'eq', v: '1' }] },
        { k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 't' }, { f: 'code', op: 'eq', v: '2' }] },
      ],
    });
    expect(where('Patient', 'identifier=1,t|2')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'identifier', tests: [{ f: 'code', op: 'eq', v: '1' }] },
        { k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 't' }, { f: 'code', op: 'eq', v: '2' }] },
      ],
    });
  });
  it('repeated parameter = AND', () => {
    expect(parse('Appointment', 'status=booked&status=pending').request.where).to.deep.equal([
      { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] },
      { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'pending' }] },
    ]);
  });
  it('escaped separators are part of the value', () => {
    expect(where('Patient', 'identifier=http://x|a\\|b')).to.deep.equal({
      k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 'http://x' }, { f: 'code', op: 'eq', v: 'a|b' }],
    });
    expect(where('Appointment', 'status=a\\,b')).to.deep.equal({ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'a,b' }] });
  });
  it(':not negates the whole OR (resources without the element match too)', () => {
    expect(where('Appointment', 'status:not=booked')).to.deep.equal({
      k: 'not', of: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] },
    });
    expect(where('Appointment', 'status:not=booked,cancelled')).to.deep.equal({
      k: 'not', of: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'in', v: ['booked', 'cancelled'] }] },
    });
  });
  it(':text: starts-with on the normalised display/text', () => {
    expect(where('Slot', 'service-type:text=Immunización')).to.deep.equal({
      k: 'idx', p: 'service-type', tests: [{ f: 'text', op: 'sw', v: 'immunizacion' }],
    });
    expect(where('Patient', 'identifier:text=Medical%20Record')).to.deep.equal({
      k: 'idx', p: 'identifier', tests: [{ f: 'text', op: 'sw', v: 'medical record' }],
    });
  });
  it(':of-type: type-system|type-code|value against the implicit identifier:of-type entries', () => {
    expect(where('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345')).to.deep.equal({
      k: 'idx', p: 'identifier:of-type',
      tests: [{ f: 'sys', op: 'eq', v: 'http://terminology.hl7.org/CodeSystem/v2-0203' }, { f: 'code', op: 'eq', v: 'MR|12345' }],
    });
    fails('Patient', 'identifier:of-type=MR|12345', /type-system\|type-code\|value/, 'identifier:of-type');
    fails('Patient', 'identifier:of-type=s||1', /type-system\|type-code\|value/);
    fails('Appointment', 'status:of-type=a|b|c', /identifiers only/);
  });
  it('booleans take true or false', () => {
    expect(where('Patient', 'active=true')).to.deep.equal({ k: 'idx', p: 'active', tests: [{ f: 'code', op: 'eq', v: 'true' }] });
    expect(where('Patient', 'deceased=false')).to.deep.equal({ k: 'idx', p: 'deceased', tests: [{ f: 'code', op: 'eq', v: 'false' }] });
    fails('Patient', 'active=yes', /boolean/, 'active');
    fails('Patient', 'active=s|true', /boolean/);
  });
  it(':missing', () => {
    expect(where('Appointment', 'specialty:missing=true')).to.deep.equal({ k: 'not', of: { k: 'idx', p: 'specialty', tests: [] } });
    expect(where('Appointment', 'specialty:missing=false')).to.deep.equal({ k: 'idx', p: 'specialty', tests: [] });
    fails('Appointment', 'specialty:missing=maybe', /true or false/, 'specialty:missing');
  });
  it('ContactPoint tokens (email, phone, telecom)', () => {
    expect(where('Patient', 'email=a@b.org')).to.deep.equal({ k: 'idx', p: 'email', tests: [{ f: 'code', op: 'eq', v: 'a@b.org' }] });
    expect(where('PractitionerRole', 'phone=(03)%205555%206473')).to.deep.equal({ k: 'idx', p: 'phone', tests: [{ f: 'code', op: 'eq', v: '(03) 5555 6473' }] });
  });
  it('_tag and _security are tokens on every type; system search allowed', () => {
    expect(where('Slot', '_tag=http://envelope/tags|seed')).to.deep.equal({
      k: 'idx', p: '_tag', tests: [{ f: 'sys', op: 'eq', v: 'http://envelope/tags' }, { f: 'code', op: 'eq', v: 'seed' }],
    });
    expect(where(['Slot', 'Appointment'], '_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R')).to.deep.equal({
      k: 'not', of: { k: 'idx', p: '_security', tests: [{ f: 'sys', op: 'eq', v: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality' }, { f: 'code', op: 'eq', v: 'R' }] },
    });
  });
  it('unsupported and unknown modifiers are 400s', () => {
    fails('ServiceRequest', 'code:in=http://vs', /':in' is not supported/, 'code:in');
    fails('ServiceRequest', 'code:below=http://snomed.info/sct|123', /':below' is not supported/);
    fails('Appointment', 'status:exact=x', /':exact' is not supported/);
    fails('Appointment', 'status:foo=x', /Unknown modifier ':foo'/, 'status:foo');
  });
  it('empty alternatives are malformed', () => fails('Appointment', 'status=a,,b', /Empty value/));
});

describe('search/parse: _id', () => {
  it('compiles to Cond id', () => {
    expect(where('Slot', '_id=a1')).to.deep.equal({ k: 'id', ids: ['a1'] });
    expect(where('Slot', '_id=a1,b-2,a1')).to.deep.equal({ k: 'id', ids: ['a1', 'b-2'] });
    expect(where(['Slot', 'Schedule'], '_id=x')).to.deep.equal({ k: 'id', ids: ['x'] });
  });
  it(':not and :missing', () => {
    expect(where('Slot', '_id:not=a1')).to.deep.equal({ k: 'not', of: { k: 'id', ids: ['a1'] } });
    expect(where('Slot', '_id:missing=true')).to.deep.equal({ k: 'false' });
    expect(parse('Slot', '_id:missing=false').request.where).to.deep.equal([]);
  });
  it('rejects invalid ids and other modifiers', () => {
    fails('Slot', '_id=a/b', /not a valid resource id/, '_id');
    fails('Slot', '_id:text=a', /not supported on '_id'|':text'/);
  });
});
