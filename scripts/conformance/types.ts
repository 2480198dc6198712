// The parts of an R4 TestScript the runner reads, typed loosely: a suite is JSON written by hand, so
// codes are plain strings here and the runner reports a code it does not know instead of the type
// system pretending it cannot occur. Also the shapes of what a run produces.

export type Json = Record<string, unknown>;

export interface ScriptFixture {
  id?: string;
  autocreate?: boolean;
  autodelete?: boolean;
  resource?: { reference?: string; display?: string };
}

export interface ScriptVariable {
  name: string;
  defaultValue?: string;
  description?: string;
  expression?: string;
  headerField?: string;
  hint?: string;
  path?: string;
  sourceId?: string;
}

export interface ScriptProfile {
  id?: string;
  reference?: string;
}

export interface ScriptRequestHeader {
  field: string;
  value: string;
}

export interface ScriptOperation {
  type?: { system?: string; code?: string };
  resource?: string;
  label?: string;
  description?: string;
  accept?: string;
  contentType?: string;
  encodeRequestUrl?: boolean;
  method?: string;
  params?: string;
  requestHeader?: ScriptRequestHeader[];
  requestId?: string;
  responseId?: string;
  sourceId?: string;
  targetId?: string;
  url?: string;
}

export interface ScriptAssert {
  label?: string;
  description?: string;
  direction?: 'request' | 'response';
  compareToSourceId?: string;
  compareToSourceExpression?: string;
  compareToSourcePath?: string;
  contentType?: string;
  expression?: string;
  headerField?: string;
  minimumId?: string;
  navigationLinks?: boolean;
  operator?: string;
  path?: string;
  requestMethod?: string;
  requestURL?: string;
  resource?: string;
  response?: string;
  responseCode?: string;
  sourceId?: string;
  validateProfileId?: string;
  value?: string;
  warningOnly?: boolean;
}

export interface ScriptAction {
  operation?: ScriptOperation;
  assert?: ScriptAssert;
}

export interface ScriptTest {
  id?: string;
  name?: string;
  description?: string;
  action?: ScriptAction[];
}

export interface TestScriptDoc {
  resourceType: 'TestScript';
  id?: string;
  url?: string;
  name?: string;
  title?: string;
  description?: string;
  contained?: Json[];
  fixture?: ScriptFixture[];
  profile?: ScriptProfile[];
  variable?: ScriptVariable[];
  setup?: { action?: ScriptAction[] };
  test?: ScriptTest[];
  teardown?: { action?: { operation?: ScriptOperation }[] };
}

/** TestReport result codes (http://hl7.org/fhir/report-action-result-codes). */
export type ActionOutcome = 'pass' | 'skip' | 'fail' | 'warning' | 'error';

export interface ActionResult {
  kind: 'operation' | 'assert';
  /** What the action did or checked, e.g. `POST Appointment` or `responseCode 201`. */
  title: string;
  result: ActionOutcome;
  /** Why it passed or failed, in words a tester can act on. */
  message: string;
  /** For operations: the absolute URL requested. */
  detail?: string;
}

export interface TestResult {
  name: string;
  description?: string;
  result: 'pass' | 'fail' | 'skip';
  actions: ActionResult[];
  durationMs: number;
}

export interface SuiteResult {
  suite: string;
  scriptId: string;
  scriptName: string;
  base: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  result: 'pass' | 'fail';
  setup: ActionResult[];
  tests: TestResult[];
  teardown: ActionResult[];
  /** Things a tester should know that are not failures (e.g. a token variable left unset). */
  notes: string[];
}

/** Whether an action's outcome counts against the suite. */
export function isFailure(r: ActionOutcome): boolean {
  return r === 'fail' || r === 'error';
}
