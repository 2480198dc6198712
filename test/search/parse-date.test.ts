import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { parse, where } from './support/fixtures.js';

const DAY = { lo: '2013-12-10T00:00:00.000Z', hi: '2013-12-10T23:59:59.999Z' };
const within = { k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'ge', v: DAY.lo }, { f: 'hi', op: 'le', v: DAY.hi }] };

describe('search/parse: date', () => {
  it('no prefix = eq: the stored range lies within the search range', () => {
    expect(where('Appointment', 'date=2013-12-10')).to.deep.equal(within);
    expect(where('Appointment', 'date=eq2013-12-10')).to.deep.equal(within);
  });
  it('ne', () => {
    expect(where('Appointment', 'date=ne2013-12-10')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'lt', v: DAY.lo }] },
        { k: 'idx', p: 'date', tests: [{ f: 'hi', op: 'gt', v: DAY.hi }] },
      ],
    });
  });
  it('gt / lt: the stored range reaches above / below the search range', () => {
    expect(where('Appointment', 'date=gt2013-12-10')).to.deep.equal({ k: 'idx', p: 'date', tests: [{ f: 'hi', op: 'gt', v: DAY.hi }] });
    expect(where('Appointment', 'date=lt2013-12-10')).to.deep.equal({ k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'lt', v: DAY.lo }] });
  });
  it('ge / le: gt / lt, or contained', () => {
    expect(where('Appointment', 'date=ge2013-12-10')).to.deep.equal({
      k: 'or', of: [{ k: 'idx', p: 'date', tests: [{ f: 'hi', op: 'gt', v: DAY.hi }] }, within],
    });
    expect(where('Appointment', 'date=le2013-12-10')).to.deep.equal({
      k: 'or', of: [{ k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'lt', v: DAY.lo }] }, within],
    });
  });
  it('sa / eb: starts after / ends before the search range', () => {
    expect(where('Appointment', 'date=sa2013-12-10')).to.deep.equal({ k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'gt', v: DAY.hi }] });
    expect(where('Appointment', 'date=eb2013-12-10')).to.deep.equal({ k: 'idx', p: 'date', tests: [{ f: 'hi', op: 'lt', v: DAY.lo }] });
  });
  it('ap: overlap with the range widened by 10% of its distance from now', () => {
    // now = 2025-06-15T12:00Z; the search day ends 2013-12-10T23:59:59.999Z, 4204.5 days before
    // (less 1 ms); 10% = 420 days 10h48m, taken off the start and added to the end.
    const c = where('Appointment', 'date=ap2013-12-10') as { tests: { v: string }[] };
    expect(c).to.deep.equal({
      k: 'idx', p: 'date',
      tests: [{ f: 'lo', op: 'le', v: '2015-02-04T10:47:59.999Z' }, { f: 'hi', op: 'ge', v: '2012-10-15T13:12:00.000Z' }],
    });
    // A range containing now is not widened.
    expect(where('Appointment', 'date=ap2025-06')).to.deep.equal({
      k: 'idx', p: 'date',
      tests: [{ f: 'lo', op: 'le', v: '2025-06-30T23:59:59.999Z' }, { f: 'hi', op: 'ge', v: '2025-06-01T00:00:00.000Z' }],
    });
  });
  it('the precision of the value sets the search range', () => {
    const range = (q: string) => (where('Slot', `start=${q}`) as { tests: { v: string }[] }).tests.map((t) => t.v);
    expect(range('2024')).to.deep.equal(['2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z']);
    expect(range('2024-02')).to.deep.equal(['2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z']);
    expect(range('2024-02-10T10:00')).to.deep.equal(['2024-02-10T10:00:00.000Z', '2024-02-10T10:00:59.999Z']);
    expect(range('2024-02-10T10:00:30Z')).to.deep.equal(['2024-02-10T10:00:30.000Z', '2024-02-10T10:00:30.999Z']);
    expect(range('2024-02-10T10:00:30.250Z')).to.deep.equal(['2024-02-10T10:00:30.250Z', '2024-02-10T10:00:30.250Z']);
    expect(range('2024-02-10T10:00:30%2B02:00')).to.deep.equal(['2024-02-10T08:00:30.000Z', '2024-02-10T08:00:30.999Z']);
    expect(range('2024-02-10T10:00:30-05:00')).to.deep.equal(['2024-02-10T15:00:30.000Z', '2024-02-10T15:00:30.999Z']);
  });
  it('comma = OR; repeated = AND (a range query)', () => {
    expect(where('Appointment', 'date=2013,2015')).to.deep.equal({
      k: 'or', of: [
        { k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'ge', v: '2013-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2013-12-31T23:59:59.999Z' }] },
        { k: 'idx', p: 'date', tests: [{ f: 'lo', op: 'ge', v: '2015-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2015-12-31T23:59:59.999Z' }] },
      ],
    });
    expect(parse('Slot', 'start=sa2024-01-01&start=eb2024-02-01').request.where).to.deep.equal([
      { k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'gt', v: '2024-01-01T23:59:59.999Z' }] },
      { k: 'idx', p: 'start', tests: [{ f: 'hi', op: 'lt', v: '2024-02-01T00:00:00.000Z' }] },
    ]);
  });
  it('_lastUpdated is a date parameter on every type and in system searches', () => {
    expect(where(['Slot', 'Appointment'], '_lastUpdated=gt2025-01-01T10:00:00Z')).to.deep.equal({
      k: 'idx', p: '_lastUpdated', tests: [{ f: 'hi', op: 'gt', v: '2025-01-01T10:00:00.999Z' }],
    });
  });
  it(':missing', () => {
    expect(where('ServiceRequest', 'occurrence:missing=true')).to.deep.equal({ k: 'not', of: { k: 'idx', p: 'occurrence', tests: [] } });
  });
  it('malformed dates, unknown prefixes and modifiers are 400s naming the parameter', () => {
    fails('Appointment', 'date=2013-13-01', /not a valid date/, 'date');
    fails('Appointment', 'date=2013-02-30', /not a valid date/);
    fails('Appointment', 'date=13-12-10', /not a valid date/);
    fails('Appointment', 'date=2013-12-10T9:00', /not a valid date/);
    fails('Appointment', 'date=today', /Unknown prefix 'to'/, 'date');
    fails('Appointment', 'date=xx2013', /Unknown prefix 'xx'/);
    fails('Appointment', 'date=ge', /not a valid date/);
    fails('Appointment', 'date=GE2013', /not a valid date/);
    fails('Appointment', 'date:exact=2013', /':exact' is not supported on date/, 'date:exact');
    fails('Slot', '_lastUpdated=2013-1', /not a valid date/, '_lastUpdated');
  });
});
