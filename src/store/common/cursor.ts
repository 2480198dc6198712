// Opaque paging cursors shared by the store adapters. A cursor is base64url(JSON) of the last row's
// sort-key values (keyset pagination), tagged with what it pages so that a cursor from one kind of
// query (or one sort order) is rejected by another instead of silently returning a wrong page.
import { errors } from '../../domain/errors.js';

export type CursorValue = string | number | null;

interface CursorBody {
  /** What the cursor pages: 'search', 'history', ... */
  kind: string;
  /** Signature of the ordering, e.g. the sort keys; must match on decode. */
  sig: string;
  /** The last returned row's key values, in ordering order. */
  k: CursorValue[];
}

export function encodeCursor(kind: string, sig: string, keys: CursorValue[]): string {
  const body: CursorBody = { kind, sig, k: keys };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with the same kind and signature; a 400 otherwise. */
export function decodeCursor(cursor: string, kind: string, sig: string, arity: number): CursorValue[] {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw errors.badRequest('Invalid paging cursor');
  }
  const b = body as Partial<CursorBody> | null;
  if (
    !b || typeof b !== 'object' || b.kind !== kind || b.sig !== sig || !Array.isArray(b.k) || b.k.length !== arity ||
    !b.k.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
  ) {
    throw errors.badRequest('Invalid paging cursor (it does not belong to this query)');
  }
  return b.k;
}
