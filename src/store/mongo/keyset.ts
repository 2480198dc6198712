// Keyset paging. A cursor carries the sort values of the last row of a page (including the type and
// id tie-break), so the next page is "rows strictly after this one in the total order". Unlike an
// offset, that stays correct when other clients insert or delete rows between pages. The cursor
// format (opaque base64url JSON, tagged with the kind of query and a signature of the order so it
// cannot be replayed against another sort, values checked to be scalars or null) is shared with the
// SQLite adapter: ../common/cursor.ts.
import { decodeCursor as decode, encodeCursor as encode, type CursorValue } from '../common/cursor.js';
import type { Doc } from './driver.js';
import { FALSE_FILTER } from './filter-primitives.js';
import type { OrderField } from './sort-keys.js';
import { isScalar } from './values.js';

type KeyValue = CursorValue;

/** What the cursor is valid for: the query's scope (e.g. its types) and the order. */
function signature(scope: string, order: OrderField[]): string {
  return `${scope}|${order.map((f) => `${f.path}:${f.dir}`).join(',')}`;
}

function valueAt(doc: Doc, path: string): KeyValue {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return null;
    cur = (cur as Doc)[part];
  }
  return isScalar(cur) ? cur : null;
}

export function encodeCursor(kind: string, scope: string, order: OrderField[], row: Doc): string {
  return encode(kind, signature(scope, order), order.map((f) => valueAt(row, f.path)));
}

export function decodeCursor(kind: string, scope: string, order: OrderField[], cursor: string): KeyValue[] {
  return decode(cursor, kind, signature(scope, order), order.length);
}

function equal(path: string, v: KeyValue): Doc {
  return { [path]: { $eq: v } };
}

/** Rows that come after `v` in one field: missing sorts lowest in MongoDB. */
function after(f: OrderField, v: KeyValue): Doc | undefined {
  if (f.dir === 1) return v === null ? { [f.path]: { $ne: null } } : { [f.path]: { $gt: v } };
  if (v === null) return undefined; // nothing sorts below a missing value
  return { $or: [{ [f.path]: { $lt: v } }, { [f.path]: { $eq: null } }] };
}

/** (f1 after v1) or (f1 = v1 and f2 after v2) or ... for the total order. */
export function keysetFilter(order: OrderField[], values: KeyValue[]): Doc {
  const clauses: Doc[] = [];
  for (let i = 0; i < order.length; i++) {
    const tail = after(order[i]!, values[i]!);
    if (!tail) continue;
    const prefix = order.slice(0, i).map((f, j) => equal(f.path, values[j]!));
    clauses.push(prefix.length === 0 ? tail : { $and: [...prefix, tail] });
  }
  return clauses.length === 0 ? FALSE_FILTER : clauses.length === 1 ? clauses[0]! : { $or: clauses };
}
