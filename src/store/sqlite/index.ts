// SQLite adapter of the Store port (the embedded default engine).
import type { Store } from '../port.js';
import { SqliteStore, type SqliteStoreOptions } from './store.js';

export type { SqliteStoreOptions } from './store.js';

/** Opens (creating if needed) a store on a database file, or a private throw-away one for ':memory:'. */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  return SqliteStore.open(opts);
}

/**
 * The SQLite store's seeding-only bulk mode (SqliteStore.bulkLoad: relaxed fsync while `fn` runs,
 * full durability restored and the WAL checkpointed before it returns), or undefined for any other
 * store. For scripts/estate; the server never uses it.
 */
export function sqliteBulkLoad(store: Store): (<T>(fn: () => Promise<T>) => Promise<T>) | undefined {
  return store instanceof SqliteStore ? (fn) => store.bulkLoad(fn) : undefined;
}
