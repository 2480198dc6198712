// Evaluates one TestScript assert against the last exchange (or its sourceId): response and status,
// headers, content type, resource type, FHIRPath expressions and JSON paths with any operator,
// minimumId, validateProfileId, compareToSourceId, navigation links, request method and URL. Every
// element the assert states is checked; the result says what was expected and what was found.
import { validateResource } from '../../src/fhir/validation/index.js';
import { evaluateFhirPath, isTrue, asText } from './fhirpath-assert.js';
import { explainBody, type HttpRequest, type HttpResponse } from './http.js';
import { selectPath } from './json-path.js';
import { compare, describeExpectation, describeValues, isOperator, type Operator } from './operators.js';
import type { ActionResult, ScriptAssert } from './types.js';
import type { Source, Variables } from './variables.js';

export interface AssertContext {
  base: string;
  variables: Variables;
  last?: { request: HttpRequest; response?: HttpResponse };
  source(id: string): Source | undefined;
  /** TestScript.profile: id → canonical URL. */
  profiles: ReadonlyMap<string, string>;
  /** Validation of `body` against a profile that is not a base R4 one, by the server under test. */
  validateRemotely(body: unknown, profile: string): Promise<string[]>;
}

export class AssertError extends Error {
  override readonly name = 'AssertError';
}

const RESPONSE_CODES: Record<string, number> = {
  okay: 200, created: 201, noContent: 204, notModified: 304, bad: 400, forbidden: 403, notFound: 404,
  methodNotAllowed: 405, conflict: 409, gone: 410, preconditionFailed: 412, unprocessable: 422,
};

const BASE_PROFILE = /^http:\/\/hl7\.org\/fhir\/StructureDefinition\/([A-Z][A-Za-z]+)$/;

interface Check {
  what: string;
  ok: boolean;
  why: string;
}

export async function evaluateAssert(a: ScriptAssert, ctx: AssertContext): Promise<ActionResult> {
  const title = a.description ?? a.label ?? autoTitle(a);
  let checks: Check[];
  try {
    checks = await runChecks(a, ctx);
  } catch (e) {
    return { kind: 'assert', title, result: 'error', message: (e as Error).message };
  }
  if (checks.length === 0) return { kind: 'assert', title, result: 'error', message: 'the assert states nothing to check' };
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return { kind: 'assert', title, result: 'pass', message: checks.map((c) => `${c.what}: ${c.why}`).join('; ') };
  let message = failed.map((c) => `${c.what}: ${c.why}`).join('; ');
  const res = ctx.last?.response;
  if (res && res.status >= 400 && !a.sourceId && a.direction !== 'request') message += ` [response ${res.status}: ${explainBody(res)}]`;
  return { kind: 'assert', title, result: a.warningOnly ? 'warning' : 'fail', message };
}

function operatorOf(a: ScriptAssert, fallback: Operator): Operator {
  if (a.operator === undefined) return fallback;
  if (!isOperator(a.operator)) throw new AssertError(`unknown operator '${a.operator}'`);
  return a.operator;
}

function subjectOf(a: ScriptAssert, ctx: AssertContext): Source & { request?: HttpRequest } {
  if (a.sourceId) {
    const s = ctx.source(a.sourceId);
    if (!s) throw new AssertError(`sourceId '${a.sourceId}' names no fixture or earlier response`);
    return s;
  }
  if (!ctx.last) throw new AssertError('there is no earlier operation to check');
  if (a.direction === 'request') {
    const r = ctx.last.request;
    return { headers: r.headers, body: r.body, request: r };
  }
  const res = ctx.last.response;
  if (!res) throw new AssertError('the last operation got no response');
  return { headers: res.headers, body: res.body, status: res.status, request: ctx.last.request };
}

/** One check over a list of values, with the operator the assert states (or a fallback). */
function check(what: string, operator: Operator, values: string[], value: string | undefined): Check {
  if (operator === 'eval') throw new AssertError(`operator eval needs an expression (${what})`);
  const c = compare(operator, values, value);
  return { what, ok: c.ok, why: c.ok ? `${describeExpectation(operator, value)}, found ${c.found}` : `expected ${describeExpectation(operator, value)}, found ${c.found}` };
}

