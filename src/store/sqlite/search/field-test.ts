// One FieldTest on one idx row, as SQL. Comparison operators are false when the field is absent
// (SQL NULL semantics) — `ne` included: "a value of p whose field differs from v"; absence is tested
// with `absent`. String order is ordinal: SQLite's BINARY collation compares UTF-8 bytes, which is
// code point order.
import type { FieldTest, IndexField } from '../../../domain/search-types.js';
import { errors } from '../../../domain/errors.js';
import { DATE_FIELDS, INDEX_COLUMNS } from '../schema.js';
import { FALSE_SQL, list, raw, sql, type Sql } from '../sql.js';

/**
 * How a test list is used: `range` when it selects idx rows by value (a search driver — the
 * partial value indexes should serve it); `seek` when it checks the rows of one known resource
 * (correlated on rk — the clustered (rk, pid) key must serve it). For `seek` the column is written
 * `+x.col`, which keeps SQLite from preferring a value index: without statistics it otherwise
 * picks (pid, code) for `x.rk = r.rk AND x.pid = ? AND x.code = ?` and scans every row with that
 * code for each resource.
 */
export type TestUse = 'range' | 'seek';

export function column(alias: string, f: IndexField, use: TestUse = 'range'): Sql {
  const col = (INDEX_COLUMNS as Record<string, string>)[f];
  if (!col) throw errors.badRequest(`Unknown index field ${String(f)}`);
  return raw(`${use === 'seek' ? '+' : ''}${alias}.${col}`);
}

/**
 * The smallest string greater than every string starting with `prefix` (in code point order), or
 * undefined when there is none. Turns "starts with" into an index range.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip surrogates: not characters
    if (next <= 0x10ffff) return cps.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

const COMPARE = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

/** A date test value (an instant, as text) as the epoch milliseconds idx stores. */
export function dateValue(v: string | number): number {
  const n = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(n)) throw errors.badRequest(`Invalid instant in a date test: ${String(v)}`);
  return n;
}

/** The stored epoch milliseconds back as the canonical instant text (for text tests on dates). */
function isoText(col: Sql): Sql {
  return sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`;
}

export function fieldTest(alias: string, t: FieldTest, use: TestUse): Sql {
  if (DATE_FIELDS.has(t.f)) return dateTest(column(alias, t.f, use), t);
  const col = column(alias, t.f, use);
  switch (t.op) {
    case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
      return sql`${col} ${raw(COMPARE[t.op])} ${t.v}`;
    case 'in':
      return t.v.length === 0 ? FALSE_SQL : sql`${col} IN ${list(t.v)}`;
    case 'sw': {
      if (t.v === '') return sql`${col} IS NOT NULL`;
      const upper = prefixUpperBound(t.v);
      // The half-open range is exact for a prefix and lets an index on the column drive the scan.
      return upper === undefined
        ? sql`(${col} >= ${t.v} AND substr(${col}, 1, ${Array.from(t.v).length}) = ${t.v})`
        : sql`(${col} >= ${t.v} AND ${col} < ${upper})`;
    }
    case 'co':
      return sql`instr(${col}, ${t.v}) > 0`;
    case 'exists':
      return sql`${col} IS NOT NULL`;
    case 'absent':
      return sql`${col} IS NULL`;
    default: {
      const never: never = t;
      throw errors.badRequest(`Unknown field test ${JSON.stringify(never)}`);
    }
  }
}

function dateTest(col: Sql, t: FieldTest): Sql {
  switch (t.op) {
    case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
      return sql`${col} ${raw(COMPARE[t.op])} ${dateValue(t.v)}`;
    case 'in':
      return t.v.length === 0 ? FALSE_SQL : sql`${col} IN ${list(t.v.map(dateValue))}`;
    case 'sw':
      return sql`substr(${isoText(col)}, 1, ${Array.from(t.v).length}) = ${t.v}`;
    case 'co':
      return sql`instr(${isoText(col)}, ${t.v}) > 0`;
    case 'exists':
      return sql`${col} IS NOT NULL`;
    case 'absent':
      return sql`${col} IS NULL`;
    default: {
      const never: never = t;
      throw errors.badRequest(`Unknown field test ${JSON.stringify(never)}`);
    }
  }
}

export function fieldTests(alias: string, tests: readonly FieldTest[], use: TestUse): Sql[] {
  return tests.map((t) => fieldTest(alias, t, use));
}

/**
 * Whether a test can bound a range of one of the partial idx indexes (see schema.ts). Tests on hi
 * count: they become ranges on lo (see dateBounds).
 */
export function isIndexable(t: FieldTest): boolean {
  switch (t.f) {
    case 'code':
      return t.op === 'eq' || t.op === 'in';
    case 'lo': case 'hi':
      return t.op === 'eq' || t.op === 'lt' || t.op === 'le' || t.op === 'gt' || t.op === 'ge';
    case 's': case 'n':
      return t.op === 'eq' || t.op === 'in' || t.op === 'lt' || t.op === 'le' || t.op === 'gt' || t.op === 'ge' ||
        (t.op === 'sw' && t.v !== '');
    default:
      return false;
  }
}


/**
 * Extra bounds on lo implied by tests on hi, for an index range on (pid, lo): `lower` bounds (from
 * hi > / >= / =), `upper` bounds (from hi < / <= / =) or both. Sound because every stored date has
 * lo <= hi <= lo + span, where span is the widest recorded for the parameter.
 */
export function dateBounds(alias: string, tests: readonly FieldTest[], span: number, sides: 'both' | 'lower' | 'upper' = 'both'): Sql[] {
  const lo = column(alias, 'lo', 'range');
  const lower = sides !== 'upper';
  const upper = sides !== 'lower';
  const out: Sql[] = [];
  for (const t of tests) {
    if (t.f !== 'hi') continue;
    const op = t.op;
    if (op !== 'lt' && op !== 'le' && op !== 'gt' && op !== 'ge' && op !== 'eq') continue;
    const v = dateValue(t.v);
    if (upper && op === 'lt') out.push(sql`${lo} < ${v}`);
    if (upper && (op === 'le' || op === 'eq')) out.push(sql`${lo} <= ${v}`);
    if (lower && op === 'gt') out.push(sql`${lo} > ${v - span}`);
    if (lower && (op === 'ge' || op === 'eq')) out.push(sql`${lo} >= ${v - span}`);
  }
  return out;
}
