// Date search values and the FHIR prefix semantics. A search value denotes a range of instants
// [slo, shi] (its precision: `2024-03` is the whole month); so does every stored value [lo, hi]
// (a Period, or a date of some precision). Each prefix is a relation between the two ranges:
//   eq  the search range contains the stored range            lo >= slo and hi <= shi
//   ne  it does not                                            lo < slo  or  hi > shi
//   gt  the stored range reaches above the search range        hi > shi
//   lt  the stored range reaches below it                      lo < slo
//   ge  gt or eq                                               hi > shi  or  (lo >= slo and hi <= shi)
//   le  lt or eq                                               lo < slo  or  (lo >= slo and hi <= shi)
//   sa  the stored range starts after the search range         lo > shi
//   eb  the stored range ends before it                        hi < slo
//   ap  the ranges overlap once the search range is widened by 10% of its distance from now
// All tests of one `idx` apply to the same stored value.
import type { Cond } from '../../domain/search-types.js';
import { instantString, parseDateRange, type InstantRange } from '../dates.js';
import { unescapeValue } from '../escape.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx, type ParseContext } from './context.js';
import { splitPrefix, type Prefix } from './prefix.js';

/** The search range widened for `ap`: 10% of the gap between now and the range, on both sides. */
export function approximateRange(range: InstantRange, now: Date): InstantRange {
  const lo = Date.parse(range.lo);
  const hi = Date.parse(range.hi);
  const t = now.getTime();
  const gap = t < lo ? lo - t : t > hi ? t - hi : 0;
  const slack = Math.round(gap * 0.1);
  return { lo: instantString(lo - slack), hi: instantString(hi + slack) };
}

/** The condition for stored ranges of parameter `p` against the search range `r` under `prefix`. */
export function dateRangeCondition(p: string, prefix: Prefix, r: InstantRange, now: Date): Cond {
  const within = idx(p, { f: 'lo', op: 'ge', v: r.lo }, { f: 'hi', op: 'le', v: r.hi });
  switch (prefix) {
    case 'eq':
      return within;
    case 'ne':
      return { k: 'or', of: [idx(p, { f: 'lo', op: 'lt', v: r.lo }), idx(p, { f: 'hi', op: 'gt', v: r.hi })] };
    case 'gt':
      return idx(p, { f: 'hi', op: 'gt', v: r.hi });
    case 'lt':
      return idx(p, { f: 'lo', op: 'lt', v: r.lo });
    case 'ge':
      return { k: 'or', of: [idx(p, { f: 'hi', op: 'gt', v: r.hi }), within] };
    case 'le':
      return { k: 'or', of: [idx(p, { f: 'lo', op: 'lt', v: r.lo }), within] };
    case 'sa':
      return idx(p, { f: 'lo', op: 'gt', v: r.hi });
    case 'eb':
      return idx(p, { f: 'hi', op: 'lt', v: r.lo });
    case 'ap': {
      const a = approximateRange(r, now);
      return idx(p, { f: 'lo', op: 'le', v: a.hi }, { f: 'hi', op: 'ge', v: a.lo });
    }
  }
}

export function dateCondition(def: SearchParamDef, value: string, param: string, ctx: ParseContext): Cond {
  const { prefix, rest } = splitPrefix(param, unescapeValue(value));
  const range = parseDateRange(rest);
  if (!range) throw bad(param, `'${value}' is not a valid date (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm])`);
  return dateRangeCondition(def.code, prefix, range, ctx.now);
}
