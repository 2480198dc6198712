// A StoreWriter bound to one transaction: a server-side session, or a compensating transaction's
// journal. It tracks its in-flight operations so that the transaction can wait for every write fn
// started (even ones fn did not await) before committing or rolling back, and it refuses to be
// used once the transaction is over.
import { errors } from '../../domain/errors.js';
import type { VersionClock } from '../common/clock.js';
import type { WriteSequence } from './sequence.js';
import type { Indexer, StoreWriter } from '../port.js';
import type { CollectionLike, SessionLike } from './driver.js';
import { history } from './history.js';
import { recallRequest, rememberRequest } from './requests.js';
import { search } from './search.js';
import { create, read, remove, update, vread, type UndoEntry, type WriteContext } from './writes.js';

export interface Collections {
  resources: CollectionLike;
  versions: CollectionLike;
  requests: CollectionLike;
}

export interface Unit {
  clock: VersionClock;
  sequence: WriteSequence;
  session?: SessionLike;
  journal?: (entry: UndoEntry) => void;
}

export interface BoundWriter {
  writer: StoreWriter;
  /** Refuse further calls and wait for the ones already started; rejects with the first failure. */
  finish(): Promise<void>;
}

export function bindWriter(cols: Collections, indexer: Indexer, unit: Unit): BoundWriter {
  const ctx: WriteContext = { resources: cols.resources, versions: cols.versions, indexer, ...unit };
  const reqCtx = { requests: cols.requests, ...unit };
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  function track<T>(op: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(errors.internal('Store writer used after its transaction ended'));
    const p = op();
    pending.add(p);
    // Only operations still running when the unit ends matter; settled ones were seen by fn.
    const settle = () => void pending.delete(p);
    p.then(settle, settle);
    return p;
  }

  const writer: StoreWriter = {
    read: (type, id) => track(() => read(ctx, type, id)),
    vread: (type, id, vid) => track(() => vread(ctx, type, id, vid)),
    search: (req) => track(() => search(ctx, req)),
    history: (req) => track(() => history(ctx, req)),
    create: (resource) => track(() => create(ctx, resource)),
    update: (resource, opts) => track(() => update(ctx, resource, opts)),
    delete: (type, id, opts) => track(() => remove(ctx, type, id, opts)),
    recallRequest: (key) => track(() => recallRequest(reqCtx, key)),
    rememberRequest: (record) => track(() => rememberRequest(reqCtx, record)),
  };

  return {
    writer,
    async finish() {
      closed = true;
      const results = await Promise.allSettled([...pending]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
