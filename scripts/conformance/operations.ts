// Turns a TestScript operation into an HTTP request against the server under test: the RESTful URL
// for its type (http://terminology.hl7.org/CodeSystem/testscript-operation-codes), or its explicit
// `url`; method, body, content negotiation and headers, with `${variable}` substitution throughout.
import type { HttpRequest } from './http.js';
import type { ScriptOperation } from './types.js';
import { referencedNames, type Source, type Variables } from './variables.js';

export interface OperationContext {
  /** FHIR base URL, without a trailing slash. */
  base: string;
  /** Sent as `Authorization: Bearer <token>` unless the operation sets its own Authorization. */
  token?: string;
  variables: Variables;
  /** A fixture (its body after substitution), or a response or request recorded under this id. */
  source(id: string): Source | undefined;
}

export class OperationError extends Error {
  override readonly name = 'OperationError';
}

const FHIR_JSON = 'application/fhir+json';
const JSON_PATCH = 'application/json-patch+json';

const DEFAULT_METHOD: Record<string, string> = {
  read: 'GET', vread: 'GET', search: 'GET', history: 'GET', capabilities: 'GET',
  create: 'POST', batch: 'POST', transaction: 'POST',
  update: 'PUT', updateCreate: 'PUT', patch: 'PATCH',
  delete: 'DELETE', deleteCondSingle: 'DELETE', deleteCondMultiple: 'DELETE',
};
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** `json`/`xml` (the STU3-style codes many TestScripts use) or a MIME type. */
function mimeOf(code: string | undefined, fallback: string): string {
  if (!code) return fallback;
  if (code === 'json') return FHIR_JSON;
  if (code === 'xml') return 'application/fhir+xml';
  if (code === 'ttl') return 'application/fhir+turtle';
  return code;
}

/** Percent-encodes what a query must not carry raw (`+`, spaces, `#`, ...); keeps `%XX` already there. */
export function encodeQuery(query: string): string {
  const part = (s: string) => s.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$'()*,;:@/?|=%]/gu, (c) => encodeURIComponent(c));
  return query
    .split('&')
    .map((pair) => {
      const i = pair.indexOf('=');
      return i < 0 ? part(pair) : `${part(pair.slice(0, i))}=${part(pair.slice(i + 1))}`;
    })
    .join('&');
}

function resourceTypeOf(body: unknown): string | undefined {
  const t = (body as { resourceType?: unknown } | undefined)?.resourceType;
  return typeof t === 'string' ? t : undefined;
}

/** `Type/id` (and version) named by a Location or Content-Location header. */
function fromLocation(headers: Record<string, string> | undefined): { type: string; id: string; version?: string } | undefined {
  const loc = headers?.['location'] ?? headers?.['content-location'];
  const m = loc ? /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?\/?$/.exec(loc.split('?')[0]!) : null;
  if (!m) return undefined;
  return m[3] ? { type: m[1]!, id: m[2]!, version: m[3] } : { type: m[1]!, id: m[2]! };
}

interface Target {
  type?: string;
  id: string;
  version?: string;
}

/** The resource a targetId names: a fixture's or response's id, else its Location header. */
function target(op: ScriptOperation, ctx: OperationContext, wantType: string | undefined): Target | undefined {
  if (!op.targetId) return undefined;
  const src = ctx.source(op.targetId);
  if (!src) throw new OperationError(`targetId '${op.targetId}' names no fixture or earlier response`);
  const body = src.body as { resourceType?: string; id?: string; meta?: { versionId?: string } } | undefined;
  const etag = src.headers?.['etag'] ? /(?:W\/)?"?([^"]+)"?/.exec(src.headers['etag'])?.[1] : undefined;
  if (body?.id && body.resourceType && (!wantType || wantType === body.resourceType)) {
    const version = body.meta?.versionId ?? etag;
    return version ? { type: body.resourceType, id: body.id, version } : { type: body.resourceType, id: body.id };
  }
  const loc = fromLocation(src.headers);
  if (loc && (!wantType || wantType === loc.type)) return loc.version || !etag ? loc : { ...loc, version: etag };
  throw new OperationError(`targetId '${op.targetId}' has no ${wantType ?? 'resource'} id (neither in its body nor in a Location header)`);
}

