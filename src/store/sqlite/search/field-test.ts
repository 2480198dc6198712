// One FieldTest on one idx row, as SQL. Comparison operators are false when the field is absent
// (SQL NULL semantics) — `ne` included: "a value of p whose field differs from v"; absence is tested
// with `absent`. String order is ordinal: SQLite's BINARY collation compares UTF-8 bytes, which is
// code point order.
import type { FieldTest, IndexField } from '../../../domain/search-types.js';
import { errors } from '../../../domain/errors.js';
import { INDEX_COLUMNS } from '../schema.js';
import { FALSE_SQL, list, raw, sql, type Sql } from '../sql.js';

export function column(alias: string, f: IndexField): Sql {
  const col = (INDEX_COLUMNS as Record<string, string>)[f];
  if (!col) throw errors.badRequest(`Unknown index field ${String(f)}`);
  return raw(`${alias}.${col}`);
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

export function fieldTest(alias: string, t: FieldTest): Sql {
  const col = column(alias, t.f);
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

export function fieldTests(alias: string, tests: readonly FieldTest[]): Sql[] {
  return tests.map((t) => fieldTest(alias, t));
}

/** Whether a test can bound a range of one of the partial idx indexes (see schema.ts). */
export function isIndexable(t: FieldTest): boolean {
  switch (t.f) {
    case 'code':
      return t.op === 'eq' || t.op === 'in';
    case 's': case 'lo': case 'hi': case 'n':
      return t.op === 'eq' || t.op === 'in' || t.op === 'lt' || t.op === 'le' || t.op === 'gt' || t.op === 'ge' ||
        (t.op === 'sw' && t.v !== '');
    default:
      return false;
  }
}

