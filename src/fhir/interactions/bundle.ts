// batch and transaction Bundles. A transaction runs every entry inside one store transaction: any
// failure rolls everything back. Entries are processed in the specification's order (DELETE, POST,
// PUT/PATCH, GET/HEAD); urn:uuid full URLs and conditional references are resolved first and
// rewritten in every reference of every entry.
import { releaseBundle, releaseOutcome, type ReleasableBundle } from '../../access/guard.js';
import { errors, FhirError, operationOutcome } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import { conditionalMatches, queryPairs } from '../conditional.js';
import type { Ctx } from '../context.js';
import { resourceFromBody } from '../resource-body.js';
import type { FhirRequest, FhirResponse, HttpMethod } from '../types.js';
import { writeResponse } from '../write-response.js';

type Dispatch = (ctx: Ctx) => Promise<FhirResponse>;
type Entry = ReleasableBundle['entry'] extends (infer E)[] | undefined ? E : never;

interface Planned {
  index: number;
  method: HttpMethod;
  url: URL;
  fullUrl?: string;
  body?: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  /** For POST in a transaction: the id assigned before processing, or the existing match. */
  assigned?: { id: string; existing: boolean };
}

const ORDER: Record<HttpMethod, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };
const METHODS = new Set(Object.keys(ORDER));

export async function bundle(ctx: Ctx, dispatch: Dispatch): Promise<FhirResponse> {
  const body = ctx.req.body;
  if (!isPlainObject(body) || body.resourceType !== 'Bundle') {
    throw errors.badRequest('POST to the base URL needs a batch or transaction Bundle', 'Bundle');
  }
  if (body.type !== 'batch' && body.type !== 'transaction') {
    throw errors.invalid('Bundle.type must be batch or transaction', 'Bundle.type', 'value');
  }
  const entries = body.entry ?? [];
  if (!Array.isArray(entries)) throw errors.invalid('Bundle.entry must be an array', 'Bundle.entry', 'structure');
  const planned = entries.map((e, i) => plan(ctx, e, i));
  return body.type === 'transaction' ? transaction(ctx, planned, dispatch) : batch(ctx, planned, dispatch);
}

function plan(ctx: Ctx, e: unknown, index: number): Planned {
  const at = `Bundle.entry[${index}]`;
  if (!isPlainObject(e)) throw errors.invalid('Each entry must be an object', at, 'structure');
  const request = e.request;
  if (!isPlainObject(request)) throw errors.invalid('Each entry needs a request', `${at}.request`, 'required');
  const method = request.method;
  if (typeof method !== 'string' || !METHODS.has(method)) throw errors.invalid('request.method is not valid', `${at}.request.method`, 'value');
  if (typeof request.url !== 'string' || request.url === '') throw errors.invalid('request.url is required', `${at}.request.url`, 'required');
  let url: URL;
  try {
    url = new URL(request.url.startsWith(ctx.req.baseUrl) ? request.url.slice(ctx.req.baseUrl.length + 1) : request.url, 'http://entry.invalid/');
  } catch {
    throw errors.invalid('request.url is not a valid URL', `${at}.request.url`, 'value');
  }
  if (url.host !== 'entry.invalid') throw errors.invalid('request.url must be relative to this server', `${at}.request.url`, 'value');
  const headers: Record<string, string | undefined> = { prefer: ctx.req.headers.prefer };
  for (const [field, header] of [['ifMatch', 'if-match'], ['ifNoneExist', 'if-none-exist'], ['ifNoneMatch', 'if-none-match'], ['ifModifiedSince', 'if-modified-since']] as const) {
    const v = request[field];
    if (typeof v === 'string') headers[header] = v;
  }
  const p: Planned = { index, method: method as HttpMethod, url, headers };
  if (typeof e.fullUrl === 'string') p.fullUrl = e.fullUrl;
  if (e.resource !== undefined) {
    if (!isPlainObject(e.resource)) throw errors.invalid('entry.resource must be a resource', `${at}.resource`, 'structure');
    p.body = e.resource;
  }
  return p;
}