/** Builds the request an operation stands for. Throws OperationError (or UnresolvedVariableError). */
export function buildRequest(op: ScriptOperation, ctx: OperationContext): HttpRequest {
  const code = op.type?.code;
  if (!code && !op.url) throw new OperationError('operation has neither a type nor a url');
  const source = op.sourceId ? ctx.source(op.sourceId) : undefined;
  if (op.sourceId && !source) throw new OperationError(`sourceId '${op.sourceId}' names no fixture or earlier response`);
  const params = op.params ? ctx.variables.substitute(op.params) : '';
  const method = (op.method ? op.method.toUpperCase() : code ? DEFAULT_METHOD[code] : undefined) ?? (source ? 'POST' : 'GET');

  let path: string;
  if (op.url) {
    path = ctx.variables.substitute(op.url);
  } else {
    const type = op.resource ?? resourceTypeOf(source?.body);
    path = restPath(code!, type, params, op, ctx, source);
  }

  const url = absolute(ctx.base, path, op.encodeRequestUrl !== false);
  const headers: Record<string, string> = { accept: mimeOf(op.accept, FHIR_JSON) };
  if (ctx.token) headers['authorization'] = `Bearer ${ctx.token}`;
  const req: HttpRequest = { method, url, headers };

  if (source && WITH_BODY.has(method)) {
    const { text, contentType, body } = requestBody(source.body, method);
    req.text = text;
    if (body !== undefined) req.body = body;
    headers['content-type'] = op.contentType ? mimeOf(op.contentType, contentType) : contentType;
  }
  for (const h of op.requestHeader ?? []) {
    const field = h.field.toLowerCase();
    const unset = referencedNames(h.value).filter((n) => ctx.variables.value(n) === undefined);
    // A suite names the identity of each step (`Bearer ${gpToken}`); a server without such roles
    // is tested with the one --token instead, so an unset Authorization variable falls back to it.
    if (unset.length && field === 'authorization') continue;
    headers[field] = ctx.variables.substitute(h.value);
  }
  return req;
}

function restPath(code: string, type: string | undefined, params: string, op: ScriptOperation, ctx: OperationContext, source: Source | undefined): string {
  const need = (what: string) => {
    if (!type) throw new OperationError(`${code} needs a resource type (operation.resource, or a typed sourceId)`);
    return what;
  };
  const t = target(op, ctx, op.resource);
  const query = params.startsWith('?') ? params : '';
  switch (code) {
    case 'read':
      return need(t ? `${t.type ?? type}/${t.id}${query}` : `${type}${params}`);
    case 'vread': {
      if (!t) return need(`${type}${params}`);
      if (!t.version) throw new OperationError(`vread: targetId '${op.targetId}' has no version (meta.versionId, ETag or Location)`);
      return `${t.type ?? type}/${t.id}/_history/${t.version}`;
    }
    case 'update':
    case 'updateCreate':
    case 'patch':
    case 'delete':
    case 'deleteCondSingle':
    case 'deleteCondMultiple': {
      if (t) return `${t.type ?? type}/${t.id}${query}`;
      if (params) return need(`${type}${params}`);
      const id = (source?.body as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && code !== 'patch' && !code.startsWith('delete')) return need(`${type}/${id}`);
      throw new OperationError(`${code} needs a targetId, params or a source with an id`);
    }
    case 'create':
      return need(`${type}${params}`);
    case 'search':
      return `${type ?? ''}${params}`;
    case 'history':
      if (t) return `${t.type ?? type}/${t.id}/_history${params}`;
      return type ? `${type}/_history${params}` : `_history${params}`;
    case 'batch':
    case 'transaction':
      return params;
    case 'capabilities':
      return `metadata${params}`;
    default: {
      // A named operation: [type]/[id]/$name, [type]/$name or $name.
      const on = t ? `${t.type ?? type}/${t.id}/` : type ? `${type}/` : '';
      return `${on}$${code}${params}`;
    }
  }
}

function absolute(base: string, path: string, encode: boolean): string {
  const full = /^https?:\/\//i.test(path) ? path : path === '' ? base : path.startsWith('?') ? `${base}${path}` : `${base}/${path.replace(/^\/+/, '')}`;
  if (!encode) return full;
  const q = full.indexOf('?');
  return q < 0 ? full : `${full.slice(0, q)}?${encodeQuery(full.slice(q + 1))}`;
}

/** JSON for resources; a JSON array is a JSON Patch; a Binary carries its own content type. */
function requestBody(body: unknown, method: string): { text: string; contentType: string; body?: unknown } {
  const binary = body as { resourceType?: string; contentType?: string; data?: string } | undefined;
  if (binary?.resourceType === 'Binary' && method === 'PATCH' && binary.contentType && binary.data !== undefined) {
    const text = Buffer.from(binary.data, 'base64').toString('utf8');
    return { text, contentType: binary.contentType };
  }
  if (Array.isArray(body)) return { text: JSON.stringify(body), contentType: JSON_PATCH, body };
  return { text: JSON.stringify(body), contentType: FHIR_JSON, body };
}

/** How an operation is named in reports: its label, else method and URL relative to the base. */
export function operationTitle(req: HttpRequest | undefined, op: ScriptOperation, base: string): string {
  const where = req ? `${req.method} ${req.url.startsWith(base) ? req.url.slice(base.length).replace(/^\//, '') || '[base]' : req.url}` : `${op.type?.code ?? 'operation'} ${op.resource ?? ''}`.trim();
  return op.label ? `${op.label}: ${where}` : where;
}
