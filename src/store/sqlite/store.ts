// The SQLite Store: two connections on one WAL database. The read connection serves reads outside
// transactions and sees only committed data (each read runs in its own WAL snapshot). The write
// connection is used by one transaction at a time: an async mutex serialises this process's
// writers (fn may await between writes, so the engine lock alone would not keep two transactions
// apart on one connection) and BEGIN IMMEDIATE takes the database write lock up front, so a second
// process makes us wait (./write-lock.ts: on timers, never blocking the thread) instead of failing
// mid-transaction. Record writes (./records.ts) take the same mutex and write lock, each as a short
// transaction of its own. A database that cannot be used just now (locked beyond the wait, read-only,
// gone, failing disk: ./unavailable.ts) is a 503 on every path, and nothing needs resetting
// afterwards: the next call simply uses the connections again.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Indexer, Store, StoreCapabilities, StoreWriter } from '../port.js';
import type { RecordStore } from '../../domain/records.js';
import { errors } from '../../domain/errors.js';
import { VersionClock } from '../common/clock.js';
import { Mutex } from '../common/mutex.js';
import {
  BULK_CACHE_KIB, BULK_CHECKPOINT_BYTES, durablePragmas, openFiles, openReader, openWriter, pageSize, type Db, type Files,
} from './connection.js';
import { ParamIds } from './params.js';
import { SqliteReader } from './reader.js';
import { SqliteRecords } from './records.js';
import { Statements } from './statements.js';
import { SqliteWriter, type WriteContext } from './writer.js';
import { asUnavailable, mapUnavailable } from './unavailable.js';
import { WriteLock } from './write-lock.js';
import { ProbeCache } from './search/probe-cache.js';
import { DEFERRABLE_INDEXES, type IndexDef } from './schema.js';
import { BulkKeys } from './bulk-keys.js';

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:' for a private throw-away store. */
  file: string;
  indexer: Indexer;
}

/** Marks the async context of a running transaction, so a nested call fails instead of deadlocking. */
const activeTransaction = new AsyncLocalStorage<SqliteStore>();

export class SqliteStore extends SqliteReader implements Store {
  readonly capabilities: StoreCapabilities = { atomicTransactions: true, engine: 'sqlite' };
  private readonly mutex = new Mutex();
  private readonly clock = new VersionClock();
  private readonly writeStatements: Statements;
  private readonly writeLock: WriteLock;
  private closed = false;
  /** Set while bulkLoad fills an empty database (see there). */
  private bulkKeys: BulkKeys | undefined;
  readonly records: RecordStore;

  private constructor(
    private readonly files: Files,
    private readonly writeDb: Db,
    private readonly readDb: Db,
    private readonly indexer: Indexer,
    params: ParamIds,
  ) {
    const probes = new ProbeCache();
    super(new Statements(readDb), params, () => {
      if (this.closed) throw errors.unavailable('The store is closed');
    }, probes);
    this.writeStatements = new Statements(writeDb);
    this.writeLock = new WriteLock(writeDb);
    this.records = new SqliteRecords(this.db, (fn) => this.recordWrite(fn), this.guard);
  }

  /**
   * One record write as its own short transaction on the write connection, after any running
   * resource transaction of this store (the mutex) and under the database write lock (BEGIN
   * IMMEDIATE). Called from inside a transaction's fn it fails loudly rather than wait for the
   * mutex that fn's own transaction holds (a deadlock); it does not join that transaction either,
   * because a record write must not be undone by a rollback it knows nothing of (and the MongoDB
   * adapter could not offer that). Record reads use the read connection and work anywhere.
   */
  private async recordWrite<T>(fn: (db: Statements) => T): Promise<T> {
    this.guard();
    if (activeTransaction.getStore() === this) {
      throw errors.internal('Record writes cannot run inside a store transaction: make them before or after it');
    }
    return this.mutex.run(async () => {
      this.guard();
      await this.writeLock.acquire();
      try {
        const result = fn(this.writeStatements);
        this.writeDb.exec('COMMIT');
        return result;
      } catch (e) {
        this.rollback();
        throw asUnavailable(e);
      }
    });
  }

  static open(opts: SqliteStoreOptions): SqliteStore {
    if (typeof opts.indexer !== 'function') throw new TypeError('openSqliteStore needs an indexer');
    const files = openFiles(opts.file);
    let writeDb: Db | undefined;
    try {
      writeDb = openWriter(files.path, files.ephemeral);
      const readDb = openReader(files.path, files.ephemeral);
      return new SqliteStore(files, writeDb, readDb, opts.indexer, new ParamIds());
    } catch (e) {
      writeDb?.close();
      files.cleanup();
      throw e;
    }
  }

