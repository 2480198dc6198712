// What a run leaves behind: a valid R4 TestReport, JUnit XML a CI system can read, and a console
// report that shows the reason of every failure.
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { validateResource } from '../../src/fhir/validation/index.js';
import { toJUnit, xmlEscape } from '../../scripts/conformance/junit.js';
import { formatSuite, formatSummary } from '../../scripts/conformance/report.js';
import { toTestReport } from '../../scripts/conformance/test-report.js';
import type { ActionResult, SuiteResult } from '../../scripts/conformance/types.js';

const ok = (title: string, kind: ActionResult['kind'] = 'assert'): ActionResult => ({ kind, title, result: 'pass', message: 'fine' });
const op: ActionResult = { kind: 'operation', title: 'POST Appointment', result: 'pass', message: '409 Conflict (3 ms)', detail: 'http://x/fhir/Appointment' };
const failed: ActionResult = { kind: 'assert', title: 'The server answers 201.', result: 'fail', message: "status: expected equals '201', found '409' [response 409: <Slot & co> \"taken\"\u0001]" };

function result(overrides: Partial<SuiteResult> = {}): SuiteResult {
  return {
    suite: 'book', scriptId: 'envelope-book', scriptName: 'Booking a free slot', base: 'http://127.0.0.1:8080/fhir', runId: 'r1',
    startedAt: '2030-01-01T10:00:00.000Z', durationMs: 1234, result: 'fail',
    setup: [ok('PUT Slot/s1', 'operation'), ok('The slot is created.')],
    tests: [
      { name: 'The GP books a free slot', result: 'pass', actions: [ok('POST Appointment', 'operation'), ok('The server answers 201.')], durationMs: 20 },
      { name: 'The same slot cannot be booked twice', description: 'a "taken" slot', result: 'fail', actions: [op, failed, { kind: 'operation', title: 'read Slot', result: 'skip', message: 'skipped: an earlier step failed' }], durationMs: 7 },
    ],
    teardown: [ok('DELETE Slot/s1', 'operation')],
    notes: ['not set: patientToken (pass --var name=value)'],
    ...overrides,
  };
}

function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: (m: string) => problems.push(m), fatalError: (m: string) => problems.push(m) } }).parseFromString(xml, 'text/xml');
  assert.deepEqual(problems, [], 'well-formed XML');
  return doc as unknown as Document;
}

describe('conformance: report formats', () => {
  it('the TestReport is a valid R4 TestReport with the result, score and every action', () => {
    for (const r of [result(), result({ result: 'pass', tests: [result().tests[0]!] })]) {
      const report = toTestReport(r);
      const errors = validateResource(report).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      assert.deepEqual(errors, [], JSON.stringify(errors));
      assert.equal(report.result, r.result);
    }
    const report = toTestReport(result()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(report.score, 50);
    assert.equal(report.testScript.reference, 'TestScript/envelope-book');
    assert.deepEqual(report.participant.map((p: { type: string }) => p.type), ['test-engine', 'server']);
    assert.equal(report.participant[1].uri, 'http://127.0.0.1:8080/fhir');
    assert.deepEqual(report.test[1].action.map((a: Record<string, { result: string }>) => Object.values(a)[0]!.result), ['pass', 'fail', 'skip']);
    assert.match(report.test[1].action[1].assert.message, /expected equals '201', found '409'/);
    assert.equal(report.test[1].action[0].operation.detail, 'http://x/fhir/Appointment');
    assert.equal(report.teardown.action.length, 1);
  });

  it('JUnit: one testcase per test, failures with their reasons, escaped and well-formed', () => {
    const xml = toJUnit(result());
    const doc = parseXml(xml);
    const suite = doc.getElementsByTagName('testsuite')[0]!;
    assert.equal(suite.getAttribute('name'), 'book');
    assert.equal(suite.getAttribute('tests'), '2');
    assert.equal(suite.getAttribute('failures'), '1');
    const cases = doc.getElementsByTagName('testcase');
    assert.equal(cases.length, 2);
    assert.equal(cases[0]!.getElementsByTagName('failure').length, 0);
    const failure = cases[1]!.getElementsByTagName('failure')[0]!;
    assert.match(failure.getAttribute('message')!, /found '409' \[response 409: <Slot & co> "taken"\]/);
    assert.match(failure.textContent!, /SKIP\s+read Slot/);
    assert.equal(xmlEscape('a<b>&"\'\u0000'), 'a&lt;b&gt;&amp;&quot;&apos;');
  });

  it('JUnit: a failed setup is an error testcase and the tests it stopped are skipped', () => {
    const skipped = { kind: 'assert' as const, title: 'x', result: 'skip' as const, message: 'skipped: setup failed' };
    const r = result({
      setup: [{ kind: 'operation', title: 'PUT Slot/s1', result: 'error', message: 'connect ECONNREFUSED' }],
      tests: [{ name: 't1', result: 'skip', actions: [skipped], durationMs: 0 }],
    });
    const doc = parseXml(toJUnit(r));
    const suite = doc.getElementsByTagName('testsuite')[0]!;
    assert.equal(suite.getAttribute('errors'), '1');
    assert.equal(suite.getAttribute('skipped'), '1');
    assert.equal(doc.getElementsByTagName('error')[0]!.getAttribute('message'), 'PUT Slot/s1: connect ECONNREFUSED');
  });

  it('the console report: passing tests on one line, failing ones step by step with the reason', () => {
    const text = formatSuite(result());
    assert.match(text, /● book — Booking a free slot/);
    assert.match(text, /setup: 2 steps passed/);
    assert.match(text, /✔ The GP books a free slot \(2 steps, 20 ms\)\n/);
    assert.doesNotMatch(text, /POST Appointment — fine/, 'steps of passing tests are not listed');
    assert.match(text, /✘ The same slot cannot be booked twice/);
    assert.match(text, /✘ assert The server answers 201\. — status: expected equals '201', found '409'/);
    assert.match(text, /- read Slot/);
    assert.match(text, /note: not set: patientToken/);
    assert.match(text, /FAIL book: 1\/2 tests passed/);
    assert.match(formatSuite(result(), { verbose: true }), /POST Appointment — fine/);
    assert.equal(formatSummary([result(), result({ suite: 'hold', result: 'pass' })]), '1/2 suites passed, 2/4 tests; failed: book');
  });
});
