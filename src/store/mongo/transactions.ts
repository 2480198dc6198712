// Store.transaction(fn): all of fn's writes or none.
//
// 1. Server transactions (replica set or mongos, detected at open): fn runs inside
//    session.withTransaction, every operation carries the session, and the driver retries the whole
//    callback on TransientTransactionError (so fn may run more than once, as with any MongoDB
//    transaction) and the commit on UnknownTransactionCommitResult. capabilities.atomicTransactions
//    is true.
//
// 2. Compensating fallback (standalone server; also the in-memory test double by default). MongoDB
//    cannot group writes here, so each write is applied immediately and recorded in an undo journal
//    (the version written and the document it replaced). If fn throws, the journal is replayed in
//    reverse: the replaced current document is put back with an update guarded by the version we
//    wrote (or our first version is deleted), then the version document we added is removed.
//    Transactions of one store run one at a time, so in-process they never interleave.
//    What this does NOT guarantee, and why capabilities.atomicTransactions is false:
//      - Isolation across processes: another process (or a reader outside the transaction in this
//        one) can observe the intermediate state, e.g. the first half of a transaction bundle,
//        before commit or before a rollback undoes it.
//      - Rollback against a foreign writer: if another process writes a resource after us and
//        before our rollback, the version guard refuses to overwrite its work; that resource is
//        then not restored and the transaction fails with a 500 naming it (nothing is silently lost,
//        but the bundle is no longer all-or-nothing).
//      - Crash safety: if this process dies mid-transaction or mid-rollback, the writes done so
//        far stay. (A version document orphaned that way is replaced by the next write of that
//        version number, see ./writes.ts.)
//      - Predicate isolation (in either mode): two transactions that each search, find nothing and
//        create can both commit; conditional create needs an identifier-level unique check above.
import { errors, type FhirError } from '../../domain/errors.js';
import type { VersionClock } from '../common/clock.js';
import type { WriteSequence } from './sequence.js';
import type { Indexer, StoreWriter } from '../port.js';
import type { MongoClientLike } from './driver.js';
import { mutableFields, resourceKey, versionKey } from './documents.js';
import type { Mutex } from '../common/mutex.js';
import { bindWriter, type Collections } from './writer.js';
import type { UndoEntry } from './writes.js';

export interface TransactionEnv extends Collections {
  client: MongoClientLike;
  indexer: Indexer;
  clock: VersionClock;
  sequence: WriteSequence;
  mutex: Mutex;
  serverTransactions: boolean;
}

/**
 * Runs fn as one transaction. Transactions of this store run one after another (the contract pins
 * this: a transaction does not start until the previous one ended, so one that reads what another
 * writes always sees it committed). A lock per resource cannot give that, because the resources fn
 * will touch are unknown when it starts, and it would need deadlock handling; one in-process mutex
 * is simpler, costs little next to the round trips of a transaction, and leaves concurrency across
 * processes to the server (session mode) or the version guards (fallback).
 */
export function runTransaction<T>(env: TransactionEnv, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
  return env.mutex.run(() => (env.serverTransactions ? viaSession(env, fn) : viaCompensation(env, fn)));
}

async function viaSession<T>(env: TransactionEnv, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
  const session = env.client.startSession();
  try {
    return await session.withTransaction(async () => {
      const bound = bindWriter(env, env.indexer, { clock: env.clock, sequence: env.sequence, session });
      try {
        const result = await fn(bound.writer);
        await bound.finish();
        return result;
      } catch (err) {
        await bound.finish().catch(() => undefined);
        throw err;
      }
    });
  } finally {
    await session.endSession();
  }
}

async function viaCompensation<T>(env: TransactionEnv, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
  const journal: UndoEntry[] = [];
  const bound = bindWriter(env, env.indexer, { clock: env.clock, sequence: env.sequence, journal: (e) => journal.push(e) });
  let result: T;
  try {
    result = await fn(bound.writer);
    await bound.finish();
  } catch (err) {
    // Let writes fn started but did not await land first, or they would escape the rollback.
    await bound.finish().catch(() => undefined);
    const unrestored = await compensate(env, journal);
    if (unrestored.length > 0) {
      const e: FhirError = errors.internal(
        `Transaction failed and could not be fully rolled back: ${unrestored.join(', ')} changed concurrently`,
      );
      Object.defineProperty(e, 'cause', { value: err });
      throw e;
    }
    throw err;
  }
  return result;
}

/** Undo the journal newest first; returns the resources that could not be restored. */
export async function compensate(cols: Collections, journal: UndoEntry[]): Promise<string[]> {
  const unrestored: string[] = [];
  for (const e of [...journal].reverse()) {
    if ('request' in e) {
      await cols.requests.deleteMany({ _id: { $eq: e.request } }).catch(() => unrestored.push(`request ${e.request}`));
      continue;
    }
    const key = resourceKey(e.type, e.id);
    try {
      // Only while the current document is still the version we wrote: never overwrite a newer one.
      const guard = { _id: { $eq: key }, vid: { $eq: e.vid } };
      const undone = e.before
        ? (await cols.resources.updateOne(guard, { $set: mutableFields(e.before) })).matchedCount
        : (await cols.resources.deleteMany(guard)).deletedCount;
      if (undone !== 1) {
        // A later version builds on ours, so ours is real history now: keep its version document.
        unrestored.push(key);
        continue;
      }
      await cols.versions.deleteMany({ _id: { $eq: versionKey(e.type, e.id, e.vid) } });
    } catch {
      unrestored.push(key);
    }
  }
  return [...new Set(unrestored)];
}
