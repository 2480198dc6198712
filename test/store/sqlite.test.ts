// The store contract against the SQLite adapter (file-backed and ':memory:'), plus what only SQLite
// has: persistence across reopen, the on-disk durability settings, and query plans that use indexes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Resource } from '../../src/domain/fhir.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore, sqliteBulkLoad } from '../../src/store/sqlite/index.js';
import { runStoreContract } from './contract.js';
import { runRecordsContract } from './records-contract.js';
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
runRecordsContract('sqlite (file)', (indexer) => openSqliteStore({ file: tempFile(), indexer }));
runRecordsContract('sqlite (:memory:)', (indexer) => openSqliteStore({ file: ':memory:', indexer }));

describe('SQLite search plans agree with a brute-force answer', function () {
  this.timeout(60_000);
  // Enough rows that the planner probes, walks the date index in order, gives up walking and falls
  // back to drivers — every path must give the same pages as sorting everything in memory.
  const N = 6000;
  let store: Store;
  type Row = { id: string; status: string; start?: number; comment?: string; tag?: string; sch: number };
  const rows: Row[] = [];
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  before(async () => {
    store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    for (let i = 0; i < N; i++) {
      const r: Row = { id: `s${String(i).padStart(4, '0')}`, status: rnd() < 0.6 ? 'free' : 'busy', sch: i % 60 };
      // A rare status, all late: walking start from the beginning never fills a page of them.
      if (i % 5 < 2) r.status = 'rare';
      if (rnd() > 0.05) r.start = base + Math.floor(rnd() * 400) * 900_000 + (r.status === 'rare' ? 400 * 900_000 : 0);
      if (rnd() < 0.3) r.comment = `c${Math.floor(rnd() * 5)}`;
      if (i % 100 === 0) r.tag = `k${(i / 100) % 7}`;
      rows.push(r);
    }
    await store.transaction(async (tx) => {
      for (let k = 0; k < 60; k++) await tx.create({ resourceType: 'Schedule', id: `sch${k}`, actor: [{ reference: `Practitioner/p${k % 20}` }] } as Resource);
    });
    for (let i = 0; i < N; i += 500) {
      await store.transaction(async (tx) => {
        for (const r of rows.slice(i, i + 500)) {
          await tx.create({ resourceType: 'Slot', id: r.id, status: r.status, schedule: { reference: `Schedule/sch${r.sch}` },
            ...(r.start !== undefined ? { start: new Date(r.start).toISOString() } : {}), ...(r.comment ? { comment: r.comment } : {}),
            ...(r.tag ? { identifier: [{ system: 'urn:t', value: r.tag }] } : {}) } as Resource);
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
    {
      // A chain drives (three schedules' slots) and a common status is checked per driver row.
      name: 'free or busy slots of practitioner p7 (chain)',
      where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'in', v: ['free', 'busy'] }] },
        { k: 'chain', p: 'schedule', types: ['Schedule'], where: { k: 'idx', p: 'actor', tests: [{ f: 's', op: 'eq', v: 'Practitioner/p7' }] } }],
      keep: (r) => r.status !== 'rare' && r.sch % 20 === 7,
    },
    {
      // A rare identifier narrowed by a common status: the status is checked per identifier row.
      name: 'identifier k3 and not rare',
      where: [{ k: 'idx', p: 'identifier', tests: [{ f: 'code', op: 'eq', v: 'k3' }] },
        { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'in', v: ['free', 'busy'] }] }],
      keep: (r) => r.tag === 'k3' && r.status !== 'rare',
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

describe('SQLite search plans agree with a brute-force answer on a multi-valued date', function () {
  this.timeout(60_000);
  // Appointments with 0-3 requested periods each: conditions on different values may hold on
  // different periods, and an `or` of windows leaves gaps its hull does not.
  const N = 3000;
  const DAY = 86_400_000;
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  type Row = { id: string; status: string; tag?: string; periods: [number, number][] };
  const rows: Row[] = [];
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let store: Store;
  const day = (n: number) => new Date(base + n * DAY).toISOString().slice(0, 10);

  before(async () => {
    store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    for (let i = 0; i < N; i++) {
      const periods: [number, number][] = [];
      const k = Math.floor(rnd() * 4);
      for (let j = 0; j < k; j++) {
        const start = Math.floor(rnd() * 360);
        periods.push([start, start + Math.floor(rnd() * 3)]);
      }
      rows.push({ id: `a${String(i).padStart(4, '0')}`, status: rnd() < 0.5 ? 'booked' : 'proposed', ...(i % 50 === 0 ? { tag: `k${(i / 50) % 5}` } : {}), periods });
    }
    await store.transaction(async (tx) => {
      for (const r of rows) {
        await tx.create({ resourceType: 'Appointment', id: r.id, status: r.status, participant: [],
          requestedPeriod: r.periods.map(([a, b]) => ({ start: day(a), end: day(b) })),
          ...(r.tag ? { identifier: [{ system: 'urn:t', value: r.tag }] } : {}) } as Resource);
      }
    });
  });
  after(() => store.close());

  const within = (a: number, b: number) => ({ k: 'idx' as const, p: 'requested', tests: [
    { f: 'lo' as const, op: 'ge' as const, v: new Date(base + a * DAY).toISOString() },
    { f: 'hi' as const, op: 'le' as const, v: new Date(base + (b + 1) * DAY - 1).toISOString() }] });
  const inWindow = (r: Row, a: number, b: number) => r.periods.some(([s, e]) => s >= a && e <= b);
  const cases: { name: string; where: import('../../src/domain/search-types.js').Cond[]; keep: (r: Row) => boolean }[] = [
    {
      name: 'either of two windows with a gap, booked',
      where: [{ k: 'or', of: [within(10, 20), within(200, 210)] }, { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] }],
      keep: (r) => (inWindow(r, 10, 20) || inWindow(r, 200, 210)) && r.status === 'booked',
    },
    {
      name: 'a rare identifier and either window (the hull is checked per row, then the windows)',
      where: [{ k: 'idx', p: 'identifier', tests: [{ f: 'code', op: 'eq', v: 'k2' }] }, { k: 'or', of: [within(0, 100), within(250, 359)] }],
      keep: (r) => r.tag === 'k2' && (inWindow(r, 0, 100) || inWindow(r, 250, 359)),
    },
    {
      name: 'two windows that different periods may satisfy',
      where: [within(0, 150), within(100, 300)],
      keep: (r) => inWindow(r, 0, 150) && inWindow(r, 100, 300),
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const expected = rows.filter(c.keep).map((r) => r.id).sort();
      assert.ok(expected.length > 0, 'the case matches something');
      for (const count of [37, 1000]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.search({ types: ['Appointment'], where: c.where, sort: [], count, total: 'accurate', ...(cursor ? { cursor } : {}) });
          assert.equal(page.total, expected.length);
          seen.push(...page.matches.map((m) => m.id));
          cursor = page.next;
        } while (cursor);
        assert.deepEqual(seen, expected, `count ${count}`);
      }
    });
  }
});

