// The MongoDB Store adapter: composition of the parts in this folder.
//
//   documents.ts   collection document shapes        writes.ts     versioned writes, reads
//   compile.ts     SearchRequest -> one filter        search.ts     search with keyset paging
//   idx-filter.ts  idx conditions -> $elemMatch       history.ts    history
//   sort-keys.ts   write-time sort keys, order        keyset.ts     cursors
//   sequence.ts    write order within a millisecond   transactions.ts  session / compensating tx
//   values.ts      operator-injection guards          schema.ts     collections and indexes
//   writer.ts      StoreWriter bound to one transaction
//   records.ts     RecordStore (expiring non-FHIR records) in the `records` collection
// Collections: resources, versions, requests (idempotency), records.
// Shared with the SQLite adapter: ../common (write rules, lastUpdated clock, cursor format).
//
// Transactions are atomic only when the deployment is a replica set or sharded cluster; on a
// standalone server they fall back to compensation, with the limits listed in ./transactions.ts,
// and capabilities.atomicTransactions says which one you got.
//
// A server that cannot be reached (down, unreachable, stepping down) is a 503 on every call
// (./unavailable.ts), never a 500; the driver reconnects by itself, so the store needs no reopening
// when the server is back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { errors } from '../../domain/errors.js';
import { VersionClock } from '../common/clock.js';
import { Mutex } from '../common/mutex.js';
import { WriteSequence } from './sequence.js';
import type { SearchRequest } from '../../domain/search-types.js';
import type { HistoryRequest, HistoryResult, Indexer, SearchResult, Store, StoreCapabilities, StoredVersion, StoreWriter } from '../port.js';
import { createClient } from './connect.js';
import type { CollectionLike, DbLike, MongoClientLike } from './driver.js';
import { history } from './history.js';
import type { RecordStore } from '../../domain/records.js';
import { MongoRecords } from './records.js';
import { openCollections, openRecords } from './schema.js';
import { search } from './search.js';
import { runTransaction, UNREACHABLE_RETRY_MS, type TransactionEnv } from './transactions.js';
import { read, vread } from './writes.js';
import { mapUnavailable } from './unavailable.js';
import { UnavailableMappedRecords } from './records-unavailable.js';

export interface MongoStoreOptions {
  /** Connection string; used when no client is given. Default mongodb://127.0.0.1:27017. */
  uri?: string;
  /** Default "envelope". */
  dbName?: string;
  /** An existing client (the real MongoClient or the test double); the store does not close it. */
  client?: MongoClientLike;
  indexer: Indexer;
  /** Force the compensating fallback even on a replica set (tests; diagnosing). */
  disableServerTransactions?: boolean;
  /** How long a session transaction retries a lost connection before answering 503 (default UNREACHABLE_RETRY_MS, 1 s). */
  unreachableRetryMs?: number;
}

/** Replica-set members report setName; mongos reports msg "isdbgrid". Both run transactions. */
async function supportsTransactions(db: DbLike): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

export async function openMongoStore(opts: MongoStoreOptions): Promise<Store> {
  if (typeof opts.indexer !== 'function') throw errors.internal('openMongoStore needs an indexer');
  const owned = !opts.client;
  const client = opts.client ?? createClient(opts.uri ?? 'mongodb://127.0.0.1:27017');
  try {
    const db = client.db(opts.dbName ?? 'envelope');
    const serverTransactions = !opts.disableServerTransactions && (await supportsTransactions(db));
    const cols = await openCollections(db);
    const records = await openRecords(db);
    // Continue the clock and the write sequence from the newest version already stored, so history
    // stays in write order across restarts even if the wall clock went back meanwhile.
    const clock = new VersionClock();
    const sequence = new WriteSequence();
    const [newest] = await cols.versions.find({}, { sort: { lu: -1, seq: -1 }, limit: 1, projection: { lu: 1, seq: 1 } }).toArray();
    clock.observe(typeof newest?.lu === 'string' ? newest.lu : undefined);
    sequence.observe(newest?.seq);
    const env: TransactionEnv = { ...cols, client, indexer: opts.indexer, clock, sequence, mutex: new Mutex(), serverTransactions,
      deferredUndo: [], unreachableRetryMs: opts.unreachableRetryMs ?? UNREACHABLE_RETRY_MS };
    return new MongoStore(env, db, records, owned);
  } catch (err) {
    if (owned) await client.close().catch(() => undefined);
    throw err;
  }
}

/** Marks the async context of a running transaction: record writes refuse to run inside one. */
const activeTransaction = new AsyncLocalStorage<MongoStore>();

class MongoStore implements Store {
  readonly capabilities: StoreCapabilities;
  readonly records: RecordStore;
  private closed = false;

  constructor(
    private readonly env: TransactionEnv,
    private readonly db: DbLike,
    records: CollectionLike,
    private readonly ownsClient: boolean,
  ) {
    this.capabilities = { atomicTransactions: env.serverTransactions, engine: 'mongodb' };
    const open = () => {
      if (this.closed) throw errors.unavailable('Store is closed');
    };
    // Record writes are never part of a transaction (a rollback would not undo them), so one made
    // inside fn is refused, as the SQLite adapter must (there it would deadlock on its writer).
    const writable = () => {
      open();
      if (activeTransaction.getStore() === this) {
        throw errors.internal('Record writes cannot run inside a store transaction: make them before or after it');
      }
    };
    this.records = new UnavailableMappedRecords(new MongoRecords(records, open, writable));
  }

  read(type: string, id: string): Promise<StoredVersion | undefined> {
    return mapUnavailable(read(this.env, type, id));
  }
  vread(type: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    return mapUnavailable(vread(this.env, type, id, versionId));
  }
  search(req: SearchRequest): Promise<SearchResult> {
    return mapUnavailable(search(this.env, req));
  }
  history(req: HistoryRequest): Promise<HistoryResult> {
    return mapUnavailable(history(this.env, req));
  }

  /** The only way to write (the port has no single-write methods). */
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(errors.unavailable('Store is closed'));
    return mapUnavailable(runTransaction(this.env, (tx) => activeTransaction.run(this, () => fn(tx))));
  }

  async ping(): Promise<void> {
    await mapUnavailable(this.db.admin().command({ ping: 1 }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.env.client.close();
  }
}
