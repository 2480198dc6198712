// The suites in fixtures/: each loads, its TestScript is R4 apart from the file paths its fixtures
// are read from, every fixture resource is valid R4 once its variables are filled, every file is
// used, and every variable a suite needs is one the CI test supplies and the docs describe.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateResource } from '../../src/fhir/validation/index.js';
import { DEFAULT_FIXTURES_DIR, listSuites, loadSuite, SuiteError, type Suite } from '../../scripts/conformance/load-suite.js';
import { suiteNeeds } from '../../scripts/conformance/suite-info.js';
import { builtinVariables, Variables } from '../../scripts/conformance/variables.js';
import { TOKEN_CLAIMS } from './envelope-server.js';

const WORKFLOWS = ['publish-slots', 'refer', 'search-free-slots', 'hold', 'book', 'reschedule', 'cancel', 'consent-deny', 'sealed-referral', 'break-glass'];

/** A fixture's JSON with its variables filled: what can be computed now is, ids of responses are stand-ins. */
function filled(suite: Suite, body: unknown): unknown {
  const probe = new Variables(suite.script.variable ?? [], {}, builtinVariables(), { source: () => undefined });
  const standIns: Record<string, string> = {};
  for (const v of suite.script.variable ?? []) {
    try {
      if (probe.value(v.name) === undefined) standIns[v.name] = 'stand-in-1';
    } catch {
      standIns[v.name] = 'stand-in-1';
    }
  }
  for (const n of suiteNeeds(suite)) standIns[n] = 'stand-in-1';
  return new Variables(suite.script.variable ?? [], standIns, builtinVariables(), { source: () => undefined }).substituteJson(body);
}

describe('conformance: the fixture suites', () => {
  const names = listSuites();
  const suites = names.map((n) => loadSuite(n));

  it('hold the estate and every workflow of the issue', () => {
    assert.deepEqual([...names].sort(), ['estate', ...WORKFLOWS].sort());
  });

  it('each TestScript is valid R4 apart from its fixtures being read from files', () => {
    for (const s of suites) {
      const errors = validateResource(s.script).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      const other = errors.filter((i) => !/^TestScript\.fixture\[\d+\]\.resource\.reference$/.test(i.expression?.[0] ?? ''));
      assert.deepEqual(other, [], `${s.name}: ${JSON.stringify(other)}`);
      assert.ok((s.script.test ?? []).length >= 4, `${s.name} has tests`);
      for (const t of s.script.test ?? []) assert.ok(t.name && t.description && (t.action ?? []).some((a) => a.assert), `${s.name}: ${t.name} states and asserts`);
    }
  });

  it('every fixture resource is valid R4 once its variables are filled, except those named invalid on purpose', () => {
    for (const s of suites) {
      for (const f of s.fixtures.values()) {
        if (Array.isArray(f.body)) continue; // JSON Patch documents
        const errors = validateResource(filled(s, f.body), { allowConditionalReferences: true }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (/-invalid-/.test(f.source)) assert.notDeepEqual(errors, [], `${s.name}/${f.source} is meant to be invalid`);
        else assert.deepEqual(errors, [], `${s.name}/${f.source}: ${JSON.stringify(errors)}`);
      }
    }
  });

  it('every file of a suite folder is its TestScript or one of its fixtures', () => {
    for (const s of suites) {
      const used = new Set([...s.fixtures.values()].map((f) => f.source.split('/').pop()));
      for (const file of readdirSync(s.dir)) {
        if (!file.startsWith('TestScript')) assert.ok(used.has(file), `${s.name}/${file} is not used by its TestScript`);
      }
    }
  });

  it('the variables a suite needs are role tokens the CI test mints and the docs describe', () => {
    const docs = readFileSync(join(DEFAULT_FIXTURES_DIR, '..', 'docs', 'conformance.md'), 'utf8');
    const index = readFileSync(join(DEFAULT_FIXTURES_DIR, 'README.md'), 'utf8');
    for (const s of suites) {
      for (const n of suiteNeeds(s)) {
        assert.ok(n in TOKEN_CLAIMS, `${s.name} needs ${n}, which the CI test does not supply`);
        assert.ok(docs.includes(`\`${n}\``), `docs/conformance.md does not describe ${n}`);
      }
      assert.ok(index.includes(`\`${s.name}\``), `fixtures/README.md does not list ${s.name}`);
    }
  });

  describe('a broken suite is reported before anything is sent', () => {
    let dir: string;
    const script = (fixture: unknown[], contained: unknown[] = []) => ({ resourceType: 'TestScript', name: 'T', status: 'draft', url: 'urn:x', contained, fixture });
    const write = (suite: string, json: unknown, extra: Record<string, unknown> = {}) => {
      mkdirSync(join(dir, 'fixtures', suite), { recursive: true });
      writeFileSync(join(dir, 'fixtures', suite, 'TestScript-x.json'), JSON.stringify(json));
      for (const [f, body] of Object.entries(extra)) writeFileSync(join(dir, 'fixtures', suite, f), JSON.stringify(body));
    };
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'conformance-suites-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reads fixtures from the project root, the suite folder, or the TestScript itself', () => {
      write('good', script([
        { id: 'a', resource: { reference: 'fixtures/good/Patient-a.json' } },
        { id: 'b', resource: { reference: 'Patient-a.json' } },
        { id: 'c', resource: { reference: '#c1' } },
      ], [{ resourceType: 'Patient', id: 'c1' }]), { 'Patient-a.json': { resourceType: 'Patient', id: 'a' } });
      const s = loadSuite('good', join(dir, 'fixtures'));
      assert.deepEqual([...s.fixtures.values()].map((f) => (f.body as { id: string }).id), ['a', 'a', 'c1']);
      assert.deepEqual(listSuites(join(dir, 'fixtures')), ['good']);
    });

    it('names the missing file, the duplicate id, the unknown suite', () => {
      write('missing', script([{ id: 'a', resource: { reference: 'fixtures/missing/Nope.json' } }]));
      assert.throws(() => loadSuite('missing', join(dir, 'fixtures')), (e: unknown) => e instanceof SuiteError && /fixture\[0\]: fixture file fixtures\/missing\/Nope\.json not found/.test(e.message));
      write('dup', script([{ id: 'a', resource: { reference: '#x' } }, { id: 'a', resource: { reference: '#x' } }], [{ resourceType: 'Patient', id: 'x' }]));
      assert.throws(() => loadSuite('dup', join(dir, 'fixtures')), /fixture id 'a' is used twice/);
      write('remote', script([{ id: 'a', resource: { reference: 'http://example.org/Patient/1' } }]));
      assert.throws(() => loadSuite('remote', join(dir, 'fixtures')), /remote fixtures are not supported/);
      assert.throws(() => loadSuite('../etc', join(dir, 'fixtures')), /no suite '\.\.\/etc'/);
      write('notjson', script([]), {});
      writeFileSync(join(dir, 'fixtures', 'notjson', 'TestScript-x.json'), '{ nope');
      assert.throws(() => loadSuite('notjson', join(dir, 'fixtures')), /TestScript-x\.json: /);
    });
  });
});
