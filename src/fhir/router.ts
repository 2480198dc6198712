// One table from (method, path shape) to the interaction that answers it. Everything the engine
// serves is registered here, and the CapabilityStatement is generated from the same facts.
import { errors } from '../domain/errors.js';
import { isValidId } from '../domain/fhir.js';
import type { Ctx } from './context.js';
import { bundle } from './interactions/bundle.js';
import { capabilities } from './interactions/capabilities.js';
import { create } from './interactions/create.js';
import { conditionalDelete, remove } from './interactions/delete.js';
import { history } from './interactions/history.js';
import { conditionalPatch, patch } from './interactions/patch.js';
import { read, vread } from './interactions/read.js';
import { search, searchCompartment, searchSystem } from './interactions/search.js';
import { conditionalUpdate, update } from './interactions/update.js';
import { findAppointments } from './operations/find.js';
import { holdSlot } from './operations/hold.js';
import { claimRelationship } from './operations/claim-relationship.js';
import { validateOperation } from './operations/validate.js';
import { operationDefinition } from './operations/definitions.js';
import type { FhirResponse, HttpMethod } from './types.js';

type Handler = (ctx: Ctx, p: string[]) => Promise<FhirResponse>;
type Routes = Partial<Record<HttpMethod, Handler>>;

/**
 * Path shapes: `T` is a resource type, `I` an id, `V` a version; anything else is literal (so an
 * operation names its type and `$name` literally: `T` and `I` never match a `$` segment).
 */
const TABLE: [string, Routes][] = [
  ['', { GET: (c) => searchSystem(c, c.req.query), POST: (c) => bundle(c, dispatch) }],
  ['metadata', { GET: (c) => capabilities(c, registeredRoutes(), (t) => APPEND_ONLY_TYPES.has(t)) }],
  ['_history', { GET: (c) => history(c) }],
  ['_search', { POST: (c) => searchSystem(c, c.req.query) }],
  // Before `T/I`, which refuses a type this server does not serve as data.
  ['OperationDefinition/I', { GET: (c, [i]) => operationDefinition(c, i!) }],
  ['T', {
    GET: (c, [t]) => search(c, [t!], c.req.query),
    POST: (c, [t]) => create(c, t!),
    PUT: (c, [t]) => conditionalUpdate(c, t!),
    PATCH: (c, [t]) => conditionalPatch(c, t!),
    DELETE: (c, [t]) => conditionalDelete(c, t!),
  }],
  ['T/_search', { POST: (c, [t]) => search(c, [t!], c.req.query, `/${t}`) }],
  ['T/_history', { GET: (c, [t]) => history(c, t) }],
  ['T/I', {
    GET: (c, [t, i]) => read(c, t!, i!),
    PUT: (c, [t, i]) => update(c, t!, i!),
    PATCH: (c, [t, i]) => patch(c, t!, i!),
    DELETE: (c, [t, i]) => remove(c, t!, i!),
  }],
  ['T/I/_history', { GET: (c, [t, i]) => history(c, t, i) }],
  ['T/I/T', { GET: (c, [t, i, m]) => searchCompartment(c, t!, i!, m!) }],
  ['T/I/_history/V', { GET: (c, [t, i, v]) => vread(c, t!, i!, v!) }],
  ['Slot/I/$hold', { POST: (c, [i]) => holdSlot(c, i!) }],
  ['Patient/I/$claim-relationship', { POST: (c, [i]) => claimRelationship(c, i!) }],
  ['Appointment/$find', { GET: (c) => findAppointments(c), POST: (c) => findAppointments(c) }],
  ['T/$validate', { POST: (c, [t]) => validateOperation(c, t!, undefined, (x) => APPEND_ONLY_TYPES.has(x)) }],
  ['T/I/$validate', { POST: (c, [t, i]) => validateOperation(c, t!, i!, (x) => APPEND_ONLY_TYPES.has(x)) }],
];

/** Which interactions (by HTTP method) a path shape answers: used to build the CapabilityStatement. */
export function registeredRoutes(): { shape: string; methods: HttpMethod[] }[] {
  return TABLE.map(([shape, routes]) => ({ shape, methods: Object.keys(routes) as HttpMethod[] }));
}

function matchShape(shape: string, segments: string[], ctx: Ctx): string[] | undefined {
  const parts = shape === '' ? [] : shape.split('/');
  if (parts.length !== segments.length) return undefined;
  const captured: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const seg = segments[i]!;
    if (part === 'T' || part === 'I' || part === 'V') {
      if (seg.startsWith('_') || seg.startsWith('$') || (part === 'T' && seg === 'metadata')) return undefined;
      if (part === 'T' && !ctx.deps.resourceTypes.includes(seg)) {
        throw errors.notFound(`Resource type ${seg} is not supported`);
      }
      if (part !== 'T' && !isValidId(seg)) throw errors.badRequest(`${seg} is not a valid ${part === 'I' ? 'id' : 'version id'}`);
      captured.push(seg);
    } else if (part !== seg) return undefined;
  }
  return captured;
}

/**
 * Types whose stored versions never change: the audit trail is append-only, so update, patch and
 * delete of an AuditEvent are not interactions this server has (405, whoever asks).
 */
export const APPEND_ONLY_TYPES: ReadonlySet<string> = new Set(['AuditEvent']);
const CHANGES: ReadonlySet<string> = new Set(['PUT', 'PATCH', 'DELETE']);

export async function dispatch(ctx: Ctx): Promise<FhirResponse> {
  const { method, segments } = ctx.req;
  if (APPEND_ONLY_TYPES.has(segments[0] ?? '') && CHANGES.has(method)) {
    throw errors.methodNotAllowed(`${segments[0]} resources cannot be updated, patched or deleted: the audit trail is append-only`);
  }
  for (const [shape, routes] of TABLE) {
    const captured = matchShape(shape, segments, ctx);
    if (!captured) continue;
    const handler = routes[method === 'HEAD' ? 'GET' : method];
    if (!handler) throw errors.methodNotAllowed(`${method} is not allowed on this URL`);
    return handler(ctx, captured);
  }
  throw errors.notFound(`No FHIR endpoint at /${segments.join('/')}`);
}
