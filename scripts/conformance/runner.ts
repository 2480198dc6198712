// Runs one suite's TestScript against a server: fixtures autocreated, setup, each test, teardown,
// fixtures autodeleted. A failure in setup skips the tests (teardown still runs); within a test, the
// asserts on the operation that failed are still evaluated (they say more about the failure), later
// operations are skipped.
import { evaluateAssert, type AssertContext } from './asserts.js';
import { send, type FetchLike, type HttpRequest, type HttpResponse } from './http.js';
import type { Suite } from './load-suite.js';
import { buildRequest, operationTitle, type OperationContext } from './operations.js';
import { suiteNeeds } from './suite-info.js';
import { isFailure, type ActionResult, type ScriptAction, type ScriptOperation, type SuiteResult, type TestResult } from './types.js';
import { builtinVariables, Variables, type Source } from './variables.js';

export interface RunOptions {
  /** FHIR base URL of the server under test. */
  base: string;
  /** Default bearer token for every request. */
  token?: string;
  /** `--var name=value`: override or supply TestScript variables (tokens, runId, ...). */
  vars?: Record<string, string>;
  /** The built-in variables (runId, runStart); one set shared by every suite of a run. */
  builtins?: Record<string, string>;
  fetch?: FetchLike;
  timeoutMs?: number;
}

interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
}