function subRequest(ctx: Ctx, p: Planned, body: unknown): Ctx {
  let segments: string[];
  try {
    segments = p.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    // A malformed percent-escape ("%%", a cut UTF-8 sequence) is this entry's mistake, not a fault.
    throw errors.invalid('request.url has a malformed percent-escape', `Bundle.entry[${p.index}].request.url`, 'value');
  }
  const req: FhirRequest = { ...ctx.req, method: p.method, segments, query: [...p.url.searchParams], headers: p.headers, body };
  if (body === undefined) delete req.body;
  // The request id names the whole Bundle; entries must not each claim it as their own.
  delete req.clientRequestId;
  return { ...ctx, req };
}

function responseEntry(ctx: Ctx, res: FhirResponse): Entry {
  const entry: Entry = { response: { status: String(res.status) } };
  if (res.headers.Location) entry.response!.location = res.headers.Location.slice(ctx.req.baseUrl.length + 1);
  if (res.headers.ETag) entry.response!.etag = res.headers.ETag;
  if (res.headers['Last-Modified']) entry.response!.lastModified = new Date(res.headers['Last-Modified']).toISOString();
  if (res.body && res.body.resourceType === 'OperationOutcome') entry.response!.outcome = res.body as never;
  else if (res.body) entry.resource = res.body as never;
  return entry;
}

function failureEntry(err: FhirError): Entry {
  return { response: { status: String(err.status), outcome: releaseOutcome(operationOutcome(err.issues)) } };
}

async function batch(ctx: Ctx, planned: Planned[], dispatch: Dispatch): Promise<FhirResponse> {
  const entry: Entry[] = [];
  for (const p of planned) {
    try {
      entry.push(responseEntry(ctx, await dispatch(subRequest(ctx, p, p.body))));
    } catch (e) {
      if (!(e instanceof FhirError)) throw e;
      entry.push(failureEntry(e));
    }
  }
  return { status: 200, headers: {}, body: releaseBundle({ resourceType: 'Bundle', type: 'batch-response', entry }) };
}

