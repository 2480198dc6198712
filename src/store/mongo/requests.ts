// Idempotency records in the `requests` collection. Inside a server transaction they commit with
// it; in the compensating fallback the insert is journalled and removed again on rollback.
import { errors } from '../../domain/errors.js';
import type { RequestRecord } from '../port.js';
import { isDuplicateKeyError, type CollectionLike, type SessionLike } from './driver.js';
import type { UndoEntry } from './writes.js';

export interface RequestContext {
  requests: CollectionLike;
  session?: SessionLike;
  journal?: (entry: UndoEntry) => void;
}

function checkKey(key: string): string {
  // Keys are built by the server, but stay data, never an operator.
  if (typeof key !== 'string' || key === '' || key.length > 512) throw errors.internal('Invalid request record key');
  return key;
}

export async function recallRequest(ctx: RequestContext, key: string): Promise<RequestRecord | undefined> {
  const doc = await ctx.requests.findOne({ _id: { $eq: checkKey(key) } }, ctx.session ? { session: ctx.session } : {});
  if (!doc) return undefined;
  return { key, status: doc.status as number, type: doc.type as string, id: doc.id as string, versionId: doc.vid as number, at: doc.at as string };
}

export async function rememberRequest(ctx: RequestContext, r: RequestRecord): Promise<void> {
  const doc = { _id: checkKey(r.key), status: r.status, type: r.type, id: r.id, vid: r.versionId, at: r.at };
  try {
    await ctx.requests.insertOne(doc, ctx.session ? { session: ctx.session } : {});
  } catch (e) {
    if (isDuplicateKeyError(e)) throw errors.conflict('This request has already been processed');
    throw e;
  }
  ctx.journal?.({ request: r.key });
}
