// SQLite adapter of the Store port (the embedded default engine).
import type { Store } from '../port.js';
import { SqliteStore, type SqliteStoreOptions } from './store.js';

export type { SqliteStoreOptions } from './store.js';

/** Opens (creating if needed) a store on a database file, or a private throw-away one for ':memory:'. */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  return SqliteStore.open(opts);
}