async function transaction(ctx: Ctx, planned: Planned[], dispatch: Dispatch): Promise<FhirResponse> {
  assertDistinctTargets(planned);
  return ctx.guard.transaction(async (guard) => {
    const tx: Ctx = { ...ctx, guard };
    const resolved = await resolveIdentities(tx, planned);
    const results: Entry[] = new Array(planned.length);
    const ordered = [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
    for (const p of ordered) {
      const body = p.body === undefined ? undefined : rewriteReferences(p.body, resolved);
      try {
        results[p.index] = await runEntry(tx, p, body, dispatch);
      } catch (e) {
        throw atEntry(e, p.index);
      }
    }
    return { status: 200, headers: {}, body: releaseBundle({ resourceType: 'Bundle', type: 'transaction-response', entry: results }) };
  });
}

async function runEntry(tx: Ctx, p: Planned, body: unknown, dispatch: Dispatch): Promise<Entry> {
  if (p.method === 'POST' && p.assigned) {
    const type = p.url.pathname.split('/').filter(Boolean)[0]!;
    const sub = subRequest(tx, p, body);
    if (p.assigned.existing) {
      return responseEntry(tx, await dispatch({ ...sub, req: { ...sub.req, method: 'GET', segments: [type, p.assigned.id], query: [], body: undefined } }).then((r) => ({ ...r, status: 200 })));
    }
    const resource = resourceFromBody(body, type, tx.deps);
    const v = await tx.guard.create({ ...resource, id: p.assigned.id });
    return responseEntry(tx, writeResponse(sub, v, 201, `Created ${type}/${v.id}`));
  }
  return responseEntry(tx, await dispatch(subRequest(tx, p, body)));
}

/** Two entries acting on the same resource make the outcome order-dependent; the spec forbids it. */
function assertDistinctTargets(planned: Planned[]): void {
  const seen = new Map<string, number>();
  for (const p of planned) {
    if (p.method === 'GET' || p.method === 'HEAD' || p.method === 'POST' || p.url.search) continue;
    const target = p.url.pathname;
    if (seen.has(target)) throw errors.invalid(`Entries ${seen.get(target)} and ${p.index} both change ${target.slice(1)}`, `Bundle.entry[${p.index}].request.url`, 'business-rule');
    seen.set(target, p.index);
  }
}

/**
 * Maps each urn:uuid / full URL an entry declares to the Type/id it will have, and every conditional
 * reference (`Type?search`) used in a body to the one resource it matches.
 */
async function resolveIdentities(tx: Ctx, planned: Planned[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const p of planned) {
    const [type, id] = p.url.pathname.split('/').filter(Boolean);
    if (!type) continue;
    if (p.method === 'POST' && !id) {
      if (p.body === undefined) throw errors.invalid('A create entry needs a resource', `Bundle.entry[${p.index}].resource`, 'required');
      p.assigned = await assignForCreate(tx, p, type);
      if (p.fullUrl) map.set(p.fullUrl, `${type}/${p.assigned.id}`);
    } else if (p.method === 'PUT' && id && p.fullUrl) {
      map.set(p.fullUrl, `${type}/${id}`);
    }
  }
  for (const p of planned) {
    if (p.body) await collectConditionalRefs(tx, p.body, map, p.index);
  }
  return map;
}

async function assignForCreate(tx: Ctx, p: Planned, type: string): Promise<{ id: string; existing: boolean }> {
  const ifNoneExist = p.headers['if-none-exist'];
  if (ifNoneExist !== undefined) {
    const matches = await conditionalMatches(tx, type, queryPairs(ifNoneExist), 'ifNoneExist').catch((e) => { throw atEntry(e, p.index); });
    if (matches.length > 1) throw atEntry(errors.multipleMatches('ifNoneExist matched more than one resource'), p.index);
    if (matches.length === 1) return { id: matches[0]!.id, existing: true };
  }
  return { id: tx.deps.newId(), existing: false };
}

async function collectConditionalRefs(tx: Ctx, node: unknown, map: Map<string, string>, index: number): Promise<void> {
  if (Array.isArray(node)) {
    for (const n of node) await collectConditionalRefs(tx, n, map, index);
  } else if (isPlainObject(node)) {
    const ref = node.reference;
    if (typeof ref === 'string' && /^[A-Z][A-Za-z]+\?/.test(ref) && !map.has(ref)) {
      const [type, qs] = [ref.slice(0, ref.indexOf('?')), ref.slice(ref.indexOf('?') + 1)];
      const matches = await conditionalMatches(tx, type, queryPairs(qs), 'A conditional reference').catch((e) => { throw atEntry(e, index); });
      if (matches.length !== 1) {
        throw atEntry(errors.preconditionFailed(`Conditional reference ${ref} matched ${matches.length === 0 ? 'nothing' : 'more than one resource'}`), index);
      }
      map.set(ref, `${type}/${matches[0]!.id}`);
    }
    for (const v of Object.values(node)) await collectConditionalRefs(tx, v, map, index);
  }
}

function rewriteReferences(node: unknown, map: Map<string, string>): unknown {
  if (map.size === 0) return node;
  if (Array.isArray(node)) return node.map((n) => rewriteReferences(n, map));
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : rewriteReferences(v, map);
  }
  return out;
}

/** Prefixes the failing entry's position so the client knows which entry broke the transaction. */
function atEntry(e: unknown, index: number): unknown {
  if (!(e instanceof FhirError)) return e;
  const issues = e.issues.map((i) => ({
    ...i,
    diagnostics: `Bundle.entry[${index}]: ${i.diagnostics}`,
    expression: i.expression?.map((x) => (x.startsWith('Bundle.') ? x : `Bundle.entry[${index}].resource.${x.replace(/^[A-Z][A-Za-z]+\.?/, '')}`.replace(/\.$/, ''))) ?? [`Bundle.entry[${index}]`],
  }));
  return new FhirError(e.status, issues, e.headers);
}

