// Sessions for the double's replica-set mode, with snapshot isolation: a transaction works on its
// own copy of every collection, taken at its first operation (as the server fixes its snapshot
// then), so other clients keep seeing the
// committed state until commit, and the transaction sees its own writes. At commit every document
// it wrote must still be the one it started from; otherwise (someone else committed a change to it)
// the commit fails with a WriteConflict labelled TransientTransactionError, as MongoDB's
// first-writer-wins rule does (the server raises it at write time, the double at commit: the same
// outcome for the caller). As on the server, any failed operation inside a transaction aborts it:
// later operations and the commit fail with NoSuchTransaction (transient, so the callback is run
// again), which catches adapters that swallow an error inside a transaction. withTransaction mirrors the driver: it retries the callback while the
// error is transient and returns the callback's result.
import type { SessionLike } from '../../../src/store/mongo/driver.js';
import type { Doc } from '../../../src/store/mongo/driver.js';
import { DoubleDriverError, DoubleServerError, noSuchTransaction, transientConflict } from './errors.js';

/** Like the driver, retry a transient failure until this much time has passed. */
const RETRY_FOR_MS = 120_000;

export interface TransactionFaults {
  /** Fail this many upcoming commits with a transient error (as a write conflict would). */
  transientCommitFailures: number;
}

/** What a collection exposes to a transaction. */
export interface Versioned {
  docs: Doc[];
  /** Checks and applies a transaction's writes; throws a transient error on conflict. */
  commitFrom(view: TxView): void;
  checkCommit(view: TxView): void;
}

export interface TxView {
  docs: Doc[];
  /** For each _id the transaction wrote: the committed document it started from (undefined: none). */
  touched: Map<unknown, Doc | undefined>;
}

export class DoubleSession implements SessionLike {
  private views: Map<Versioned, TxView> | undefined;
  /** Set when an operation failed inside the transaction: the server aborts it there and then. */
  aborted = false;
  attempts = 0;

  constructor(
    private readonly faults: TransactionFaults,
    private readonly collections: () => Versioned[],
  ) {}

  get inTransaction(): boolean {
    return this.views !== undefined;
  }

  /** The transaction's copy of a collection (documents are never mutated in place, so a shallow copy is a snapshot). */
  view(coll: Versioned): TxView {
    const views = this.views!;
    if (views.size === 0) for (const c of this.collections()) views.set(c, { docs: [...c.docs], touched: new Map() });
    let v = views.get(coll);
    if (!v) {
      // Created after the snapshot: empty as of the snapshot.
      v = { docs: [], touched: new Map() };
      views.set(coll, v);
    }
    return v;
  }

  async withTransaction<T>(fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (;;) {
      this.attempts++;
      this.views = new Map();
      this.aborted = false;
      try {
        const result = await fn();
        if (this.aborted) throw noSuchTransaction();
        if (this.faults.transientCommitFailures > 0) {
          this.faults.transientCommitFailures--;
          throw transientConflict();
        }
        this.commit();
        return result;
      } catch (err) {
        const transient = (err instanceof DoubleServerError || err instanceof DoubleDriverError) && err.hasErrorLabel('TransientTransactionError');
        if (!transient || Date.now() - started >= RETRY_FOR_MS) throw err;
      } finally {
        this.views = undefined; // committed, or aborted by dropping the copies
      }
    }
  }

  /** All-or-nothing: every collection is checked before any is changed (no await in between). */
  private commit(): void {
    for (const [coll, view] of this.views!) coll.checkCommit(view);
    for (const [coll, view] of this.views!) coll.commitFrom(view);
  }

  async endSession(): Promise<void> {
    this.views = undefined;
  }
}
