// Assert operators (R4 assert-operator-codes) over the values an assert read, and JSON paths.
import assert from 'node:assert/strict';
import { selectPath } from '../../scripts/conformance/json-path.js';
import { compare } from '../../scripts/conformance/operators.js';

describe('conformance: operators and paths', () => {
  it('equals / notEquals compare the values joined with commas', () => {
    assert.equal(compare('equals', ['booked'], 'booked').ok, true);
    assert.equal(compare('equals', ['a', 'b'], 'a,b').ok, true);
    assert.equal(compare('equals', ['a', 'b'], 'b,a').ok, false);
    assert.equal(compare('equals', [], '').ok, false, 'nothing found never equals');
    assert.equal(compare('notEquals', ['free'], 'busy').ok, true);
    assert.equal(compare('notEquals', ['busy'], 'busy').ok, false);
  });

  it('in / notIn read the expected value as a list', () => {
    assert.equal(compare('in', ['201'], '200,201').ok, true);
    assert.equal(compare('in', ['204'], '200, 201').ok, false);
    assert.equal(compare('in', [], '200').ok, false);
    assert.equal(compare('notIn', ['404'], '200,201').ok, true);
    assert.equal(compare('notIn', ['201'], '200,201').ok, false);
  });

  it('greaterThan / lessThan compare numbers as numbers and instants as times', () => {
    assert.equal(compare('greaterThan', ['10'], '9').ok, true, '10 > 9 although "10" < "9" as text');
    assert.equal(compare('lessThan', ['10'], '9').ok, false);
    assert.equal(compare('greaterThan', ['2030-01-01T10:00:00+01:00'], '2030-01-01T08:30:00Z').ok, true);
    assert.equal(compare('lessThan', ['b'], 'c').ok, true);
    assert.equal(compare('greaterThan', ['1', '2'], '0').ok, false, 'one value only');
  });

  it('empty / notEmpty / contains / notContains', () => {
    assert.equal(compare('empty', [], undefined).ok, true);
    assert.equal(compare('empty', ['x'], undefined).ok, false);
    assert.equal(compare('notEmpty', ['x'], undefined).ok, true);
    assert.equal(compare('contains', ['a', 'slot-9'], 'slot-9').ok, true);
    assert.equal(compare('contains', [], 'x').ok, false);
    assert.equal(compare('notContains', ['a'], 'b').ok, true);
    assert.equal(compare('notContains', ['ab'], 'b').ok, false);
  });

  it('reports what was found', () => {
    assert.equal(compare('equals', [], 'x').found, 'nothing');
    assert.equal(compare('equals', ['y'], 'x').found, "'y'");
    assert.equal(compare('equals', ['a', 'b'], 'x').found, '2 values: a, b');
  });

  it('JSON paths: $-rooted, dotted, indexed, the slash form, arrays walked', () => {
    const doc = { resourceType: 'Bundle', entry: [{ resource: { id: 'a', name: [{ given: ['x', 'y'] }] } }, { resource: { id: 'b' } }] };
    assert.deepEqual(selectPath(doc, '$.entry[1].resource.id'), ['b']);
    assert.deepEqual(selectPath(doc, 'entry.resource.id'), ['a', 'b']);
    assert.deepEqual(selectPath(doc, 'Bundle.entry[0].resource.name.given'), ['x', 'y']);
    assert.deepEqual(selectPath(doc, 'entry[*].resource.id'), ['a', 'b']);
    assert.deepEqual(selectPath({ resourceType: 'Patient', id: 'p' }, 'Patient/id'), ['p']);
    assert.deepEqual(selectPath(doc, 'entry.nothing'), []);
    assert.throws(() => selectPath(doc, 'entry..x'), /cannot read/);
  });
});
