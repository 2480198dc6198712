// Result order and keyset paging.
//
// Order: the request's sort keys, then type and id (unique together), so the order is total and a
// cursor can name a position. A parameter key is the minimum (ascending) or maximum (descending) of
// the parameter's sortable field over the resource's index values — lo for dates, n for numbers and
// quantities, s for strings/references/uris, code for tokens (the first of those that any of the
// resource's values of the parameter has; only that field is compared) — and a resource without one
// sorts last in either direction.
//
// Paging: the cursor holds the last row's key values; the next page is every row strictly after
// them. Rows present throughout are thus neither skipped nor repeated when others are written
// between pages (an offset would shift).
import type { SortKey } from '../../../domain/search-types.js';
import type { CursorValue } from '../../common/cursor.js';
import { FALSE_SQL, join, raw, sql, type Sql } from '../sql.js';
import type { CondCompiler } from './compile.js';

export interface OrderKey {
  /** Expression over the resources alias. */
  expr: Sql;
  desc: boolean;
  /** False for plain columns that are never NULL (id, type, lastUpdated). */
  nullable: boolean;
  /** True when expr is a plain resources column (an index can deliver the order). */
  plain: boolean;
}

export function orderKeys(sort: readonly SortKey[], types: readonly string[], alias: string, compiler: CondCompiler): OrderKey[] {
  const a = raw(alias);
  const keys: OrderKey[] = [];
  const single = types.length === 1;
  let unique = false;
  for (const k of sort) {
    if (k.p === '_id') {
      if (unique) continue;
      keys.push({ expr: sql`${a}.id`, desc: k.desc, nullable: false, plain: true });
      unique = true;
      // id is unique within a type: with one type later keys cannot matter. Across types the same id
      // can exist in each, so the later keys still break those ties (before the type).
      if (single) break;
      continue;
    }
    if (k.p === '_lastUpdated') {
      keys.push({ expr: sql`${a}.lu`, desc: k.desc, nullable: false, plain: true });
      continue;
    }
    keys.push({ expr: paramKey(k, types, alias, compiler), desc: k.desc, nullable: true, plain: false });
  }
  if (!single) keys.push({ expr: sql`${a}.type`, desc: false, nullable: false, plain: true });
  if (!unique) keys.push({ expr: sql`${a}.id`, desc: false, nullable: false, plain: true });
  return keys;
}

function paramKey(k: SortKey, types: readonly string[], alias: string, compiler: CondCompiler): Sql {
  const x = compiler.fresh('x');
  const pid = compiler.pidTest(x, types, k.p);
  if (!pid) return raw('NULL');
  const X = raw(x);
  const agg = raw(k.desc ? 'max' : 'min');
  // One field per resource: the first of lo, n, s, code that any of its values has, then min/max over
  // that field only (so an identifier-only reference, which has code but no s, is not a sort value
  // of a resource that also has a literal reference). min/max ignore NULLs.
  return sql`(SELECT coalesce(${agg}(${X}.lo), ${agg}(${X}.n), ${agg}(${X}.s), ${agg}(${X}.code)) FROM idx ${X} WHERE ${X}.rk = ${raw(alias)}.rk AND ${pid})`;
}

/** ORDER BY clause over `exprs` (the keys' expressions or columns holding their values). */
export function orderBy(keys: readonly OrderKey[], exprs: readonly Sql[]): Sql {
  return join(
    keys.map((k, i) => sql`${exprs[i]!} ${raw(k.desc ? 'DESC' : 'ASC')}${raw(k.nullable ? ' NULLS LAST' : '')}`),
    ', ',
  );
}

/**
 * Rows strictly after the cursor position `values` in the order of `keys` (expressions `exprs`).
 * Lexicographic: after_i = greater_i OR (equal_i AND after_{i+1}); NULLs are last and equal to each
 * other. A redundant bound on the first key lets an index range start at the cursor.
 */
export function after(keys: readonly OrderKey[], exprs: readonly Sql[], values: readonly CursorValue[]): Sql {
  const step = (i: number): Sql => {
    if (i === keys.length) return FALSE_SQL;
    const k = keys[i]!;
    const e = exprs[i]!;
    const v = values[i]!;
    const rest = step(i + 1);
    if (v === null) {
      // Only NULLs (which sort last) tie with a NULL; nothing sorts after them.
      return rest === FALSE_SQL ? FALSE_SQL : sql`(${e} IS NULL AND ${rest})`;
    }
    const greater = k.desc ? sql`${e} < ${v}` : sql`${e} > ${v}`;
    const greaterOrNull = k.nullable ? sql`(${greater} OR ${e} IS NULL)` : greater;
    return rest === FALSE_SQL ? greaterOrNull : sql`(${greaterOrNull} OR (${e} = ${v} AND ${rest}))`;
  };
  const cond = step(0);
  const first = keys[0];
  const v0 = values[0];
  if (first && !first.nullable && v0 !== null && v0 !== undefined && cond !== FALSE_SQL) {
    const bound = first.desc ? sql`${exprs[0]!} <= ${v0}` : sql`${exprs[0]!} >= ${v0}`;
    return sql`(${bound} AND ${cond})`;
  }
  return cond;
}

/** Cursor signature: a cursor is valid only for the same types and sort. */
export function orderSignature(types: readonly string[], sort: readonly SortKey[]): string {
  return `${types.join(',')}|${sort.map((k) => (k.desc ? '-' : '') + k.p).join(',')}`;
}