async function runChecks(a: ScriptAssert, ctx: AssertContext): Promise<Check[]> {
  const v = (s: string | undefined) => (s === undefined ? undefined : ctx.variables.substitute(s));
  const value = v(a.value);
  const checks: Check[] = [];
  const subject = subjectOf(a, ctx);
  const status = () => {
    if (subject.status === undefined) throw new AssertError('the source checked has no HTTP status');
    return String(subject.status);
  };

  if (a.response !== undefined) {
    const code = RESPONSE_CODES[a.response];
    if (code === undefined) throw new AssertError(`unknown response code '${a.response}'`);
    checks.push(check(`response ${a.response}`, operatorOf(a, 'equals'), [status()], String(code)));
  }
  if (a.responseCode !== undefined) {
    const expected = v(a.responseCode)!;
    checks.push(check('status', operatorOf(a, expected.includes(',') ? 'in' : 'equals'), [status()], expected));
  }
  if (a.contentType !== undefined) {
    const mime = a.contentType === 'json' ? 'json' : a.contentType === 'xml' ? 'xml' : a.contentType;
    const header = subject.headers?.['content-type'];
    checks.push(check('Content-Type', 'contains', header === undefined ? [] : [header], mime));
  }
  if (a.headerField !== undefined) {
    const header = subject.headers?.[a.headerField.toLowerCase()];
    checks.push(check(`header ${a.headerField}`, operatorOf(a, value === undefined ? 'notEmpty' : 'equals'), header === undefined ? [] : [header], value));
  }
  if (a.resource !== undefined) {
    const type = (subject.body as { resourceType?: unknown } | undefined)?.resourceType;
    checks.push(check('resource type', 'equals', typeof type === 'string' ? [type] : [], a.resource));
  }
  if (a.expression !== undefined) {
    const expr = v(a.expression)!;
    const result = evaluateFhirPath(subject.body, expr);
    const op = a.operator === undefined && value === undefined ? 'eval' : operatorOf(a, 'equals');
    if (op === 'eval') {
      const ok = isTrue(result);
      checks.push({ what: expr, ok, why: ok ? 'true' : `expected true, found ${describeValues(result.map(asText))}` });
    } else {
      checks.push(check(expr, op, result.map(asText), value));
    }
  }
  if (a.path !== undefined) {
    const path = v(a.path)!;
    checks.push(check(`path ${path}`, operatorOf(a, value === undefined ? 'notEmpty' : 'equals'), selectPath(subject.body, path).map(asText), value));
  }
  if (a.minimumId !== undefined) {
    const fixture = ctx.source(a.minimumId);
    if (!fixture) throw new AssertError(`minimumId '${a.minimumId}' names no fixture`);
    const diff = firstDifference(fixture.body, subject.body, (fixture.body as { resourceType?: string } | undefined)?.resourceType ?? '$');
    checks.push({ what: `minimum ${a.minimumId}`, ok: diff === undefined, why: diff ?? 'holds everything in the fixture' });
  }
  if (a.validateProfileId !== undefined) checks.push(await validateProfile(a.validateProfileId, subject.body, ctx));
  if (a.compareToSourceId !== undefined) checks.push(compareToSource(a, subject.body, ctx));
  if (a.navigationLinks !== undefined) {
    const links = ((subject.body as { link?: { relation?: string }[] } | undefined)?.link ?? []).map((l) => l.relation ?? '');
    const hasNext = links.includes('next');
    checks.push({ what: 'navigation links', ok: hasNext === a.navigationLinks, why: `${a.navigationLinks ? 'expected' : 'expected no'} next link, found links: ${links.join(', ') || 'none'}` });
  }
  if (a.requestMethod !== undefined) {
    const req = subject.request ?? ctx.last?.request;
    if (!req) throw new AssertError('there is no request to check');
    checks.push(check('request method', operatorOf(a, 'equals'), [req.method.toLowerCase()], a.requestMethod.toLowerCase()));
  }
  if (a.requestURL !== undefined) {
    const req = subject.request ?? ctx.last?.request;
    if (!req) throw new AssertError('there is no request to check');
    const expected = v(a.requestURL)!;
    const url = /^https?:/i.test(expected) ? req.url : req.url.slice(ctx.base.length).replace(/^\//, '');
    checks.push(check('request URL', operatorOf(a, 'equals'), [url], expected.replace(/^\//, '')));
  }
  return checks;
}

/**
 * Where `actual` lacks something `expected` has: every element of the fixture must be there with the
 * same value, and every array item must match some item of the actual array. Undefined: none.
 */
export function firstDifference(expected: unknown, actual: unknown, path: string): string | undefined {
  if (expected === null || typeof expected !== 'object') {
    return expected === actual ? undefined : `${path} expected ${JSON.stringify(expected)}, found ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path} expected a list, found ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`;
    for (const [i, item] of expected.entries()) {
      if (!actual.some((x) => firstDifference(item, x, path) === undefined)) return `${path}[${i}] ${JSON.stringify(item)} not found`;
    }
    return undefined;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path} expected an object, found ${JSON.stringify(actual) ?? 'nothing'}`;
  for (const [k, x] of Object.entries(expected)) {
    const d = firstDifference(x, (actual as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

async function validateProfile(id: string, body: unknown, ctx: AssertContext): Promise<Check> {
  const url = ctx.profiles.get(id);
  if (!url) throw new AssertError(`validateProfileId '${id}' names no TestScript.profile`);
  const what = `valid against ${url}`;
  const type = (body as { resourceType?: unknown } | undefined)?.resourceType;
  const base = BASE_PROFILE.exec(url);
  let problems: string[];
  if (base) {
    if (type !== base[1]) return { what, ok: false, why: `expected a ${base[1]}, found ${typeof type === 'string' ? type : 'no resource'}` };
    problems = validateResource(body)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.expression?.join(', ') ?? type}: ${i.diagnostics}`);
  } else {
    problems = await ctx.validateRemotely(body, url);
  }
  return { what, ok: problems.length === 0, why: problems.length === 0 ? 'no errors' : `${problems.length} error(s): ${problems.slice(0, 3).join('; ')}` };
}

function compareToSource(a: ScriptAssert, body: unknown, ctx: AssertContext): Check {
  const other = ctx.source(a.compareToSourceId!);
  if (!other) throw new AssertError(`compareToSourceId '${a.compareToSourceId}' names no fixture or earlier response`);
  const sub = (s: string) => ctx.variables.substitute(s);
  if (a.compareToSourceExpression !== undefined || a.compareToSourcePath !== undefined) {
    const read = (json: unknown) =>
      a.compareToSourceExpression !== undefined
        ? evaluateFhirPath(json, sub(a.compareToSourceExpression)).map(asText)
        : selectPath(json, sub(a.compareToSourcePath!)).map(asText);
    const mine = read(body);
    const theirs = read(other.body);
    const what = `${a.compareToSourceExpression ?? a.compareToSourcePath} against ${a.compareToSourceId}`;
    const op = operatorOf(a, 'equals');
    if (op === 'eval') throw new AssertError('operator eval does not apply to compareToSourceId');
    return check(what, op, mine, theirs.join(','));
  }
  // Whole resources: equal apart from meta, which the server owns.
  const strip = (x: unknown) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return x;
    const { meta: _meta, ...rest } = x as Record<string, unknown>;
    return rest;
  };
  const d = firstDifference(strip(other.body), strip(body), '$') ?? firstDifference(strip(body), strip(other.body), '$');
  return { what: `same as ${a.compareToSourceId}`, ok: d === undefined, why: d ?? 'equal apart from meta' };
}

function autoTitle(a: ScriptAssert): string {
  if (a.response) return `response ${a.response}`;
  if (a.responseCode) return `status ${a.responseCode}`;
  if (a.expression) return a.value !== undefined ? `${a.expression} ${a.operator ?? 'equals'} ${a.value}` : a.expression;
  if (a.headerField) return `header ${a.headerField}${a.value !== undefined ? ` ${a.operator ?? 'equals'} ${a.value}` : ''}`;
  if (a.resource) return `resource is ${a.resource}`;
  if (a.minimumId) return `has at least ${a.minimumId}`;
  if (a.validateProfileId) return `validates against ${a.validateProfileId}`;
  if (a.compareToSourceId) return `compares with ${a.compareToSourceId}`;
  if (a.path) return `path ${a.path}`;
  return 'assert';
}
