// The smallest filter building blocks, shared by the condition compiler and keyset paging.
import type { Doc } from './driver.js';

/** Matches nothing (every document has an _id, none is in the empty list). */
export const FALSE_FILTER: Doc = Object.freeze({ _id: { $in: [] } }) as Doc;
export const TRUE_FILTER: Doc = Object.freeze({}) as Doc;

export function isFalse(f: Doc): boolean {
  return f === FALSE_FILTER;
}
export function isTrue(f: Doc): boolean {
  return f === TRUE_FILTER;
}

/** A filter that is nothing but `{ $and: [...] }` contributes its members directly. */
function andMembers(p: Doc): Doc[] {
  const keys = Object.keys(p);
  return keys.length === 1 && keys[0] === '$and' && Array.isArray(p.$and) ? (p.$and as Doc[]) : [p];
}

export function andFilter(parts: Doc[]): Doc {
  if (parts.some(isFalse)) return FALSE_FILTER;
  const live = parts.filter((p) => !isTrue(p)).flatMap(andMembers);
  if (live.length === 0) return TRUE_FILTER;
  return live.length === 1 ? live[0]! : { $and: live };
}

export function orFilter(parts: Doc[]): Doc {
  if (parts.some(isTrue)) return TRUE_FILTER;
  const live = parts.filter((p) => !isFalse(p));
  if (live.length === 0) return FALSE_FILTER;
  return live.length === 1 ? live[0]! : { $or: live };
}

export function notFilter(part: Doc): Doc {
  if (isTrue(part)) return FALSE_FILTER;
  if (isFalse(part)) return TRUE_FILTER;
  return { $nor: [part] };
}
