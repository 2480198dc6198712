// What a request was, in words that are safe to log and to use as metric labels: a route template
// (`/fhir/Patient/:id`, never ids or the query string, which can identify a patient) and the FHIR
// interaction. Both come from small fixed sets, so a client cannot grow the metrics without bound
// by inventing paths.
import type { Request } from 'express';
import { RESOURCE_TYPES } from '../../domain/fhir.js';
import { interactionOf } from '../../fhir/audit-context.js';
import { registeredRoutes } from '../../fhir/router.js';
import type { HttpMethod } from '../../fhir/types.js';

export interface RequestKind {
  /** e.g. `/fhir/Appointment/:id/_history/:vid`, `/auth/token`, or `unknown`. */
  route: string;
  /** A FHIR interaction (`read`, `search-type`, `operation:$hold`…) or the endpoint's name (`token`, `healthz`…). */
  interaction: string;
  /** The resource type a FHIR request names first, if any. */
  type?: string;
}

const TYPES: ReadonlySet<string> = new Set(RESOURCE_TYPES);
/** Operations the router serves (`$hold`, `$find`…): any other `$name` is labelled `$unknown`. */
const OPERATIONS: ReadonlySet<string> = new Set(
  registeredRoutes().flatMap((r) => r.shape.split('/')).filter((s) => s.startsWith('$')),
);
const LITERALS: ReadonlySet<string> = new Set(['metadata', '_history', '_search']);
const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Endpoints outside /fhir, by exact path: their label. */
const ENDPOINTS: ReadonlyMap<string, string> = new Map([
  ['/healthz', 'healthz'],
  ['/readyz', 'readyz'],
  ['/metrics', 'metrics'],
  ['/auth/token', 'token'],
  ['/.well-known/smart-configuration', 'discovery'],
  ['/.well-known/jwks.json', 'jwks'],
  ['/auth/session', 'session'],
  ['/auth/session/role', 'session'],
  ['/auth/saml/login', 'saml'],
  ['/auth/saml/acs', 'saml'],
  ['/auth/saml/metadata', 'saml'],
  ['/auth/saml/logout', 'saml'],
  ['/auth/saml/slo', 'saml'],
]);

function pathOf(req: Request): string {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function classify(req: Request): RequestKind {
  const path = pathOf(req);
  if (path === '/fhir' || path.startsWith('/fhir/')) return fhirKind(req.method, path.slice('/fhir'.length));
  const name = ENDPOINTS.get(path);
  return name ? { route: path, interaction: name } : { route: 'unknown', interaction: 'unknown' };
}

function fhirKind(method: string, rest: string): RequestKind {
  let segments: string[];
  try {
    segments = rest.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { route: '/fhir/(malformed)', interaction: 'unknown' };
  }
  const template = segments.map((s, i) => {
    if (TYPES.has(s) || LITERALS.has(s)) return s;
    if (s.startsWith('$')) return OPERATIONS.has(s) ? s : '$unknown';
    return segments[i - 1] === '_history' ? ':vid' : ':id';
  });
  const kind: RequestKind = { route: ['/fhir', ...template].join('/'), interaction: 'unknown' };
  if (TYPES.has(segments[0] ?? '')) kind.type = segments[0]!;
  if (!METHODS.has(method)) return kind;
  const op = template.find((s) => s.startsWith('$'));
  if (op) {
    kind.interaction = `operation:${op}`;
    return kind;
  }
  // Without the body, a POST to the base cannot tell a batch from a transaction: one label for both.
  kind.interaction = method === 'POST' && segments.length === 0
    ? 'batch-transaction'
    : interactionOf({ method: method as HttpMethod, segments }).interaction;
  return kind;
}