describe('SQLite store specifics', () => {
  it('writes LIMIT counts into the SQL text: a bound LIMIT makes SQLite prepare the statement again on every run', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    const texts: string[] = [];
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (this: Database.Database, source: string) {
      texts.push(source);
      return prepare.call(this, source);
    } as typeof prepare;
    try {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.create({ resourceType: 'Slot', id: `s${i}`, status: 'free', start: `2024-01-0${i + 1}T09:00:00Z` } as Resource);
      });
      const req = { types: ['Slot'], where: [{ k: 'idx' as const, p: 'status', tests: [{ f: 'code' as const, op: 'eq' as const, v: 'free' }] }], sort: [{ p: 'date', desc: false }], count: 2, total: 'accurate' as const };
      const page = await store.search(req);
      assert.equal(page.matches.length, 2);
      await store.search({ ...req, cursor: page.next! });
      await store.history({ count: 2 });
      const limits = texts.filter((t) => /\bLIMIT\b/.test(t));
      assert.ok(limits.length > 0, 'the searches ran statements with a LIMIT');
      assert.deepEqual(limits.filter((t) => /\bLIMIT\s+\?/.test(t)), []);
    } finally {
      Database.prototype.prepare = prepare;
      await store.close();
    }
  });

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

  it('two stores on one file (as two processes would) see each other’s commits and keep stamps in order', async () => {
    const file = tempFile();
    const a = await openSqliteStore({ file, indexer: testIndexer });
    const b = await openSqliteStore({ file, indexer: testIndexer });
    try {
      const first = await a.transaction((tx) => tx.create({ resourceType: 'Slot', id: 's1', status: 'free', comment: 'Alpha' } as Resource));
      // b has never seen the parameters a created; it must find them, not assume they are absent.
      const hits = await b.search({ types: ['Slot'], where: [{ k: 'idx', p: 'comment', tests: [{ f: 's', op: 'eq', v: 'alpha' }] }], sort: [], count: 10, total: 'accurate' });
      assert.deepEqual([hits.matches.map((m) => m.id), hits.total], [['s1'], 1]);
      const second = await b.transaction((tx) => tx.update({ resourceType: 'Slot', id: 's1', status: 'busy', comment: 'Beta' } as Resource));
      assert.equal(second.version.versionId, 2);
      assert.ok(second.version.lastUpdated > first.lastUpdated);
      const third = await a.transaction((tx) => tx.create({ resourceType: 'Slot', id: 's2', status: 'free' } as Resource));
      assert.ok(third.lastUpdated >= second.version.lastUpdated);
      assert.deepEqual((await a.history({ count: 10 })).versions.map((v) => `${v.id}/${v.versionId}`), ['s2/1', 's1/2', 's1/1']);
    } finally {
      await a.close();
      await b.close();
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
    const shm = () => (existsSync('/dev/shm') ? readdirSync('/dev/shm') : readdirSync(tmpdir())).filter((f) => f.startsWith('envelope-sqlite-')).length;
    const before = shm();
    const store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    assert.equal(shm(), before + 1);
    await store.close();
    assert.equal(shm(), before);
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

  it('keeps memory bounded: no memory-mapped file and a 2 MiB page cache on both connections, also after a bulk load', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    const conns = store as unknown as { writeDb: Database.Database; readDb: Database.Database };
    const memory = () => [conns.writeDb, conns.readDb].map((db) => [db.pragma('mmap_size', { simple: true }), db.pragma('cache_size', { simple: true })]);
    try {
      assert.deepEqual(memory(), [[0, -2048], [0, -2048]]);
      await sqliteBulkLoad(store)!(() => store.transaction((tx) => tx.create({ resourceType: 'Patient', id: 'p', name: [{ family: 'Bulk' }] } as Resource)));
      assert.deepEqual(memory(), [[0, -2048], [0, -2048]]);
    } finally {
      await store.close();
    }
  });

  it('bulkLoad (seeding only) relaxes fsync while it runs and restores full durability after, even on failure', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    const bulkLoad = sqliteBulkLoad(store)!;
    const writer = (store as unknown as { writeDb: Database.Database }).writeDb;
    const sync = () => writer.pragma('synchronous', { simple: true });
    const settings = () => Object.fromEntries(['synchronous', 'wal_autocheckpoint', 'cache_size', 'foreign_keys', 'threads']
      .map((p) => [p, writer.pragma(p, { simple: true })]));
    try {
      const normal = settings();
      assert.equal(normal.synchronous, 2); // FULL
      assert.equal(normal.foreign_keys, 1);
      await bulkLoad(async () => {
        assert.equal(sync(), 1); // NORMAL
        assert.equal(writer.pragma('foreign_keys', { simple: true }), 0);
        await store.transaction((tx) => tx.create({ resourceType: 'Patient', id: 'bulk', name: [{ family: 'Bulk' }] } as Resource));
      });
      assert.deepEqual(settings(), normal);
      await assert.rejects(bulkLoad(async () => { throw new Error('boom'); }), /boom/);
      assert.equal(sync(), 2);
      assert.equal((await store.read('Patient', 'bulk'))!.versionId, 1);
      assert.equal(sqliteBulkLoad({ ...store } as Store), undefined);
    } finally {
      await store.close();
    }
  });

  it('bulkLoad into an empty database keeps the write rules without the (type, id) index: duplicates, rollbacks, updates, deletes', async () => {
    const store = await openSqliteStore({ file: tempFile(), indexer: testIndexer });
    const patient = (id: string, family: string) => ({ resourceType: 'Patient', id, name: [{ family }] }) as Resource;
    try {
      await sqliteBulkLoad(store)!(async () => {
        await store.transaction(async (tx) => {
          await tx.create(patient('a', 'One'));
          await tx.create(patient('b', 'One'));
          // The same id of another type is another resource.
          await tx.create({ resourceType: 'Practitioner', id: 'a' } as Resource);
          await assert.rejects(tx.create(patient('a', 'Again')), (e: { status?: number }) => e.status === 409);
        });
        // A rolled-back transaction's rows are gone, and its ids are free again; the rowids SQLite
        // hands out next must not make an earlier resource look like a later one.
        await assert.rejects(store.transaction(async (tx) => {
          await tx.create(patient('c', 'Lost'));
          throw new Error('abandoned');
        }), /abandoned/);
        await store.transaction(async (tx) => {
          await tx.create(patient('d', 'Next'));
          await tx.create(patient('c', 'Kept'));
          assert.equal((await tx.update(patient('a', 'Two'))).version.versionId, 2);
          assert.equal((await tx.delete('Patient', 'b'))!.versionId, 2);
          await assert.rejects(tx.create(patient('d', 'Again')), (e: { status?: number }) => e.status === 409);
        });
      });
      assert.equal(((await store.read('Patient', 'a'))!.resource as { name?: { family?: string }[] }).name?.[0]?.family, 'Two');
      assert.equal(((await store.read('Patient', 'c'))!.resource as { name?: { family?: string }[] }).name?.[0]?.family, 'Kept');
      assert.equal((await store.read('Patient', 'd'))!.versionId, 1);
      assert.equal((await store.read('Patient', 'b'))!.deleted, true);
      assert.equal((await store.read('Practitioner', 'a'))!.versionId, 1);
      // After the load the unique index is back and the normal path finds rows by (type, id).
      await store.transaction(async (tx) => {
        await assert.rejects(tx.create(patient('c', 'Again')), (e: { status?: number }) => e.status === 409);
      });
    } finally {
      await store.close();
    }
  });

  it('bulkLoad fails when rebuilding the unique (type, id) index finds an id twice, and still rebuilds the other deferred indexes', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    const writer = (store as unknown as { writeDb: Database.Database }).writeDb;
    try {
      await assert.rejects(sqliteBulkLoad(store)!(async () => {
        await store.transaction((tx) => tx.create({ resourceType: 'Patient', id: 'x' } as Resource));
        // Another writer, unknown to the load's map, adds the same id (bulkLoad's stated condition broken).
        writer.exec("INSERT INTO resources (type, id, vid, lu, deleted) VALUES ('Patient', 'x', 1, '2026-01-01T00:00:00.000Z', 0)");
      }), /UNIQUE/);
      // The other deferred indexes were still rebuilt; only the unique one could not be.
      const names = (writer.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((r) => r.name);
      assert.ok(names.includes('idx_token') && names.includes('resources_type_lu'), names.join(', '));
      assert.equal(writer.pragma('synchronous', { simple: true }), 2);
    } finally {
      await store.close();
    }
  });

  it('bulkLoad into an empty database defers the secondary indexes and leaves the schema and answers of a normal store', async () => {
    const schemaOf = (db: Database.Database) => db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
    const indexesOf = (db: Database.Database) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    const writerOf = (s: Store) => (s as unknown as { writeDb: Database.Database }).writeDb;
    const resources: Resource[] = [];
    for (let i = 0; i < 300; i++) {
      resources.push({ resourceType: 'Schedule', id: `sch${i}`, actor: [{ reference: `Practitioner/p${i % 7}` }] } as Resource);
      resources.push({
        resourceType: 'Slot', id: `s${i}`, status: ['free', 'busy', 'rare'][i % 3], schedule: { reference: `Schedule/sch${i % 50}` },
        start: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(), end: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000 + 900_000).toISOString(),
      } as Resource);
    }
    const load = (s: Store) => s.transaction(async (tx) => { for (const r of resources) await tx.create(r); });
    const plain = await openSqliteStore({ file: tempFile(), indexer: testIndexer });
    const file = tempFile();
    const bulk = await openSqliteStore({ file, indexer: testIndexer });
    try {
      const fresh = schemaOf(writerOf(plain));
      const all = indexesOf(writerOf(plain));
      await load(plain);
      let during: string[] = [];
      await sqliteBulkLoad(bulk)!(async () => {
        during = indexesOf(writerOf(bulk));
        await load(bulk);
      });
      assert.ok(!during.includes('idx_token') && !during.includes('idx_date') && !during.includes('resources_type_id') && during.includes('versions_rk_vid'), `dropped while loading: ${during.join(', ')}`);
      assert.deepEqual(schemaOf(writerOf(bulk)), fresh);
      const queries = [
        [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] }],
        [{ k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'ge', v: '2025-01-03T00:00:00.000Z' }, { f: 'hi', op: 'lt', v: '2025-01-05T00:00:00.000Z' }] }],
        [{ k: 'chain', p: 'schedule', types: ['Schedule'], where: { k: 'idx', p: 'actor', tests: [{ f: 's', op: 'eq', v: 'Practitioner/p3' }] } }],
        [{ k: 'idx', p: 'schedule', tests: [{ f: 's', op: 'eq', v: 'Schedule/sch7' }] }],
      ];
      for (const where of queries) {
        for (const sort of [[], [{ p: 'start', desc: true }]]) {
          const q = { types: ['Slot'], where, sort, count: 1000, total: 'accurate' } as unknown as Parameters<Store['search']>[0];
          const [a, b] = [await plain.search(q), await bulk.search(q)];
          assert.ok(a.matches.length > 0);
          assert.deepEqual(b.matches.map((m) => m.id), a.matches.map((m) => m.id));
          assert.equal(b.total, a.total);
        }
      }
      // A database that already holds data keeps its indexes while a bulk load runs.
      await sqliteBulkLoad(bulk)!(async () => {
        during = indexesOf(writerOf(bulk));
      });
      assert.deepEqual(during, all);
      // A bulk load that died before rebuilding: the next open builds the missing indexes.
      writerOf(bulk).exec('DROP INDEX idx_date; DROP INDEX resources_type_lu; DROP INDEX resources_type_id');
      await bulk.close();
      const reopened = await openSqliteStore({ file, indexer: testIndexer });
      try {
        assert.deepEqual(schemaOf(writerOf(reopened)), fresh);
      } finally {
        await reopened.close();
      }
    } finally {
      await plain.close();
      await bulk.close();
    }
  });
});
