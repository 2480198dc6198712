// A small, obviously-correct evaluator of Cond over in-memory IndexValue[] (test-only). It is the
// oracle for the search tests (index a value, parse a query, evaluate) and can serve the store
// adapters' tests the same way: whatever SQL or Mongo filter they compile a Cond into must select the
// same resources as `filter` here.
import type { Cond, FieldTest, IndexValue, SearchRequest } from '../../../src/domain/search-types.js';

export interface EvalResource {
  type: string;
  id: string;
  index: IndexValue[];
}

export interface EvalWorld {
  resources: EvalResource[];
  /** Per-type visibility, as SearchRequest.visibility. */
  visibility?: Record<string, Cond>;
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function testField(e: IndexValue, t: FieldTest): boolean {
  const x = e[t.f];
  switch (t.op) {
    case 'exists':
      return x !== undefined;
    case 'absent':
      return x === undefined;
    case 'in':
      return x !== undefined && t.v.includes(x);
    case 'sw':
      return typeof x === 'string' && x.startsWith(t.v);
    case 'co':
      return typeof x === 'string' && x.includes(t.v);
    default: {
      if (x === undefined || typeof x !== typeof t.v) return false;
      const c = compare(x, t.v);
      switch (t.op) {
        case 'eq': return c === 0;
        case 'ne': return c !== 0;
        case 'lt': return c < 0;
        case 'le': return c <= 0;
        case 'gt': return c > 0;
        case 'ge': return c >= 0;
      }
    }
  }
}

function visible(r: EvalResource, world: EvalWorld): boolean {
  if (!world.visibility) return true;
  const v = world.visibility[r.type];
  return v !== undefined && matches(v, r, { resources: world.resources }); // visibility conds are not re-filtered
}

/** Whether resource `r` satisfies `cond`; `world` resolves chains and _has. */
export function matches(cond: Cond, r: EvalResource, world: EvalWorld = { resources: [] }): boolean {
  switch (cond.k) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return cond.of.every((c) => matches(c, r, world));
    case 'or':
      return cond.of.some((c) => matches(c, r, world));
    case 'not':
      return !matches(cond.of, r, world);
    case 'id':
      return cond.ids.includes(r.id);
    case 'idx':
      return r.index.some((e) => e.p === cond.p && cond.tests.every((t) => testField(e, t)));
    case 'chain':
      return r.index.some(
        (e) =>
          e.p === cond.p &&
          e.s !== undefined &&
          world.resources.some(
            (x) => cond.types.includes(x.type) && `${x.type}/${x.id}` === e.s && visible(x, world) && matches(cond.where, x, world),
          ),
      );
    case 'has':
      return world.resources.some(
        (x) =>
          x.type === cond.type &&
          x.index.some((e) => e.p === cond.p && e.s === `${r.type}/${r.id}`) &&
          visible(x, world) &&
          matches(cond.where, x, world),
      );
    case 'policy':
      return matches(cond.of, r, { resources: world.resources }); // what a policy rule reaches is not re-filtered
  }
}

/** The resources of a SearchRequest's types that satisfy all its conditions and are visible. */
export function filter(req: SearchRequest, world: EvalWorld): EvalResource[] {
  const w: EvalWorld = req.visibility ? { resources: world.resources, visibility: req.visibility } : world;
  return world.resources.filter(
    (r) => req.types.includes(r.type) && visible(r, w) && req.where.every((c) => matches(c, r, w)),
  );
}
