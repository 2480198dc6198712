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

describe('SQLite search plans agree with a brute-force answer', function () {
  this.timeout(60_000);
  // Enough rows that the planner probes, walks the date index in order, gives up walking and falls
  // back to drivers — every path must give the same pages as sorting everything in memory.
  const N = 6000;
  let store: Store;
  type Row = { id: string; status: string; start?: number; comment?: string };
  const rows: Row[] = [];
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  before(async () => {
    store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    for (let i = 0; i < N; i++) {
      const r: Row = { id: `s${String(i).padStart(4, '0')}`, status: rnd() < 0.6 ? 'free' : 'busy' };
      // A rare status, all late: walking start from the beginning never fills a page of them.
      if (i % 5 < 2) r.status = 'rare';
      if (rnd() > 0.05) r.start = base + Math.floor(rnd() * 400) * 900_000 + (r.status === 'rare' ? 400 * 900_000 : 0);
      if (rnd() < 0.3) r.comment = `c${Math.floor(rnd() * 5)}`;
      rows.push(r);
    }
    for (let i = 0; i < N; i += 500) {
      await store.transaction(async (tx) => {
        for (const r of rows.slice(i, i + 500)) {
          await tx.create({ resourceType: 'Slot', id: r.id, status: r.status, schedule: { reference: 'Schedule/x' },
            ...(r.start !== undefined ? { start: new Date(r.start).toISOString() } : {}), ...(r.comment ? { comment: r.comment } : {}) } as Resource);
        }
      });
    }
  });
  after(() => store.close());

  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: { name: string; where: import('../../src/domain/search-types.js').Cond[]; keep: (r: Row) => boolean }[] = [
    { name: 'status=free', where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] }], keep: (r) => r.status === 'free' },
    { name: 'status=rare', where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'rare' }] }], keep: (r) => r.status === 'rare' },
    {
      name: 'free from a date on',
      where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] }, { k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'ge', v: iso(base + 100 * 900_000) }] }],
      keep: (r) => r.status === 'free' && r.start !== undefined && r.start >= base + 100 * 900_000,
    },
    {
      name: 'busy with a comment, before a date (hi test)',
      where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'busy' }] }, { k: 'idx', p: 'comment', tests: [] },
        { k: 'idx', p: 'start', tests: [{ f: 'hi', op: 'lt', v: iso(base + 300 * 900_000) }] }],
      keep: (r) => r.status === 'busy' && !!r.comment && r.start !== undefined && r.start < base + 300 * 900_000,
    },
    {
      // As src/search parses start=ge<day>&start=lt<day>: ge is or(hi > end of day, within the day).
      name: 'free in a window, parser-shaped',
      where: [
        { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] },
        { k: 'or', of: [
          { k: 'idx', p: 'start', tests: [{ f: 'hi', op: 'gt', v: iso(base + 86_400_000 - 1) }] },
          { k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'ge', v: iso(base) }, { f: 'hi', op: 'le', v: iso(base + 86_400_000 - 1) }] },
        ] },
        { k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'lt', v: iso(base + 3 * 86_400_000) }] },
      ],
      keep: (r) => r.status === 'free' && r.start !== undefined && r.start >= base && r.start < base + 3 * 86_400_000,
    },
    { name: 'everything', where: [], keep: () => true },
  ];

  for (const c of cases) {
    for (const desc of [false, true]) {
      it(`${c.name}, sorted by start ${desc ? 'desc' : 'asc'}, paged`, async () => {
        const expected = rows.filter(c.keep).sort((a, b) => {
          if (a.start === undefined || b.start === undefined) {
            if (a.start !== b.start) return a.start === undefined ? 1 : -1;
          } else if (a.start !== b.start) return desc ? b.start - a.start : a.start - b.start;
          return a.id < b.id ? -1 : 1;
        }).map((r) => r.id);
        for (const count of [23, 500]) {
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.search({ types: ['Slot'], where: c.where, sort: [{ p: 'start', desc }], count, total: 'accurate', ...(cursor ? { cursor } : {}) });
            assert.equal(page.total, expected.length);
            seen.push(...page.matches.map((m) => m.id));
            cursor = page.next;
          } while (cursor);
          assert.deepEqual(seen, expected, `count ${count}`);
        }
      });
    }
  }
});

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