  async transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    this.guard();
    if (activeTransaction.getStore() === this) {
      throw errors.internal('Nested store transaction: use the writer passed to the outer transaction');
    }
    return this.mutex.run(async () => {
      this.guard();
      const db = this.writeDb;
      await this.writeLock.acquire();
      let open = true;
      const keys = this.bulkKeys;
      const ctx: WriteContext = { db: this.writeStatements, params: this.params, indexer: this.indexer, clock: this.clock, probes: this.probes, keys };
      const tx = new SqliteWriter(
        ctx,
        () => {
          if (!open) throw errors.internal('The transaction is over: its writer can no longer be used');
        },
      );
      try {
        // Another process may have written since our last transaction: keep stamps non-decreasing.
        const newest = db.prepare('SELECT max(lu) AS lu FROM versions').get() as { lu: string | null };
        this.clock.observe(newest.lu);
        const result = await activeTransaction.run(this, () => fn(tx));
        open = false;
        if (ctx.doomed !== undefined) throw ctx.doomed;
        db.exec('COMMIT');
        keys?.commit();
        return result;
      } catch (e) {
        open = false;
        this.rollback();
        keys?.rollback();
        // pids inserted by this transaction are gone; a later insert may reuse their numbers.
        this.params.reset();
        throw asUnavailable(e);
      }
    });
  }

  /**
   * Ends the write connection's open transaction, if any. A failing disk can make ROLLBACK fail too
   * (SQLite has then usually rolled back by itself already); the caller's error is the one worth
   * reporting, and the connection must not be left inside a transaction either way.
   */
  private rollback(): void {
    try {
      if (this.writeDb.inTransaction) this.writeDb.exec('ROLLBACK');
    } catch {
      // Still open: the next WriteLock.acquire ends it first (or answers 503 while it cannot).
    }
  }

  /**
   * SEEDING ONLY (scripts/estate); not part of the Store port, and the server never calls it. Runs
   * `fn` (which writes through `transaction` as usual) with the writer connection relaxed for a bulk
   * load: synchronous=NORMAL (in WAL mode: no fsync per commit, the WAL is synced at checkpoints; a
   * power loss may lose the latest commits but leaves the database consistent), a checkpoint every
   * ~256 MiB of WAL instead of ~40 MiB, and a 512 MiB page cache. Afterwards — however fn ends — it
   * restores synchronous=FULL, the normal checkpoint interval and cache, and checkpoints the whole
   * WAL with fsync, so everything committed inside is durable once this returns. Writes made
   * through the store by others while fn runs get the relaxed durability too: use it only on a
   * database nobody else is writing to and that can be seeded again.
   *
   * When the database is EMPTY (no resource rows), it also drops the indexes schema.ts marks
   * deferrable (the idx value indexes, resources_type_lu and the unique resources_type_id) and builds
   * them again from the loaded rows before the final checkpoint, however fn ends: inserting at random
   * places of those indexes is most of a bulk load's cost, building them from sorted data is far
   * cheaper. Meanwhile the writer finds existing resources through an in-memory map of what this
   * load wrote (bulk-keys.ts), and rebuilding the unique index fails the load if an id repeated.
   * Reads and searches made while fn runs are correct but unindexed. A database that already holds data keeps its
   * indexes (only the relaxed durability applies). If the process dies before the rebuild, the next
   * open of the store builds the missing indexes (connection.ts openWriter).
   */
  async bulkLoad<T>(fn: () => Promise<T>): Promise<T> {
    this.guard();
    const db = this.writeDb;
    let dropped: readonly IndexDef[] = [];
    await this.mutex.run(async () => {
      // foreign_keys OFF: every idx/versions row would otherwise look its resources row up again, and
      // the writer only ever inserts them under the rk it has just inserted or found (~7 % of a load).
      // threads: the CREATE INDEX sorts of the rebuild may use a helper thread (~15 % faster).
      const relaxed = ['synchronous = NORMAL', `wal_autocheckpoint = ${Math.round(BULK_CHECKPOINT_BYTES / pageSize(db))}`, `cache_size = ${BULK_CACHE_KIB}`, 'foreign_keys = OFF', 'threads = 2'];
      for (const p of relaxed) db.pragma(p);
      db.transaction(() => {
        const empty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM resources) AND NOT EXISTS (SELECT 1 FROM idx) AS empty').get() as { empty: number };
        if (empty.empty !== 1) return;
        for (const i of DEFERRABLE_INDEXES) db.exec(`DROP INDEX IF EXISTS ${i.name}`);
        dropped = DEFERRABLE_INDEXES;
      }).immediate();
      if (dropped.length > 0) this.bulkKeys = new BulkKeys();
    });
    try {
      return await fn();
    } finally {
      await this.mutex.run(async () => {
        this.bulkKeys = undefined;
        // Each index on its own, so that one failing (the unique one, if another writer broke the
        // condition above and an id repeats) leaves the others built; its error then fails the load.
        let failure: unknown;
        for (const i of dropped) {
          try {
            db.exec(i.sql);
          } catch (e) {
            failure ??= e;
          }
        }
        for (const p of [...durablePragmas(db, this.files.ephemeral), 'foreign_keys = ON', 'threads = 0', 'wal_checkpoint(FULL)']) db.pragma(p);
        if (failure !== undefined) throw asUnavailable(failure);
      });
    }
  }

  async ping(): Promise<void> {
    this.guard();
    // SELECT 1 never touches the file; reading the schema cookie does.
    mapUnavailable(() => this.db.prepare('PRAGMA schema_version').get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let a running transaction finish (new ones are refused by the guard above).
    await this.mutex.run(async () => {});
    try {
      this.writeDb.pragma('optimize');
    } catch {
      // Statistics are an optimisation; closing must not fail because of them.
    }
    this.readDb.close();
    this.writeDb.close();
    this.files.cleanup();
  }
}
