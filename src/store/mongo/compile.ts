// Compiles a search (types + conditions + visibility) to ONE filter over the `resources` collection.
//
// Chains and has need facts about other resources. They are resolved by a preceding query that turns
// the inner condition into a list of "Type/id" strings, which the outer filter then uses as a plain
// `$in` (on `idx.s` for a chain, on `_id` for has). Chosen over a `$lookup` aggregation because:
//   - the main query stays a find() with a sort and a limit, which countDocuments and keyset paging
//     reuse unchanged, and which the multikey indexes serve directly;
//   - each inner query is itself an indexed find scoped by the same visibility rules;
//   - a `$lookup` join would have to say "some idx element with p = X and s = this _id" in a `$expr`
//     sub-pipeline, which the multikey idx indexes serve far worse than an `$elemMatch` with `$in`,
//     and it would turn every search (and its count) into an aggregation.
// The cost is one extra round trip per chain/has, and resolved sets are materialised in the adapter
// and shipped back in the filter, so they are capped (MAX_RESOLVED) and a search that exceeds the
// cap fails as too costly rather than building a filter near MongoDB's 16 MB document limit.
//
// Visibility: when `visibility` is present, a type absent from it is invisible; the visible part of
// each searched type, and of every type reached through chain and has, is `type = T and rule(T)`.
// Inside a rule (and a `policy` condition) the policy asks about the data itself: the resources it
// reaches are tested for liveness only (`trusted`), so one type's rule may look at another type
// whose rule looks back without a cycle.
import { FhirError, errors } from '../../domain/errors.js';
import type { Cond } from '../../domain/search-types.js';
import type { CollectionLike, Doc, SessionLike } from './driver.js';
import { andFilter, FALSE_FILTER, notFilter, orFilter, TRUE_FILTER } from './filter-primitives.js';
import { idxFilter } from './idx-filter.js';
import { str, strings } from './values.js';

/** Most "Type/id" values one chain or has may resolve to. */
export const MAX_RESOLVED = 50_000;
/** Deepest nesting of chain/has (including those inside visibility rules). */
export const MAX_DEPTH = 8;

function tooCostly(msg: string): FhirError {
  return new FhirError(400, errors.issue('too-costly', msg));
}

export interface CompileContext {
  resources: CollectionLike;
  session?: SessionLike;
  visibility?: Record<string, Cond>;
}

export class SearchCompiler {
  /** Compiled visibility rule per type, computed once per search. */
  private readonly rules = new Map<string, Promise<Doc>>();
  private readonly compilingRules = new Set<string>();

  constructor(private readonly ctx: CompileContext) {
    if (ctx.visibility !== undefined && (typeof ctx.visibility !== 'object' || ctx.visibility === null)) {
      throw errors.badRequest('Invalid visibility');
    }
  }

  /** Current, non-deleted, visible resources of `types` satisfying every condition. */
  async scope(types: string[], where: Cond[], depth = 0, trusted = false): Promise<Doc> {
    const typeScope = await this.typeScope(strings(types, 'types'), depth, trusted);
    if (typeScope === FALSE_FILTER) return FALSE_FILTER;
    const conds: Doc[] = [];
    for (const c of where) conds.push(await this.cond(c, depth, trusted));
    return andFilter([{ deleted: { $eq: false } }, typeScope, ...conds]);
  }

  /** `type = T and rule(T)` for each type, or a plain `type $in` when there are no rules. */
  private async typeScope(types: string[], depth: number, trusted: boolean): Promise<Doc> {
    if (this.ctx.visibility === undefined || trusted) {
      if (types.length === 0) return FALSE_FILTER;
      return types.length === 1 ? { type: { $eq: types[0] } } : { type: { $in: types } };
    }
    const parts: Doc[] = [];
    for (const t of types) parts.push(andFilter([{ type: { $eq: t } }, await this.rule(t, depth)]));
    return orFilter(parts);
  }

  private visible(type: string): boolean {
    const vis = this.ctx.visibility;
    // Own properties only: a type named like an Object.prototype member must not become visible.
    return vis === undefined || Object.hasOwn(vis, type);
  }

