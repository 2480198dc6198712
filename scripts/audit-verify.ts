// npm run audit:verify [-- --anchor <sequence>:<hash> ...]
// Walks the audit chain of the configured store (the server's own environment: DATA_DIR,
// SQLITE_FILE, MONGODB_URI, MONGODB_DB) and prints how many events it verified and either
// `audit chain OK` with the head, or the first broken link. Exit code 0: intact; 1: broken;
// 2: the store could not be opened or the arguments are wrong.
// It opens the store as the server does but nothing else of the server (no sweepers, no writes):
// checking the log must not change the database. `--anchor` checks heads kept outside the database
// (an earlier run's `head` line), which also catches a rewrite of the database's own anchor.
import { existsSync } from 'node:fs';
import { verifyChain } from '../src/audit/verify.js';
import { configFromEnv } from '../src/config.js';
import { createIndexer } from '../src/search/indexer.js';
import { loadR4Registry } from '../src/search/registry.js';
import { openMongoStore } from '../src/store/mongo/index.js';
import type { Store } from '../src/store/port.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

const USAGE = 'usage: npm run audit:verify [-- --anchor <sequence>:<64 hex digits> ...]';

function parseAnchors(argv: string[]): { sequence: bigint; hash: string }[] {
  const anchors: { sequence: bigint; hash: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = argv[i] === '--anchor' ? /^([1-9]\d{0,15}):([0-9a-f]{64})$/.exec(argv[i + 1] ?? '') : null;
    if (!m) throw new Error(USAGE);
    anchors.push({ sequence: BigInt(m[1]!), hash: m[2]! });
    i++;
  }
  return anchors;
}

async function openConfiguredStore(): Promise<Store> {
  const config = configFromEnv(process.env);
  const indexer = createIndexer(loadR4Registry(), config.publicBaseUrl ? { baseUrl: `${config.publicBaseUrl}/fhir` } : {});
  if (config.mongodbUri) return openMongoStore({ uri: config.mongodbUri, dbName: config.mongodbDb, indexer });
  // Opening a missing file would create an empty database and report an empty, intact chain.
  if (config.sqliteFile === ':memory:' || !existsSync(config.sqliteFile)) {
    throw new Error(`No database at ${config.sqliteFile} (set DATA_DIR / SQLITE_FILE as for the server)`);
  }
  return openSqliteStore({ file: config.sqliteFile, indexer });
}

async function main(): Promise<number> {
  let anchors;
  let store: Store;
  try {
    anchors = parseAnchors(process.argv.slice(2));
    store = await openConfiguredStore();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  try {
    const result = await verifyChain(store, { anchors });
    console.log(`verified ${result.events} audit event${result.events === 1 ? '' : 's'}`);
    if (result.ok) {
      console.log('audit chain OK');
      if (result.head) console.log(`head ${result.head.sequence}:${result.head.hash}`);
      return 0;
    }
    console.log(`audit chain BROKEN at sequence ${result.at}: ${result.reason}`);
    return 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exitCode = 2;
  },
);
