// A run as an R4 TestReport resource (http://hl7.org/fhir/R4/testreport.html): result and score,
// the runner and the server as participants, and each setup, test and teardown action with its
// result and message.
import type { ActionResult, SuiteResult } from './types.js';

type ReportAction = { operation: Outcome } | { assert: Outcome };
interface Outcome {
  result: ActionResult['result'];
  message?: string;
  detail?: string;
}

const ENGINE_URI = 'urn:envelope:conformance-runner';

function outcome(a: ActionResult): Outcome {
  const o: Outcome = { result: a.result, message: `${a.title}: ${a.message}` };
  if (a.detail) o.detail = a.detail;
  return o;
}

function actions(list: ActionResult[]): ReportAction[] {
  return list.map((a) => (a.kind === 'operation' ? { operation: outcome(a) } : { assert: outcome(a) }));
}

/** A FHIR id: letters, digits, `-` and `.`, at most 64. */
function fhirId(s: string): string {
  return s.replace(/[^A-Za-z0-9\-.]/g, '-').slice(0, 64) || 'report';
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toTestReport(r: SuiteResult): Record<string, unknown> {
  const passed = r.tests.filter((t) => t.result === 'pass').length;
  const score = r.tests.length === 0 ? 0 : Math.round((1000 * passed) / r.tests.length) / 10;
  const summary = `${r.suite}: ${r.result}, ${passed} of ${r.tests.length} tests passed against ${r.base} (run ${r.runId}).`;
  const report: Record<string, unknown> = {
    resourceType: 'TestReport',
    id: fhirId(`${r.suite}-${r.runId}`),
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeHtml(summary)}</p></div>` },
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:envelope:conformance:${encodeURIComponent(r.suite)}:${encodeURIComponent(r.runId)}` },
    name: `${r.scriptName} against ${r.base}`,
    status: 'completed',
    testScript: { reference: `TestScript/${fhirId(r.scriptId)}`, display: r.scriptName },
    result: r.result,
    score,
    tester: 'Envelope conformance runner',
    issued: r.startedAt,
    participant: [
      { type: 'test-engine', uri: ENGINE_URI, display: 'npm run conformance' },
      { type: 'server', uri: r.base },
    ],
  };
  if (r.setup.length) report.setup = { action: actions(r.setup) };
  report.test = r.tests
    .filter((t) => t.actions.length > 0)
    .map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), action: actions(t.actions) }));
  if ((report.test as unknown[]).length === 0) delete report.test;
  // R4 allows only operations in a teardown.
  const down = r.teardown.filter((a) => a.kind === 'operation');
  if (down.length) report.teardown = { action: down.map((a) => ({ operation: outcome(a) })) };
  return report;
}
