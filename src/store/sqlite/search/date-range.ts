// The range of stored `lo` (epoch ms) that a condition forces on a date parameter's value. Lets the
// planner drive a search from one index range even when the criteria arrive as several conditions,
// e.g. src/search's `start=ge2025-05-01&start=lt2025-05-08`, which is
// `or(hi > end-of-May-1st, lo >= May-1st and hi <= end-of-May-1st)` and `lo < May-8th`: neither
// part is selective alone; together they are one week.
import type { Cond, FieldTest } from '../../../domain/search-types.js';
import { dateValue } from './field-test.js';

/** Inclusive bounds on lo; infinite where unbounded. */
export interface LoRange {
  min: number;
  max: number;
}

/** The bounds one test list puts on lo, knowing lo <= hi <= lo + span. */
function testsRange(tests: readonly FieldTest[], span: number): LoRange {
  let min = -Infinity;
  let max = Infinity;
  for (const t of tests) {
    if (t.f !== 'lo' && t.f !== 'hi') continue;
    const shift = t.f === 'hi' ? span : 0;
    switch (t.op) {
      case 'eq': { const v = dateValue(t.v); min = Math.max(min, v - shift); max = Math.min(max, v); break; }
      case 'gt': min = Math.max(min, dateValue(t.v) - shift + 1); break;
      case 'ge': min = Math.max(min, dateValue(t.v) - shift); break;
      case 'lt': max = Math.min(max, dateValue(t.v) - 1); break;
      case 'le': max = Math.min(max, dateValue(t.v)); break;
      case 'in': {
        if (t.v.length === 0) return { min: Infinity, max: -Infinity };
        const vs = t.v.map(dateValue);
        min = Math.max(min, Math.min(...vs) - shift);
        max = Math.min(max, Math.max(...vs));
        break;
      }
      default: break;
    }
  }
  return { min, max };
}

/**
 * The lo range some value of `param` must fall in for a resource to satisfy `c`, or undefined when
 * `c` does not require a value of `param` at all. Sound for any number of values per resource (a
 * hull is taken over `or` branches); intersecting the ranges of several conditions is sound only
 * when the parameter has one value per resource (see intersect).
 */
export function loRangeOf(c: Cond, param: string, span: number): LoRange | undefined {
  switch (c.k) {
    case 'idx':
      return c.p === param ? testsRange(c.tests, span) : undefined;
    case 'or': {
      if (c.of.length === 0) return undefined;
      let hull: LoRange | undefined;
      for (const b of c.of) {
        const r = loRangeOf(b, param, span);
        if (!r) return undefined; // a branch that does not need the parameter
        hull = hull ? { min: Math.min(hull.min, r.min), max: Math.max(hull.max, r.max) } : r;
      }
      return hull;
    }
    case 'and': {
      // Only one branch is sure to hold on the same value; take the tightest single one.
      let best: LoRange | undefined;
      for (const b of c.of) {
        const r = loRangeOf(b, param, span);
        if (r && (!best || r.max - r.min < best.max - best.min)) best = r;
      }
      return best;
    }
    default:
      return undefined;
  }
}

/** Both must hold on the one value of a single-valued parameter. */
export function intersect(a: LoRange, b: LoRange): LoRange {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

export function isBounded(r: LoRange): boolean {
  return Number.isFinite(r.min) || Number.isFinite(r.max);
}

/**
 * The range the one value of a single-valued date parameter must fall in to satisfy every one of
 * `conds` (each a top-level conjunct), with how many conditions constrain it; undefined when none
 * requires the parameter.
 */
export function requiredRange(conds: readonly Cond[], param: string, span: number): { range: LoRange; from: Cond[] } | undefined {
  let range: LoRange | undefined;
  const from: Cond[] = [];
  for (const c of conds) {
    const r = loRangeOf(c, param, span);
    if (!r) continue;
    range = range ? intersect(range, r) : r;
    from.push(c);
  }
  return range && { range, from };
}

/** The date parameters a condition tests (a superset of those loRangeOf can bound). */
export function paramsTested(c: Cond, out: Set<string> = new Set()): Set<string> {
  if (c.k === 'idx') out.add(c.p);
  else if (c.k === 'or' || c.k === 'and') c.of.forEach((b) => paramsTested(b, out));
  return out;
}

/**
 * Whether `c` can be checked on one index row of `param`: it tests nothing else, and an `and` of
 * several conditions only when the parameter has one value per resource (otherwise each part may
 * hold on a different value).
 */
export function onlyTests(c: Cond, param: string, single: boolean): boolean {
  switch (c.k) {
    case 'idx': return c.p === param;
    case 'or': return c.of.length > 0 && c.of.every((b) => onlyTests(b, param, single));
    case 'and': return c.of.length > 0 && (single || c.of.length === 1) && c.of.every((b) => onlyTests(b, param, single));
    default: return false;
  }
}
