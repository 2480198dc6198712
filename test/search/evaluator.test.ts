// The oracle itself: FieldTest and Cond semantics as the store adapters must implement them.
import type { Cond, IndexValue } from '../../src/domain/search-types.js';
import { expect } from './support/chai.js';
import { filter, matches, testField, type EvalResource } from './support/evaluator.js';

describe('search oracle (test/search/support/evaluator.ts)', () => {
  const e: IndexValue = { p: 'x', sys: 'http://s', code: 'B', s: 'abc', n: 10, lo: '2024-01-01T00:00:00.000Z' };
  it('field tests: ordinal strings, numbers, missing fields fail except absent', () => {
    expect(testField(e, { f: 'code', op: 'eq', v: 'B' })).to.equal(true);
    expect(testField(e, { f: 'code', op: 'eq', v: 'b' })).to.equal(false); // case-sensitive
    expect(testField(e, { f: 'code', op: 'lt', v: 'a' })).to.equal(true); // ordinal: 'B' < 'a'
    expect(testField(e, { f: 'n', op: 'ge', v: 10 })).to.equal(true);
    expect(testField(e, { f: 'n', op: 'gt', v: 9.5 })).to.equal(true);
    expect(testField(e, { f: 'n', op: 'eq', v: '10' })).to.equal(false); // no coercion
    expect(testField(e, { f: 'text', op: 'ne', v: 'x' })).to.equal(false); // absent field fails ne too
    expect(testField(e, { f: 'text', op: 'absent' })).to.equal(true);
    expect(testField(e, { f: 's', op: 'exists' })).to.equal(true);
    expect(testField(e, { f: 's', op: 'sw', v: 'ab' })).to.equal(true);
    expect(testField(e, { f: 's', op: 'co', v: 'bc' })).to.equal(true);
    expect(testField(e, { f: 'code', op: 'in', v: ['A', 'B'] })).to.equal(true);
    expect(testField(e, { f: 'lo', op: 'lt', v: '2024-01-01T00:00:00.001Z' })).to.equal(true);
  });
  it('idx: all tests on one value; not; id; and/or', () => {
    const r: EvalResource = { type: 'Slot', id: '1', index: [{ p: 'd', lo: '1', hi: '5' }, { p: 'd', lo: '7', hi: '9' }] };
    expect(matches({ k: 'idx', p: 'd', tests: [{ f: 'lo', op: 'ge', v: '6' }, { f: 'hi', op: 'le', v: '9' }] }, r)).to.equal(true);
    expect(matches({ k: 'idx', p: 'd', tests: [{ f: 'lo', op: 'ge', v: '2' }, { f: 'hi', op: 'le', v: '6' }] }, r)).to.equal(false);
    expect(matches({ k: 'not', of: { k: 'idx', p: 'e', tests: [] } }, r)).to.equal(true);
    expect(matches({ k: 'id', ids: ['1'] }, r)).to.equal(true);
    const c: Cond = { k: 'or', of: [{ k: 'false' }, { k: 'and', of: [{ k: 'true' }, { k: 'id', ids: ['1'] }] }] };
    expect(matches(c, r)).to.equal(true);
  });
  it('chain follows local references only to resources of the listed types; has looks back', () => {
    const slot: EvalResource = { type: 'Slot', id: 's', index: [{ p: 'schedule', s: 'Schedule/h', rt: 'Schedule' }] };
    const sched: EvalResource = { type: 'Schedule', id: 'h', index: [{ p: 'active', sys: '', code: 'true' }] };
    const world = { resources: [slot, sched] };
    const active: Cond = { k: 'idx', p: 'active', tests: [{ f: 'code', op: 'eq', v: 'true' }] };
    expect(matches({ k: 'chain', p: 'schedule', types: ['Schedule'], where: active }, slot, world)).to.equal(true);
    expect(matches({ k: 'chain', p: 'schedule', types: ['Location'], where: active }, slot, world)).to.equal(false);
    expect(matches({ k: 'has', type: 'Slot', p: 'schedule', where: { k: 'true' } }, sched, world)).to.equal(true);
    expect(filter({ types: ['Slot'], where: [], sort: [], count: 10, total: 'none', visibility: { Slot: { k: 'true' } } }, world)).to.deep.equal([slot]);
    expect(filter({ types: ['Slot'], where: [], sort: [], count: 10, total: 'none', visibility: { Schedule: { k: 'true' } } }, world)).to.deep.equal([]);
  });
});
