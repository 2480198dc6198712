// history(): versions newest first at instance, type or system level. The order is
// (lu desc, seq desc, type, id, vid desc): write order (see ./sequence.ts), and total, so keyset
// paging is stable: new writes get a newer (lu, seq) and land before any cursor already handed out.
import { errors } from '../../domain/errors.js';
import type { HistoryRequest, HistoryResult } from '../port.js';
import type { CollectionLike, Doc, SessionLike } from './driver.js';
import { toStored } from './documents.js';
import { andFilter } from './filter-primitives.js';
import { decodeCursor, encodeCursor, keysetFilter } from './keyset.js';
import type { OrderField } from './sort-keys.js';
import { sortSpec } from './sort-keys.js';
import { str } from './values.js';

export interface HistoryContext {
  versions: CollectionLike;
  session?: SessionLike;
}

const ORDER: OrderField[] = [
  { path: 'lu', dir: -1 },
  { path: 'seq', dir: -1 },
  { path: 'type', dir: 1 },
  { path: 'id', dir: 1 },
  { path: 'vid', dir: -1 },
];

/** Stored instants are UTC `...Z` with milliseconds, so `since` is normalised before comparing text. */
function normaliseInstant(since: string): string {
  const ms = Date.parse(str(since, '_since'));
  if (Number.isNaN(ms)) throw errors.badRequest(`Invalid _since ${since}`);
  return new Date(ms).toISOString();
}

export async function history(ctx: HistoryContext, req: HistoryRequest): Promise<HistoryResult> {
  if (!Number.isInteger(req.count) || req.count < 0) throw errors.badRequest('Invalid _count');
  const parts: Doc[] = [];
  if (req.type !== undefined) parts.push({ type: { $eq: str(req.type, 'type') } });
  if (req.id !== undefined) parts.push({ id: { $eq: str(req.id, 'id') } });
  if (req.since !== undefined) parts.push({ lu: { $gte: normaliseInstant(req.since) } });
  const filter = andFilter(parts);
  const scope = `${req.type ?? ''}/${req.id ?? ''}`;
  const session = ctx.session ? { session: ctx.session } : {};

  const total = await ctx.versions.countDocuments(filter, session);
  if (req.count === 0) return { versions: [], total };
  const pageFilter = req.cursor !== undefined ? andFilter([filter, keysetFilter(ORDER, decodeCursor('history', scope, ORDER, req.cursor))]) : filter;
  const rows = await ctx.versions
    .find(pageFilter, { sort: sortSpec(ORDER), limit: req.count + 1, ...session })
    .toArray();
  const page = rows.slice(0, req.count);
  const result: HistoryResult = { versions: page.map(toStored), total };
  if (rows.length > req.count) result.next = encodeCursor('history', scope, ORDER, page[page.length - 1]!);
  return result;
}