export async function runSuite(suite: Suite, opts: RunOptions): Promise<SuiteResult> {
  const started = new Date();
  const base = opts.base.replace(/\/+$/, '');
  const recorded = new Map<string, Source>();
  const notes = new Set<string>();
  let last: Exchange | undefined;

  const source = (id: string | undefined): Source | undefined => {
    if (id === undefined) return last?.response && { headers: last.response.headers, body: last.response.body, status: last.response.status };
    const r = recorded.get(id);
    if (r) return r;
    const f = suite.fixtures.get(id);
    return f ? { body: variables.substituteJson(f.body) } : undefined;
  };
  const variables = new Variables(suite.script.variable ?? [], opts.vars ?? {}, opts.builtins ?? builtinVariables(), { source });
  const opCtx: OperationContext = { base, variables, source };
  const unset = suiteNeeds(suite).filter((n) => variables.value(n) === undefined);
  if (unset.length) {
    notes.add(`not set: ${unset.join(', ')} (pass --var name=value); steps that authenticate with them send ${opts.token ? 'the --token' : 'no Authorization'}`);
  }
  if (opts.token) opCtx.token = opts.token;
  const profiles = new Map((suite.script.profile ?? []).filter((p) => p.id && p.reference).map((p) => [p.id!, p.reference!]));

  const exchange = async (req: HttpRequest): Promise<HttpResponse> => send(req, { ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });

  const assertCtx = (): AssertContext => {
    const ctx: AssertContext = {
      base, variables, source, profiles,
      validateRemotely: (body, profile) => validateRemotely(base, opts.token, exchange, body, profile),
    };
    if (last) ctx.last = last;
    return ctx;
  };

  async function operation(op: ScriptOperation): Promise<ActionResult> {
    let req: HttpRequest;
    try {
      req = buildRequest(op, opCtx);
    } catch (e) {
      return { kind: 'operation', title: operationTitle(undefined, op, base), result: 'error', message: (e as Error).message };
    }
    const title = operationTitle(req, op, base);
    if (op.requestId) recorded.set(op.requestId, { headers: req.headers, body: req.body });
    try {
      const res = await exchange(req);
      last = { request: req, response: res };
      if (op.responseId) recorded.set(op.responseId, { headers: res.headers, body: res.body, status: res.status });
      return { kind: 'operation', title, result: 'pass', message: `${res.status} ${res.statusText} (${res.durationMs} ms)`, detail: req.url };
    } catch (e) {
      last = { request: req };
      return { kind: 'operation', title, result: 'error', message: (e as Error).message, detail: req.url };
    }
  }

  async function actions(list: readonly ScriptAction[], results: ActionResult[]): Promise<boolean> {
    let failed = false;
    let checking = true; // whether the asserts that follow have an operation to check
    for (const a of list) {
      if (a.operation) {
        if (failed) {
          results.push({ kind: 'operation', title: operationTitle(undefined, a.operation, base), result: 'skip', message: 'skipped: an earlier step failed' });
          checking = false;
          continue;
        }
        const r = await operation(a.operation);
        results.push(r);
        checking = r.result !== 'error';
        if (isFailure(r.result)) failed = true;
      } else if (a.assert) {
        if (!checking) {
          results.push({ kind: 'assert', title: a.assert.description ?? a.assert.label ?? 'assert', result: 'skip', message: 'skipped: its operation did not run' });
          continue;
        }
        const r = await evaluateAssert(a.assert, assertCtx());
        results.push(r);
        if (isFailure(r.result)) failed = true;
      }
    }
    return !failed;
  }

  // Setup: autocreated fixtures first (recorded under their fixture id, so later steps see the server's copy).
  const setup: ActionResult[] = [];
  const created: { fixture: string; type: string; id: string; autodelete: boolean }[] = [];
  let setupOk = true;
  for (const f of suite.fixtures.values()) {
    if (!f.autocreate || !setupOk) continue;
    const r = await operation({ type: { code: 'create' }, sourceId: f.id, responseId: f.id, label: `autocreate ${f.id}` });
    const res = last?.response;
    const body = res?.body as { resourceType?: string; id?: string } | undefined;
    if (r.result === 'pass' && res && res.status < 300 && body?.id && body.resourceType) {
      created.push({ fixture: f.id, type: body.resourceType, id: body.id, autodelete: f.autodelete });
    } else if (r.result === 'pass') {
      r.result = 'fail';
      r.message = `the server did not create fixture ${f.id}: ${r.message}`;
    }
    setup.push(r);
    setupOk = !isFailure(r.result);
  }
  if (setupOk) setupOk = await actions(suite.script.setup?.action ?? [], setup);

  const tests: TestResult[] = [];
  for (const [i, t] of (suite.script.test ?? []).entries()) {
    const name = t.name ?? t.id ?? `test ${i + 1}`;
    const begin = performance.now();
    const results: ActionResult[] = [];
    if (!setupOk) {
      for (const a of t.action ?? []) {
        const title = a.operation ? operationTitle(undefined, a.operation, base) : (a.assert?.description ?? a.assert?.label ?? 'assert');
        results.push({ kind: a.operation ? 'operation' : 'assert', title, result: 'skip', message: 'skipped: setup failed' });
      }
    } else {
      last = undefined;
      await actions(t.action ?? [], results);
    }
    const result = results.some((r) => isFailure(r.result)) ? 'fail' : !setupOk ? 'skip' : 'pass';
    const test: TestResult = { name, result, actions: results, durationMs: Math.round(performance.now() - begin) };
    if (t.description) test.description = t.description;
    tests.push(test);
  }

  // Teardown runs whatever happened before: it cleans up.
  const teardown: ActionResult[] = [];
  for (const a of suite.script.teardown?.action ?? []) {
    if (!a.operation) continue;
    const r = await operation(a.operation);
    // A step that cannot even be built cleans up something that was never made (its test failed
    // earlier): nothing to do, and not a failure of its own.
    if (r.result === 'error' && r.detail === undefined) teardown.push({ ...r, result: 'skip', message: `skipped: ${r.message}` });
    else teardown.push(r);
  }
  for (const c of created.reverse()) {
    if (c.autodelete) teardown.push(await operation({ type: { code: 'delete' }, resource: c.type, params: `/${c.id}`, label: `autodelete ${c.fixture}` }));
  }

  const failed = !setupOk || [...setup, ...teardown].some((r) => isFailure(r.result)) || tests.some((t) => t.result === 'fail');
  return {
    suite: suite.name,
    scriptId: suite.script.id ?? suite.name,
    scriptName: suite.script.title ?? suite.script.name ?? suite.name,
    base,
    runId: variables.value('runId') ?? '',
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    result: failed ? 'fail' : 'pass',
    setup,
    tests,
    teardown,
    notes: [...notes],
  };
}

/** `$validate` on the server under test, for a profile the runner cannot check itself. */
async function validateRemotely(
  base: string, token: string | undefined, exchange: (r: HttpRequest) => Promise<HttpResponse>, body: unknown, profile: string,
): Promise<string[]> {
  const type = (body as { resourceType?: string } | undefined)?.resourceType;
  if (!type) return ['no resource to validate'];
  const headers: Record<string, string> = { accept: 'application/fhir+json', 'content-type': 'application/fhir+json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await exchange({ method: 'POST', url: `${base}/${type}/$validate?profile=${encodeURIComponent(profile)}`, headers, text: JSON.stringify(body), body });
  const outcome = res.body as { resourceType?: string; issue?: { severity?: string; diagnostics?: string; expression?: string[] }[] } | undefined;
  if (outcome?.resourceType !== 'OperationOutcome') return [`the server's $validate answered ${res.status} without an OperationOutcome`];
  const errors = (outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.join(', ') ?? type}: ${i.diagnostics ?? ''}`);
  if (res.status >= 400 && errors.length === 0) return [`the server's $validate answered ${res.status}`];
  return errors;
}
