// The oracle: what a SearchRequest must return, computed in memory from the real indexer's
// IndexValue[] of each live resource. Conditions are evaluated with the search tests' evaluator
// (test/search/support/evaluator.ts); on top of it this adds what a store does and the evaluator does
// not: visibility applied again to every resource reached through chain and _has, also from inside
// visibility conditions (the Store contract's "applies to resources reached from inside visibility
// conditions"), and the documented result order.
//
// Order (as both adapters document it): the sort keys in turn — `_id` the id, `_lastUpdated` the
// stamp, a parameter the minimum (ascending) or maximum (descending) of its sortable field over the
// resource's values of it, the field being the first of lo, n, s, code that any of those values has;
// a resource without one sorts last in either direction — then resource type, then id. Strings
// compare in code point order (UTF-8 bytes), numbers by value.
import type { Cond, IndexValue, SearchRequest, SortKey } from '../../../src/domain/search-types.js';
import { filter as evaluatorFilter, testField, type EvalResource } from '../../search/support/evaluator.js';

export interface OracleResource extends EvalResource {
  lastUpdated: string;
}

type Scalar = string | number;

/** Deeper than any query or visibility rule here; a cycle in visibility rules shows up as this. */
const MAX_DEPTH = 16;

export class Oracle {
  private readonly byKey = new Map<string, OracleResource>();
  /** Values of a reference parameter pointing at a "Type/id", per parameter: for _has. */
  private readonly referrers = new Map<string, OracleResource[]>();

  constructor(readonly resources: readonly OracleResource[]) {
    for (const r of resources) {
      this.byKey.set(`${r.type}/${r.id}`, r);
      for (const e of r.index) {
        if (e.s === undefined) continue;
        const k = `${e.p}\u0000${e.s}`;
        const list = this.referrers.get(k);
        if (!list) this.referrers.set(k, [r]);
        else if (list[list.length - 1] !== r) list.push(r);
      }
    }
  }

  /** The matching resources of the request's types, in result order (paging ignored). */
  search(req: SearchRequest): OracleResource[] {
    const ctx = new Ctx(this, req.visibility);
    const hits = this.resources.filter((r) => req.types.includes(r.type) && ctx.visible(r, 0) && req.where.every((c) => ctx.matches(c, r, 0)));
    if (!req.visibility) {
      // The plain evaluator must agree wherever it applies (no visibility): a check on the oracle itself.
      const plain = evaluatorFilter(req, { resources: [...this.resources] }).map((r) => `${r.type}/${r.id}`);
      const mine = hits.map((r) => `${r.type}/${r.id}`);
      if (plain.join() !== mine.join()) throw new Error(`oracle and evaluator disagree: ${plain} vs ${mine}`);
    }
    return sortRows(hits, req.sort);
  }

  /** Every live resource a visibility map hides (its type is absent or its rule fails). */
  hidden(visibility: Record<string, Cond>): OracleResource[] {
    const ctx = new Ctx(this, visibility);
    return this.resources.filter((r) => !ctx.visible(r, 0));
  }

  get(key: string): OracleResource | undefined {
    return this.byKey.get(key);
  }

  referrersOf(p: string, target: string): readonly OracleResource[] {
    return this.referrers.get(`${p}\u0000${target}`) ?? [];
  }
}

/** One evaluation: the visibility map and a memo of who is visible. */
class Ctx {
  private readonly seen = new Map<OracleResource, boolean>();
  private readonly evaluating = new Set<OracleResource>();

  constructor(
    private readonly oracle: Oracle,
    private readonly visibility: Record<string, Cond> | undefined,
  ) {}

  visible(r: OracleResource, depth: number): boolean {
    const vis = this.visibility;
    if (!vis) return true;
    if (!Object.hasOwn(vis, r.type)) return false;
    const known = this.seen.get(r);
    if (known !== undefined) return known;
    if (this.evaluating.has(r) || depth > MAX_DEPTH) throw new Error(`visibility of ${r.type}/${r.id} depends on itself`);
    this.evaluating.add(r);
    try {
      // A visibility rule is the policy's question about the data: what it reaches is not re-filtered.
      const v = this.matches(vis[r.type]!, r, depth + 1, true);
      this.seen.set(r, v);
      return v;
    } finally {
      this.evaluating.delete(r);
    }
  }

  /** `trusted`: inside a visibility rule or `policy` condition, reached resources need only exist. */
  matches(c: Cond, r: OracleResource, depth: number, trusted = false): boolean {
    if (depth > MAX_DEPTH) throw new Error('conditions nest too deeply');
    const seen = (x: OracleResource) => trusted || this.visible(x, depth + 1);
    switch (c.k) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'and':
        return c.of.every((x) => this.matches(x, r, depth, trusted));
      case 'or':
        return c.of.some((x) => this.matches(x, r, depth, trusted));
      case 'not':
        return !this.matches(c.of, r, depth, trusted);
      case 'policy':
        return this.matches(c.of, r, depth, true);
      case 'id':
        return c.ids.includes(r.id);
      case 'idx':
        return r.index.some((e) => e.p === c.p && c.tests.every((t) => testField(e, t)));
      case 'chain':
        return r.index.some((e) => {
          if (e.p !== c.p || e.s === undefined) return false;
          const target = this.oracle.get(e.s);
          return target !== undefined && c.types.includes(target.type) && seen(target) && this.matches(c.where, target, depth + 1, trusted);
        });
      case 'has':
        return this.oracle
          .referrersOf(c.p, `${r.type}/${r.id}`)
          .some((x) => x.type === c.type && seen(x) && this.matches(c.where, x, depth + 1, trusted));
    }
  }
}

// ---- order -------------------------------------------------------------------------------------

const SORTABLE = ['lo', 'n', 's', 'code'] as const;

/** Code point order for strings (what UTF-8 byte order and MongoDB give), numeric order for numbers. */
export function compareScalar(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

export function sortValue(r: OracleResource, key: SortKey): Scalar | undefined {
  if (key.p === '_id') return r.id;
  if (key.p === '_lastUpdated') return r.lastUpdated;
  const values = r.index.filter((v) => v.p === key.p);
  const field = SORTABLE.find((f) => values.some((v) => v[f] !== undefined));
  if (!field) return undefined;
  let best: Scalar | undefined;
  for (const v of values) {
    const x = v[field as keyof IndexValue] as Scalar | undefined;
    if (x === undefined) continue;
    if (best === undefined || (key.desc ? compareScalar(x, best) > 0 : compareScalar(x, best) < 0)) best = x;
  }
  return best;
}

export function sortRows(rows: OracleResource[], sort: readonly SortKey[]): OracleResource[] {
  const keyed = rows.map((r) => ({ r, k: sort.map((s) => sortValue(r, s)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const x = a.k[i];
      const y = b.k[i];
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1; // missing last, either direction
        continue;
      }
      const c = compareScalar(x, y);
      if (c !== 0) return sort[i]!.desc ? -c : c;
    }
    return compareScalar(a.r.type, b.r.type) || compareScalar(a.r.id, b.r.id);
  });
  return keyed.map((x) => x.r);
}
