// The store contract against the SQLite adapter (file-backed and ':memory:'), plus what only SQLite
// has: persistence across reopen, the on-disk durability settings, and query plans that use indexes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Resource } from '../../src/domain/fhir.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { runStoreContract } from './contract.js';
import { testIndexer } from './test-indexer.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-store-test-'));
  dirs.push(dir);
  return join(dir, 'data', 'store.db');
}
after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

runStoreContract('sqlite (file)', (indexer) => openSqliteStore({ file: tempFile(), indexer }));
runStoreContract('sqlite (:memory:)', (indexer) => openSqliteStore({ file: ':memory:', indexer }));

describe('SQLite store specifics', () => {
  it('finds everything again after close and reopen', async () => {
    const file = tempFile();
    let store: Store = await openSqliteStore({ file, indexer: testIndexer });
    await store.transaction(async (tx) => {
      await tx.create({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Keep' }] } as Resource);
      await tx.create({ resourceType: 'Slot', id: 's1', status: 'free', start: '2024-01-01T09:00:00Z' } as Resource);
    });
    await store.transaction((tx) => tx.update({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Kept' }] } as Resource));
    await store.transaction((tx) => tx.delete('Slot', 's1'));
    const before = await store.history({ count: 10 });
    await store.close();

    store = await openSqliteStore({ file, indexer: testIndexer });
    try {
      assert.deepEqual(await store.history({ count: 10 }), before);
      assert.equal((await store.read('Patient', 'p1'))!.versionId, 2);
      assert.equal((await store.read('Slot', 's1'))!.deleted, true);
      const hits = await store.search({ types: ['Patient'], where: [{ k: 'idx', p: 'name', tests: [{ f: 's', op: 'eq', v: 'kept' }] }], sort: [], count: 10, total: 'accurate' });
      assert.deepEqual(hits.matches.map((m) => m.id), ['p1']);
      // Stamps keep increasing after reopen.
      const v3 = await store.transaction((tx) => tx.update({ resourceType: 'Patient', id: 'p1' } as Resource));
      assert.ok(v3.version.lastUpdated > before.versions[0]!.lastUpdated);
    } finally {
      await store.close();
    }
  });

  it('leaves the database file in WAL mode', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    await store.close();
    const db = new Database(file);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('refuses to be used after close and cleans up a :memory: store', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    await store.close();
    await assert.rejects(store.read('Patient', 'x'), (e: { status?: number }) => e.status === 503);
    await assert.rejects(store.transaction(async () => 1), (e: { status?: number }) => e.status === 503);
    await store.close();
  });

  it('a nested transaction fails instead of deadlocking; a writer outlives nothing', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    try {
      let leaked: import('../../src/store/port.js').StoreWriter | undefined;
      await assert.rejects(
        store.transaction(async (tx) => {
          leaked = tx;
          await store.transaction(async () => 1);
        }),
        (e: { status?: number }) => e.status === 500,
      );
      await assert.rejects(leaked!.create({ resourceType: 'Patient', id: 'late' } as Resource), (e: { status?: number }) => e.status === 500);
      assert.equal(await store.read('Patient', 'late'), undefined);
    } finally {
      await store.close();
    }
  });

  it('rejects malformed index values from the indexer and stores nothing', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: () => [{ p: 'start', lo: '2024-01-01' }] });
    try {
      await assert.rejects(
        store.transaction((tx) => tx.create({ resourceType: 'Slot', id: 's' } as Resource)),
        (e: { status?: number }) => e.status === 500,
      );
      assert.equal(await store.read('Slot', 's'), undefined);
    } finally {
      await store.close();
    }
  });
});
