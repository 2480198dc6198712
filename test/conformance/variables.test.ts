// TestScript variables: where values come from and in which order, evaluation against fixtures and
// responses at the moment of use, and substitution that names every variable it could not fill.
import assert from 'node:assert/strict';
import { builtinVariables, referencedNames, UnresolvedVariableError, Variables, type Source } from '../../scripts/conformance/variables.js';
import type { ScriptVariable } from '../../scripts/conformance/types.js';

function vars(defs: ScriptVariable[], given: Record<string, string> = {}, sources: Record<string, Source> = {}, last?: Source): Variables {
  return new Variables(defs, given, { runId: 'run1', runStart: '2030-01-02T03:04:05.678Z' }, {
    source: (id) => (id === undefined ? last : sources[id]),
  });
}

describe('conformance: variables', () => {
  it('built-ins: a runId unique per call and the run start as an instant', () => {
    const a = builtinVariables(new Date('2030-01-02T03:04:05.678Z'));
    const b = builtinVariables(new Date('2030-01-02T03:04:05.678Z'));
    assert.equal(a.runStart, '2030-01-02T03:04:05.678Z');
    assert.match(a.runId!, /^[a-z0-9]{8,16}$/);
    assert.notEqual(a.runId, b.runId);
    assert.equal(builtinVariables(new Date(), 'fixed').runId, 'fixed');
  });

  it('the command line wins over the TestScript, which wins over the built-ins', () => {
    const v = vars([{ name: 'runId', defaultValue: 'from-script' }, { name: 'x', defaultValue: 'script-x' }], { x: 'cli-x' });
    assert.equal(v.value('x'), 'cli-x');
    assert.equal(v.value('runId'), 'from-script');
    assert.equal(v.value('runStart'), '2030-01-02T03:04:05.678Z');
    assert.equal(v.value('nope'), undefined);
  });

  it('substitutes in text and in every string of a JSON value, leaving keys alone', () => {
    const v = vars([], { id: 'p1', key: 'K' });
    assert.equal(v.substitute('Patient/${id}?x=${id}'), 'Patient/p1?x=p1');
    assert.deepEqual(v.substituteJson({ '${key}': ['${id}', 3, { ref: 'Patient/${id}' }], n: null }), { '${key}': ['p1', 3, { ref: 'Patient/p1' }], n: null });
    assert.deepEqual(referencedNames('${a} ${b} ${a}'), ['a', 'b']);
  });

  it('names every variable it cannot fill, and how to fill it', () => {
    const v = vars([{ name: 'fromResponse', expression: 'id', sourceId: 'created' }]);
    assert.throws(() => v.substitute('${gpToken} ${fromResponse}'), (e: unknown) => {
      assert.ok(e instanceof UnresolvedVariableError);
      assert.deepEqual(e.names, ['gpToken', 'fromResponse']);
      assert.match(e.message, /gpToken is not set \(pass --var gpToken=\.\.\.\)/);
      assert.match(e.message, /source 'created' has not been produced yet/);
      return true;
    });
  });

  it('evaluates FHIRPath against its sourceId (fixture or response), or the last response, when used', () => {
    const sources: Record<string, Source> = { fx: { body: { resourceType: 'Patient', identifier: [{ system: 's', value: '42' }] } } };
    let last: Source | undefined = { body: { resourceType: 'Slot', id: 'first' } };
    const v = new Variables(
      [{ name: 'nhs', expression: "Patient.identifier.where(system = 's').value", sourceId: 'fx' }, { name: 'lastId', expression: 'id' }],
      {}, {}, { source: (id) => (id === undefined ? last : sources[id]) },
    );
    assert.equal(v.value('nhs'), '42');
    assert.equal(v.value('lastId'), 'first');
    last = { body: { resourceType: 'Slot', id: 'second' } };
    assert.equal(v.value('lastId'), 'second');
  });

  it('expressions may use other variables and FHIRPath date arithmetic', () => {
    const v = vars([{ name: 'start', expression: '(@${runStart} + 21 days).toString()' }, { name: 'end', expression: '(@${runStart} + 21 days + 30 minutes).toString()' }]);
    assert.equal(Date.parse(v.value('start')!), Date.parse('2030-01-23T03:04:05.678Z'));
    assert.equal(Date.parse(v.value('end')!) - Date.parse(v.value('start')!), 30 * 60_000);
  });

  it('headerField reads a response header; path reads JSON; defaultValue when nothing is found', () => {
    const sources: Record<string, Source> = { res: { headers: { location: 'http://x/fhir/Slot/9/_history/1' }, body: { resourceType: 'Bundle', entry: [{ resource: { id: 'a' } }, { resource: { id: 'b' } }] } } };
    const v = vars([
      { name: 'loc', headerField: 'Location', sourceId: 'res' },
      { name: 'second', path: '$.entry[1].resource.id', sourceId: 'res' },
      { name: 'absent', path: 'total', sourceId: 'res', defaultValue: 'none-${runId}' },
    ], {}, sources);
    assert.equal(v.value('loc'), 'http://x/fhir/Slot/9/_history/1');
    assert.equal(v.value('second'), 'b');
    assert.equal(v.value('absent'), 'none-run1');
  });

  it('a variable that depends on itself is an error, not a hang', () => {
    const v = vars([{ name: 'a', defaultValue: '${b}' }, { name: 'b', defaultValue: '${a}' }]);
    assert.throws(() => v.value('a'), /depends on itself \(a -> b -> a\)/);
  });
});
