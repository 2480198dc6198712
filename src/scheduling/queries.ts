// The few searches the rules run inside a write's transaction, built directly as SearchRequests
// (index values of references are `Type/id`, of tokens the code).
import type { Cond, SearchRequest } from '../domain/search-types.js';

/** More than any one referral or slot ever has; the rules read everything that matches. */
const ALL = 1000;

export function referenceIs(param: string, ref: string): Cond {
  return { k: 'idx', p: param, tests: [{ f: 's', op: 'eq', v: ref }] };
}

export function codeIn(param: string, codes: readonly string[]): Cond {
  return { k: 'idx', p: param, tests: [{ f: 'code', op: 'in', v: [...codes] }] };
}

export function query(type: string, ...where: Cond[]): SearchRequest {
  return { types: [type], where, sort: [], count: ALL, total: 'none' };
}
