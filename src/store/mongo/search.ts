// search(): one filter (see ./compile.ts), one sort (./sort-keys.ts), keyset paging (./keyset.ts).
// The total is countDocuments over the same filter without the page condition, so it counts exactly
// what paging would eventually return (including the visibility rules).
import { errors } from '../../domain/errors.js';
import type { SearchRequest } from '../../domain/search-types.js';
import type { SearchResult } from '../port.js';
import type { CollectionLike, SessionLike } from './driver.js';
import { toStored } from './documents.js';
import { andFilter } from './filter-primitives.js';
import { decodeCursor, encodeCursor, keysetFilter } from './keyset.js';
import { SearchCompiler } from './compile.js';
import { searchOrder, sortSpec } from './sort-keys.js';

export interface SearchContext {
  resources: CollectionLike;
  session?: SessionLike;
}

/** Fields a page needs; the index values can be large and are never returned. */
const PAGE_PROJECTION = { idx: 0 } as const;

export async function search(ctx: SearchContext, req: SearchRequest): Promise<SearchResult> {
  if (!Number.isInteger(req.count) || req.count < 0) throw errors.badRequest('Invalid _count');
  if (!Array.isArray(req.types) || !Array.isArray(req.where) || !Array.isArray(req.sort)) {
    throw errors.badRequest('Invalid search request');
  }
  const session = ctx.session ? { session: ctx.session } : {};
  const compiler = new SearchCompiler({ resources: ctx.resources, ...session, ...(req.visibility ? { visibility: req.visibility } : {}) });
  const filter = await compiler.scope(req.types, req.where);
  const order = searchOrder(req.sort);
  const scope = req.types.join(',');
  const pageFilter = req.cursor !== undefined ? andFilter([filter, keysetFilter(order, decodeCursor('search', scope, order, req.cursor))]) : filter;

  const result: SearchResult = { matches: [] };
  if (req.total === 'accurate' || req.total === 'estimate') {
    result.total = await ctx.resources.countDocuments(filter, session);
  }
  if (req.count === 0) return result;

  const rows = await ctx.resources
    .find(pageFilter, { sort: sortSpec(order), limit: req.count + 1, projection: PAGE_PROJECTION, ...session })
    .toArray();
  const page = rows.slice(0, req.count);
  result.matches = page.map(toStored);
  if (rows.length > req.count) result.next = encodeCursor('search', scope, order, page[page.length - 1]!);
  return result;
}
