// What every answer must be, whatever was asked: not a 5xx; an error in the endpoint's own format
// (an OperationOutcome on FHIR and sign-on endpoints, RFC 6749 JSON at the token endpoint); no stack
// traces or file paths; and no hostile keys echoed back as JSON keys.
import type { FuzzCase } from './case.js';
import { isHostileKey } from './hostile.js';
import type { RawResponse } from './raw-http.js';

/** Traces of the server's insides that must never reach a client. */
const INTERNALS = [
  /\bat (?:[\w$.<>[\] ]+ )?\(?(?:file:\/\/|\/)[^\s)"]*:\d+:\d+/, // a stack frame
  /node_modules/, /file:\/\/\/[^\s"]*\.[cm]?js/, /\/work\/main\//, /\bSqliteError\b/, /\bMongo[A-Za-z]*Error\b/, /SQLITE_[A-Z]+/,
];

function hostileKeyIn(v: unknown, depth = 0): string | undefined {
  if (typeof v !== 'object' || v === null || depth > 200) return undefined;
  for (const [k, child] of Object.entries(v)) {
    if (isHostileKey(k)) return k;
    const found = hostileKeyIn(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isOutcome(body: unknown): boolean {
  const o = body as { resourceType?: unknown; issue?: { severity?: unknown; code?: unknown }[] };
  return o?.resourceType === 'OperationOutcome' && Array.isArray(o.issue) && o.issue.length > 0
    && o.issue.every((i) => typeof i?.severity === 'string' && typeof i?.code === 'string');
}

function isOAuthError(body: unknown): boolean {
  return typeof (body as { error?: unknown })?.error === 'string';
}

/** Why the response is wrong for the case, or undefined when it is acceptable. */
export function judge(c: FuzzCase, res: RawResponse): string | undefined {
  if (res.status >= 500) return `answered ${res.status}`;
  if (c.method === 'HEAD') return undefined;
  const text = res.body.toString('utf8');
  for (const pattern of INTERNALS) if (pattern.test(text)) return `the answer shows server internals (${pattern})`;
  const type = (res.headers['content-type'] ?? '').toLowerCase();
  let json: unknown;
  if (type.includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      return `a ${res.status} answer labelled ${type} is not JSON`;
    }
    const key = hostileKeyIn(json);
    if (key !== undefined) return `the answer carries the key ${JSON.stringify(key)}`;
  }
  if (res.status < 400) return undefined;
  if (type.includes('xml')) {
    return /<OperationOutcome[\s>]/.test(text) && /<issue>/.test(text) ? undefined : `a ${res.status} XML answer is not an OperationOutcome`;
  }
  if (json === undefined) return `a ${res.status} answer without a JSON body (content-type ${JSON.stringify(type)}, ${res.body.length} bytes)`;
  if (c.format === 'oauth') return isOAuthError(json) ? undefined : `a ${res.status} from the token endpoint is not an OAuth error`;
  if (isOutcome(json)) return undefined;
  if (c.format === 'any' && isOAuthError(json)) return undefined;
  return `a ${res.status} answer is not an OperationOutcome`;
}
