// Sort keys, computed at write time. A resource may hold many values of one parameter (multikey), and
// MongoDB's own sort over an array field would pick min/max by BSON order across every value of every
// parameter, so instead each write stores, per parameter, the value an ascending sort uses (`a`, the
// minimum) and the one a descending sort uses (`d`, the maximum) under `sk.<param>`, plus a presence
// flag `x: 1`. Sorting on `x` descending first puts resources lacking the value last in both
// directions (missing sorts lowest in MongoDB).
//
// The sortable field of a parameter is chosen from its values: `lo` for dates, `n` for numbers and
// quantities, `s` for strings, uris and references, `code` for tokens (first that any value has), so
// the values compared for one parameter always have one type.
import type { IndexValue, SortKey } from '../../domain/search-types.js';
import { errors } from '../../domain/errors.js';
import type { Scalar } from './values.js';

export interface SortEntry {
  x: 1;
  a: Scalar;
  d: Scalar;
}
export type SortKeys = Record<string, SortEntry>;

const SORTABLE = ['lo', 'n', 's', 'code'] as const;

/**
 * Parameter codes become field names. Prefixing and escaping every character outside [A-Za-z0-9-]
 * keeps a code from being read as a path (`.`), an operator (`$`) or an inherited JS property
 * (`__proto__`, `constructor`) by an in-memory engine. The mapping is injective.
 */
export function sortKeyName(p: string): string {
  return 'p_' + p.replace(/[^A-Za-z0-9-]/g, (c) => '_' + c.codePointAt(0)!.toString(16).padStart(4, '0'));
}

function compare(x: Scalar, y: Scalar): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  // Byte order of UTF-8 is code point order, which is how MongoDB compares strings.
  return Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
}

export function computeSortKeys(idx: IndexValue[]): SortKeys {
  const byParam = new Map<string, IndexValue[]>();
  for (const v of idx) {
    const list = byParam.get(v.p);
    if (list) list.push(v);
    else byParam.set(v.p, [v]);
  }
  const entries: [string, SortEntry][] = [];
  for (const [p, values] of byParam) {
    const field = SORTABLE.find((f) => values.some((v) => v[f] !== undefined));
    if (!field) continue;
    let min: Scalar | undefined;
    let max: Scalar | undefined;
    for (const v of values) {
      const val = v[field];
      if (val === undefined) continue;
      if (min === undefined || compare(val, min) < 0) min = val;
      if (max === undefined || compare(val, max) > 0) max = val;
    }
    entries.push([sortKeyName(p), { x: 1, a: min!, d: max! }]);
  }
  // fromEntries defines own properties, so even an odd key cannot touch a prototype.
  return Object.fromEntries(entries);
}

/** One field of the total order used for sorting and keyset paging. */
export interface OrderField {
  path: string;
  dir: 1 | -1;
}

/**
 * The order for a search: the requested keys, then type and id ascending as the tie-break so the
 * order is total (which keyset paging needs). A field already present keeps its first direction.
 */
export function searchOrder(sort: SortKey[]): OrderField[] {
  const out: OrderField[] = [];
  const add = (path: string, dir: 1 | -1) => {
    if (!out.some((f) => f.path === path)) out.push({ path, dir });
  };
  for (const k of sort) {
    if (typeof k?.p !== 'string' || k.p === '') throw errors.badRequest('Invalid sort key');
    const dir = k.desc ? -1 : 1;
    if (k.p === '_id') add('id', dir);
    else if (k.p === '_lastUpdated') add('lu', dir);
    else {
      const name = sortKeyName(k.p);
      add(`sk.${name}.x`, -1);
      add(`sk.${name}.${k.desc ? 'd' : 'a'}`, dir);
    }
  }
  add('type', 1);
  add('id', 1);
  return out;
}

export function sortSpec(order: OrderField[]): Record<string, 1 | -1> {
  return Object.fromEntries(order.map((f) => [f.path, f.dir]));
}
