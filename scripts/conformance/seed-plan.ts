// What `npm run seed` uploads, and as whom. The suite's setup is the source of truth: each fixture
// its setup creates or updates is uploaded with the same request (method, URL, headers) the setup
// would send, so a server whose roles divide the work (Envelope: the directory by estate-admin,
// capacity by the PAS, patients by the GP system) gets each part from the identity that may write
// it. Consecutive uploads under the same identity form one batch (one transaction Bundle).
import type { Suite } from './load-suite.js';
import { buildRequest, type OperationContext } from './operations.js';
import type { Json } from './types.js';
import { builtinVariables, referencedNames, UnresolvedVariableError, Variables, type Source } from './variables.js';

export interface SeedItem {
  fixtureId: string;
  resourceType: string;
  method: 'PUT' | 'POST';
  /** Relative to the FHIR base: `Organization/est-org-rr8`, `Slot?identifier=...` or `Patient`. */
  url: string;
  resource: Json;
}

export interface SeedBatch {
  /** How the batch authenticates, as the suite writes it (`Bearer ${pasToken}`), for the printout. */
  identity: string;
  /** Headers to send with it (the resolved Authorization, when there is one). */
  headers: Record<string, string>;
  items: SeedItem[];
}

export class SeedPlanError extends Error {
  override readonly name = 'SeedPlanError';
}

const WRITES = new Set(['create', 'update', 'updateCreate']);
/** Fixtures that are requests or documents about resources rather than resources to store. */
const NOT_STORED = new Set(['Bundle', 'Parameters', 'Binary']);

function isResource(body: unknown): body is Json & { resourceType: string } {
  return !!body && typeof body === 'object' && !Array.isArray(body) && typeof (body as Json).resourceType === 'string';
}

export interface SeedPlan {
  batches: SeedBatch[];
  /** Variables the uploads name for their Authorization that have no value (they fall back to --token). */
  unset: string[];
}

export interface PlanOptions {
  base: string;
  token?: string;
  vars?: Record<string, string>;
  builtins?: Record<string, string>;
}

/**
 * The uploads of `suite`: the fixtures its setup writes, in setup order and with the setup's
 * headers; a suite whose setup writes none uploads every fixture that is a resource (other than
 * Bundle, Parameters, Binary) with the default token.
 */
export function planSeed(suite: Suite, opts: PlanOptions): SeedPlan {
  const base = opts.base.replace(/\/+$/, '');
  const source = (id: string | undefined): Source | undefined => {
    const f = id === undefined ? undefined : suite.fixtures.get(id);
    return f ? { body: variables.substituteJson(f.body) } : undefined;
  };
  const variables = new Variables(suite.script.variable ?? [], opts.vars ?? {}, opts.builtins ?? builtinVariables(), { source });
  const ctx: OperationContext = { base, variables, source };
  if (opts.token) ctx.token = opts.token;

  const batches: SeedBatch[] = [];
  const add = (identity: string, headers: Record<string, string>, item: SeedItem) => {
    const lastBatch = batches[batches.length - 1];
    if (lastBatch && lastBatch.identity === identity) lastBatch.items.push(item);
    else batches.push({ identity, headers, items: [item] });
  };
  const defaultIdentity = opts.token ? 'Bearer --token' : 'no Authorization';
  const done = new Set<string>();
  const unset = new Set<string>();

  for (const action of suite.script.setup?.action ?? []) {
    const op = action.operation;
    if (!op || !WRITES.has(op.type?.code ?? '') || !op.sourceId || !suite.fixtures.has(op.sourceId) || done.has(op.sourceId)) continue;
    let req: ReturnType<typeof buildRequest>;
    try {
      req = buildRequest(op, ctx);
    } catch (e) {
      // Seeding sends fixtures, it does not run the suite: a fixture built from an earlier response cannot be sent.
      if (e instanceof UnresolvedVariableError) {
        throw new SeedPlanError(`suite ${suite.name} cannot be seeded: fixture ${op.sourceId} needs ${e.message}; seed loads suites whose fixtures stand on their own (such as estate), run this one with npm run conformance`);
      }
      throw e;
    }
    const resource = req.body;
    if (!isResource(resource) || NOT_STORED.has(resource.resourceType)) continue;
    done.add(op.sourceId);
    const auth = (op.requestHeader ?? []).find((h) => h.field.toLowerCase() === 'authorization');
    for (const n of auth ? referencedNames(auth.value) : []) if (variables.value(n) === undefined) unset.add(n);
    const resolved = req.headers['authorization'];
    const identity = auth && resolved !== (opts.token ? `Bearer ${opts.token}` : undefined) ? auth.value : defaultIdentity;
    add(identity, resolved ? { authorization: resolved } : {}, {
      fixtureId: op.sourceId,
      resourceType: resource.resourceType,
      method: req.method === 'POST' ? 'POST' : 'PUT',
      url: req.url.slice(base.length).replace(/^\/+/, ''),
      resource,
    });
  }
  if (done.size > 0) return { batches, unset: [...unset].sort() };

  for (const f of suite.fixtures.values()) {
    const resource = variables.substituteJson(f.body);
    if (!isResource(resource) || NOT_STORED.has(resource.resourceType)) continue;
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    add(defaultIdentity, opts.token ? { authorization: `Bearer ${opts.token}` } : {}, {
      fixtureId: f.id,
      resourceType: resource.resourceType,
      method: id ? 'PUT' : 'POST',
      url: id ? `${resource.resourceType}/${id}` : resource.resourceType,
      resource,
    });
  }
  return { batches, unset: [] };
}

/** Every `Type/id` a resource refers to (relative references only). */
export function referencesOf(json: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(json)) for (const x of json) referencesOf(x, out);
  else if (json && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      if (k === 'reference' && typeof v === 'string') {
        const m = /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(v);
        if (m) out.add(m[1]!);
      } else referencesOf(v, out);
    }
  }
  return out;
}

/**
 * `items` reordered so that each comes after the items it refers to, otherwise keeping their
 * order; a reference cycle leaves the items in it in their original order.
 */
export function dependencyOrder<T extends { resource: Json }>(items: readonly T[]): T[] {
  const key = (r: Json) => (typeof r.id === 'string' ? `${r.resourceType as string}/${r.id}` : undefined);
  const index = new Map<string, number>();
  items.forEach((it, i) => {
    const k = key(it.resource);
    if (k) index.set(k, i);
  });
  const deps = items.map((it, i) => [...referencesOf(it.resource)].map((r) => index.get(r)).filter((j): j is number => j !== undefined && j !== i));
  const placed = new Set<number>();
  const out: T[] = [];
  while (out.length < items.length) {
    let progressed = false;
    for (let i = 0; i < items.length; i++) {
      if (placed.has(i) || !deps[i]!.every((j) => placed.has(j))) continue;
      placed.add(i);
      out.push(items[i]!);
      progressed = true;
      break; // restart from the top, so earlier items keep their place whenever they can
    }
    if (!progressed) {
      for (let i = 0; i < items.length; i++) {
        if (!placed.has(i)) {
          placed.add(i);
          out.push(items[i]!);
          break;
        }
      }
    }
  }
  return out;
}
