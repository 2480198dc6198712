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
//      - Outages: when the server becomes unreachable part-way through, the rollback cannot run
//        either. What it could not undo is kept (TransactionEnv.deferredUndo) and undone before this
//        store's next transaction, the first thing once the server is back (the hold sweeper and the
//        audit log run transactions of their own, so that happens soon even without requests). Until
//        then the half-applied writes are visible to reads, as during any fallback transaction; a
//        write whose reply was lost with the connection is not known to have happened and cannot
//        be undone at all.
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
import { asUnavailable, isUnavailable } from './unavailable.js';

export interface TransactionEnv extends Collections {
  client: MongoClientLike;
  indexer: Indexer;
  clock: VersionClock;
  sequence: WriteSequence;
  mutex: Mutex;
  serverTransactions: boolean;
  /**
   * Compensation steps of failed fallback transactions that could not run because the server was
   * unreachable, in write order; applied before the next transaction (see the top of this file).
   */
  deferredUndo: UndoStep[];
  /** See UNREACHABLE_RETRY_MS. */
  unreachableRetryMs: number;
}

/** One step of a rollback: a journal entry, or the removal of a version document left after its resource was restored. */
export type UndoStep = UndoEntry | { version: string };

/**
 * Runs fn as one transaction. Transactions of this store run one after another (the contract pins
 * this: a transaction does not start until the previous one ended, so one that reads what another
 * writes always sees it committed). A lock per resource cannot give that, because the resources fn
 * will touch are unknown when it starts, and it would need deadlock handling; one in-process mutex
 * is simpler, costs little next to the round trips of a transaction, and leaves concurrency across
 * processes to the server (session mode) or the version guards (fallback).
 */
export function runTransaction<T>(env: TransactionEnv, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
  return env.mutex.run(async () => {
    if (env.deferredUndo.length > 0) await finishDeferredUndo(env);
    return env.serverTransactions ? viaSession(env, fn) : viaCompensation(env, fn);
  });
}

/** Completes the rollbacks an outage interrupted; a 503 while the server is still unreachable. */
async function finishDeferredUndo(env: TransactionEnv): Promise<void> {
  const steps = env.deferredUndo.splice(0);
  const { unrestored, deferred } = await compensate(env, steps);
  env.deferredUndo.unshift(...deferred);
  if (deferred.length > 0) throw errors.unavailable('The database cannot be reached just now; try again shortly');
  if (unrestored.length > 0) {
    throw errors.internal(`A transaction interrupted by a database outage could not be fully rolled back: ${unrestored.join(', ')} changed concurrently`);
  }
}

/**
 * How long a session transaction keeps retrying after losing the server (default of
 * MongoStoreOptions.unreachableRetryMs). The driver labels a
 * network error inside a transaction TransientTransactionError and withTransaction then runs the
 * callback again for up to 120 s: right for a blip, but during an outage the client would wait two
 * minutes for its 503. Past this budget the error leaves the callback as a 503 FhirError, which
 * withTransaction does not retry.
 */
export const UNREACHABLE_RETRY_MS = 1000;

async function viaSession<T>(env: TransactionEnv, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
  const session = env.client.startSession();
  const started = Date.now();
  try {
    return await session.withTransaction(async () => {
      const bound = bindWriter(env, env.indexer, { clock: env.clock, sequence: env.sequence, session });
      try {
        const result = await fn(bound.writer);
        await bound.finish();
        return result;
      } catch (err) {
        await bound.finish().catch(() => undefined);
        if (isUnavailable(err) && Date.now() - started >= env.unreachableRetryMs) throw asUnavailable(err);
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
    const { unrestored, deferred } = await compensate(env, journal);
    env.deferredUndo.push(...deferred);
    if (unrestored.length > 0) {
      const e: FhirError = errors.internal(
        `Transaction failed and could not be fully rolled back: ${unrestored.join(', ')} changed concurrently`,
      );
      Object.defineProperty(e, 'cause', { value: err });
      throw e;
    }
    // The rollback waits for the server: whatever fn failed with, the answer is "try again".
    if (deferred.length > 0 && !isUnavailable(err)) throw errors.unavailable('The database cannot be reached just now; try again shortly', err);
    throw err;
  }
  return result;
}

export interface Compensation {
  /** Resources a concurrent writer changed after us: they cannot be restored. */
  unrestored: string[];
  /** Steps not done because the server could not be reached, in write order: to be done later. */
  deferred: UndoStep[];
}

/** Undo the steps newest first. */
export async function compensate(cols: Collections, steps: UndoStep[]): Promise<Compensation> {
  const unrestored: string[] = [];
  const deferred: UndoStep[] = [];
  const failed = (e: unknown, step: UndoStep, name: string) => {
    if (isUnavailable(e)) deferred.push(step);
    else unrestored.push(name);
  };
  for (const e of [...steps].reverse()) {
    if ('request' in e) {
      await cols.requests.deleteMany({ _id: { $eq: e.request } }).catch((err: unknown) => failed(err, e, `request ${e.request}`));
      continue;
    }
    if ('version' in e) {
      await cols.versions.deleteMany({ _id: { $eq: e.version } }).catch((err: unknown) => failed(err, e, e.version));
      continue;
    }
    const key = resourceKey(e.type, e.id);
    let undone: number;
    try {
      // Only while the current document is still the version we wrote: never overwrite a newer one.
      const guard = { _id: { $eq: key }, vid: { $eq: e.vid } };
      undone = e.before
        ? (await cols.resources.updateOne(guard, { $set: mutableFields(e.before) })).matchedCount
        : (await cols.resources.deleteMany(guard)).deletedCount;
    } catch (err) {
      failed(err, e, key);
      continue;
    }
    if (undone !== 1) {
      // A later version builds on ours, so ours is real history now: keep its version document.
      unrestored.push(key);
      continue;
    }
    const version = versionKey(e.type, e.id, e.vid);
    await cols.versions.deleteMany({ _id: { $eq: version } }).catch((err: unknown) => failed(err, { version }, key));
  }
  return { unrestored: [...new Set(unrestored)], deferred: deferred.reverse() };
}