  private rule(type: string, depth: number): Promise<Doc> {
    const vis = this.ctx.visibility;
    if (vis === undefined) return Promise.resolve(TRUE_FILTER);
    if (!Object.hasOwn(vis, type)) return Promise.resolve(FALSE_FILTER);
    // A rule reached again while it is being compiled is a cycle (policy error), not a deeper search.
    if (this.compilingRules.has(type)) throw errors.internal(`Visibility rule for ${type} depends on itself`);
    const cached = this.rules.get(type);
    if (cached) return cached;
    this.compilingRules.add(type);
    const p = this.cond(vis[type]!, depth, true).finally(() => this.compilingRules.delete(type));
    this.rules.set(type, p);
    return p;
  }

  async cond(c: Cond, depth: number, trusted = false): Promise<Doc> {
    switch (c?.k) {
      case 'true':
        return TRUE_FILTER;
      case 'false':
        return FALSE_FILTER;
      case 'and':
        return andFilter(await this.all(c.of, depth, trusted));
      case 'or':
        return orFilter(await this.all(c.of, depth, trusted));
      case 'not':
        return notFilter(await this.cond(c.of, depth, trusted));
      case 'policy':
        return this.cond(c.of, depth, true);
      case 'idx':
        return idxFilter(c.p, c.tests);
      case 'id': {
        const ids = strings(c.ids, '_id');
        return ids.length === 0 ? FALSE_FILTER : { id: { $in: ids } };
      }
      case 'chain':
        return this.chain(c, depth + 1, trusted);
      case 'has':
        return this.has(c, depth + 1, trusted);
      default:
        throw errors.badRequest(`Unsupported search condition ${String((c as { k?: unknown })?.k)}`);
    }
  }

  private async all(of: Cond[], depth: number, trusted: boolean): Promise<Doc[]> {
    if (!Array.isArray(of)) throw errors.badRequest('Invalid search condition');
    const out: Doc[] = [];
    for (const c of of) out.push(await this.cond(c, depth, trusted));
    return out;
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_DEPTH) throw tooCostly(`Search nests chains or _has deeper than ${MAX_DEPTH}`);
  }

  /** Some reference of p points at a visible resource of `types` satisfying `where`. */
  private async chain(c: Extract<Cond, { k: 'chain' }>, depth: number, trusted: boolean): Promise<Doc> {
    this.checkDepth(depth);
    const p = str(c.p, 'chain parameter');
    const types = strings(c.types, 'chain types').filter((t) => trusted || this.visible(t));
    const inner = await this.scope(types, [c.where], depth, trusted);
    if (inner === FALSE_FILTER) return FALSE_FILTER;
    const rows = await this.ctx.resources
      .find(inner, { projection: { _id: 1 }, limit: MAX_RESOLVED + 1, ...this.session() })
      .toArray();
    this.checkSize(rows.length, p);
    if (rows.length === 0) return FALSE_FILTER;
    return { idx: { $elemMatch: { p: { $eq: p }, s: { $in: rows.map((r) => String(r._id)) } } } };
  }

  /** This resource is the target of reference p of a visible `type` resource satisfying `where`. */
  private async has(c: Extract<Cond, { k: 'has' }>, depth: number, trusted: boolean): Promise<Doc> {
    this.checkDepth(depth);
    const p = str(c.p, '_has parameter');
    const type = str(c.type, '_has type');
    if (!trusted && !this.visible(type)) return FALSE_FILTER;
    const scoped = await this.scope([type], [c.where], depth, trusted);
    if (scoped === FALSE_FILTER) return FALSE_FILTER;
    const inner = andFilter([scoped, { idx: { $elemMatch: { p: { $eq: p }, s: { $exists: true } } } }]);
    const rows = await this.ctx.resources
      .find(inner, { projection: { idx: 1 }, limit: MAX_RESOLVED + 1, ...this.session() })
      .toArray();
    const targets = new Set<string>();
    for (const row of rows) {
      for (const v of (row.idx as { p: string; s?: unknown }[]) ?? []) {
        if (v.p === p && typeof v.s === 'string') targets.add(v.s);
      }
    }
    this.checkSize(Math.max(rows.length, targets.size), `_has:${type}:${p}`);
    if (targets.size === 0) return FALSE_FILTER;
    return { _id: { $in: [...targets] } };
  }

  private checkSize(n: number, what: string): void {
    if (n > MAX_RESOLVED) throw tooCostly(`Search on ${what} matches more than ${MAX_RESOLVED} resources; narrow it`);
  }

  private session(): { session?: SessionLike } {
    return this.ctx.session ? { session: this.ctx.session } : {};
  }
}
