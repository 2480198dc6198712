// Opening the two connections of a store (one writer, one reader) on one database file.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RECORDS_DDL } from './records.js';
import { REQUESTS_DDL } from './requests.js';
import { createIfMissing, DEFERRABLE_INDEXES, SCHEMA_DDL, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

export interface Files {
  path: string;
  /** True when the caller asked for ':memory:' (no durability wanted). */
  ephemeral: boolean;
  /** Removes what openFiles created for an ephemeral store. */
  cleanup(): void;
}

/**
 * ':memory:' cannot be a real SQLite in-memory database here: each connection to ':memory:' is a
 * separate database, this build omits shared cache (and shared cache has table locks, not snapshots),
 * and WAL needs a file. Reads outside a transaction must not see its uncommitted writes, which takes
 * two connections with WAL snapshots — so ':memory:' becomes a private file in RAM-backed /dev/shm
 * (or the temp dir), removed on close.
 */
export function openFiles(file: string): Files {
  if (file === ':memory:' || file === '') {
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const dir = mkdtempSync(join(base, 'envelope-sqlite-'));
    return { path: join(dir, 'store.db'), ephemeral: true, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  mkdirSync(dirname(file), { recursive: true });
  return { path: file, ephemeral: false, cleanup: () => {} };
}

/** How long a statement waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/** Page size for new databases (fixed once the file exists). */
const PAGE_SIZE = 4096;
/** Checkpoint after about this much WAL. */
const CHECKPOINT_BYTES = 40 * 1024 * 1024;
/**
 * Page cache of each connection, KiB (as a negative cache_size). The server has four connections
 * (writer and reader here, writer and reader of the audit writer thread), so this bounds SQLite's
 * page caches to 8 MiB in all. A larger cache buys nothing here: in WAL mode a connection drops its
 * whole cache at the start of a read transaction whenever another connection has committed since
 * its last one (pager.c pagerBeginReadTransaction), and the audit writer commits after every
 * request's events — so the request thread's connections start nearly every request cold whatever
 * the size, and read through the OS page cache. Measured on the 1.44M-resource estate, one
 * connection: CPU per request of the read, the free-slot search and the referrals search were the
 * same within noise with 2, 8 and 64 MiB (docs/operations.md, "Memory").
 */
export const CACHE_KIB = 2048;

function configure(db: Db, ephemeral: boolean): void {
  // Measured for 1M slots in transactions of 500: 4 KiB pages 16.4k inserts/s, 16 KiB 14.0k/s (at
  // 100k the order is reversed). Large stores are dominated by inserts at random places of the date
  // and token indexes, where every touched page is rewritten to the WAL — smaller pages write less.
  // Only takes effect when the database is created, so it must come before journal_mode.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Another connection holding a lock makes a statement wait instead of failing at once. Transactions
  // take the write lock through ./write-lock.ts, which waits as long but without blocking the thread.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // No memory-mapped I/O: pages are read (pread) into the bounded page cache, from the OS page
  // cache. Mapped pages count in the process's resident set (up to the 1 GiB mapped here before:
  // 462 MiB of a 935 MiB peak under search load), and the mapping bought little: the cache reset
  // described at CACHE_KIB also unmaps the file (sqlite3OsUnfetch), so the request thread's
  // connections faulted their pages in again at nearly every request; only the audit writer's
  // mapping stayed, growing with every page its inserts touched.
  db.pragma('mmap_size = 0');
  db.pragma('temp_store = MEMORY');
  for (const p of durablePragmas(db, ephemeral)) db.pragma(p);
}

export function pageSize(db: Db): number {
  return db.pragma('page_size', { simple: true }) as number;
}

/**
 * The settings of normal operation that SqliteStore.bulkLoad (seeding only) relaxes and restores.
 * - Durability: with WAL, synchronous=NORMAL survives an application crash but "a transaction
 *   committed in WAL mode with synchronous=NORMAL might roll back following a power loss or system
 *   crash" (sqlite.org/pragma.html#pragma_synchronous). An acknowledged write must not be lost, so
 *   FULL: the WAL is fsynced at every commit. Ephemeral stores promise no durability at all.
 * - A small page cache (CACHE_KIB): it is reset whenever another connection commits, see there.
 * - Checkpoint every ~40 MB of WAL instead of ~4 MB: bulk loads rewrite the same index pages many
 *   times, and a checkpoint copies a page once however often it changed (measured ~15% faster
 *   seeding). Readers pay a little for a longer WAL; the checkpoint itself runs on a commit.
 */
export function durablePragmas(db: Db, ephemeral: boolean): string[] {
  return [
    ephemeral ? 'synchronous = OFF' : 'synchronous = FULL',
    `cache_size = ${-CACHE_KIB}`,
    `wal_autocheckpoint = ${Math.max(1000, Math.round(CHECKPOINT_BYTES / pageSize(db)))}`,
  ];
}

/** SqliteStore.bulkLoad (seeding only): checkpoint interval and page cache (KiB, negative) while it runs. */
export const BULK_CHECKPOINT_BYTES = 256 * 1024 * 1024;
export const BULK_CACHE_KIB = -524288;

/** Opens the writer, creating or checking the schema. */
export function openWriter(path: string, ephemeral: boolean): Db {
  const db = new Database(path);
  try {
    configure(db, ephemeral);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) {
      db.transaction(() => {
        db.exec(SCHEMA_DDL);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    } else if (version !== SCHEMA_VERSION) {
      throw new Error(`Unsupported Envelope SQLite schema version ${version} in ${path} (expected ${SCHEMA_VERSION})`);
    } else {
      // A seeding bulkLoad that never finished (killed process) leaves its deferred indexes dropped:
      // build any that are missing (a no-op when all exist).
      for (const i of DEFERRABLE_INDEXES) db.exec(createIfMissing(i));
    }
    db.exec(REQUESTS_DDL);
    db.exec(RECORDS_DDL);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens the reader. Writes through it fail at the engine (query_only), whatever the caller does. */
export function openReader(path: string, ephemeral: boolean): Db {
  const db = new Database(path);
  configure(db, ephemeral);
  db.pragma('query_only = ON');
  return db;
}
