// AuditLog.append on SQLite: round trip, durability before resolving, group commit, a failing group,
// back-pressure, and the anchor.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ANCHOR_ID, ANCHOR_KIND } from '../../../src/audit/anchor.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { readChainLink, type AuditEvent } from '../../../src/audit/chain.js';
import { verifyChain } from '../../../src/audit/verify.js';
import { FhirError } from '../../../src/domain/errors.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import type { Store } from '../../../src/store/port.js';
import { auditEvent, countTransactions, id, markerOf, openSqliteFile, tempDir, withDatabase } from './fixtures.js';

async function rejection(p: Promise<unknown>): Promise<FhirError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FhirError, `expected a FhirError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

async function storedIds(store: Store): Promise<string[]> {
  const r = await store.search({ types: ['AuditEvent'], where: [], sort: [{ p: '_id', desc: false }], count: 1000, total: 'none' });
  return r.matches.map((m) => m.id);
}

describe('audit/log: appending on SQLite', function () {
  this.timeout(60_000);
  let file: string;
  let store: Store;
  let log: AuditLog;
  beforeEach(async () => {
    file = join(tempDir(), 'audit.sqlite');
    store = await openSqliteFile(file);
    log = new AuditLog(store, { anchorIntervalMs: 0 });
  });
  afterEach(async () => {
    await log.close();
    await store.close();
  });

  it('stores events in order as a chain and verifyChain accepts it', async () => {
    const first = await log.append([auditEvent(1), auditEvent(2)]);
    const second = await log.append([auditEvent(3)]);
    assert.deepEqual([...first, ...second].map((e) => e.id), [id(1), id(2), id(3)]);
    assert.deepEqual([...first, ...second].map(markerOf), ['user-1', 'user-2', 'user-3']);
    assert.equal(first[0]!.meta?.versionId, '1');
    for (const e of [...first, ...second]) assert.deepEqual(validateResource(e), []);
    assert.equal(readChainLink(second[0])!.previous, readChainLink(first[1])!.hash);
    const read = await store.read('AuditEvent', id(2));
    assert.deepEqual(read?.resource, first[1]);
    const result = await verifyChain(store);
    assert.deepEqual(result, { ok: true, events: 3, head: { sequence: 3, hash: readChainLink(second[0])!.hash } });
  });

  it('resolves only once the events are committed to the database file', async () => {
    const seenAtResolve: (string | undefined)[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        log.append([auditEvent(i)]).then(([stored]) => {
          // Another connection sees only committed data.
          const db = new Database(file, { readonly: true });
          try {
            const row = db.prepare(`SELECT id FROM resources WHERE type = 'AuditEvent' AND id = ?`).get(stored!.id) as { id: string } | undefined;
            seenAtResolve.push(row?.id);
          } finally {
            db.close();
          }
        }),
      ),
    );
    assert.equal(seenAtResolve.length, 20);
    assert.ok(seenAtResolve.every((x) => x !== undefined), 'every event was in the file when its append resolved');
  });

  it('groups concurrent appends: 200 appends, a handful of transactions, each caller gets its own event', async () => {
    const tx = countTransactions(store);
    const groups: number[] = [];
    const grouped = new AuditLog(store, { onGroup: (g) => groups.push(g.events) });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => grouped.append([auditEvent(i)])));
      results.forEach((r, i) => assert.equal(markerOf(r[0]!), `user-${i}`));
      assert.ok(tx.count <= 3, `${tx.count} transactions for 200 appends`);
      assert.equal(groups.reduce((a, b) => a + b, 0), 200);
      assert.deepEqual(new Set(results.map((r) => r[0]!.id)).size, 200);
    } finally {
      await grouped.close();
    }
    assert.deepEqual(await verifyChain(store).then((r) => r.ok && r.events), 200);
  });

  it('caps a group at maxGroup events and never splits one append', async () => {
    const tx = countTransactions(store);
    const groups: number[] = [];
    const capped = new AuditLog(store, { maxGroup: 50, onGroup: (g) => groups.push(g.events) });
    try {
      const calls = [
        ...Array.from({ length: 120 }, (_, i) => capped.append([auditEvent(i)])),
        capped.append(Array.from({ length: 70 }, (_, i) => auditEvent(`big-${i}`))),
      ];
      const results = await Promise.all(calls);
      assert.deepEqual(groups, [50, 50, 20, 70]);
      assert.equal(tx.count, 4);
      const big = results[120]!;
      // One append's events are consecutive in the chain.
      assert.deepEqual(big.map((e) => e.id), Array.from({ length: 70 }, (_, i) => id(121 + i)));
    } finally {
      await capped.close();
    }
  });

  it('under a steady stream, later arrivals share the next transaction while one is being written', async () => {
    const tx = countTransactions(store);
    const pending: Promise<AuditEvent[]>[] = [];
    // 10 waves of 20 appends, each wave a turn of the event loop later than the previous one.
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 20; i++) pending.push(log.append([auditEvent(`${wave}-${i}`)]));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    assert.ok(tx.count < 50, `${tx.count} transactions for 200 appends`);
    assert.equal((await storedIds(store)).length, 200);
  });

  it('a group waits for appends announced with expect(), so announced stragglers share its transaction', async () => {
    const tx = countTransactions(store);
    const groups: number[] = [];
    const lingering = new AuditLog(store, { lingerMs: 1000, onGroup: (g) => groups.push(g.events) });
    try {
      lingering.expect(3);
      const first = lingering.append([auditEvent('first')]);
      const later: Promise<AuditEvent[]>[] = [];
      // Three more arrive over several turns of the event loop (as requests on other connections
      // would), well inside the wait; the last one's announcement says nothing more is coming.
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 5));
        lingering.expect(2 - i);
        later.push(lingering.append([auditEvent(`later-${i}`)]));
      }
      await Promise.all([first, ...later]);
      assert.deepEqual(groups, [4]);
      assert.equal(tx.count, 1);
    } finally {
      await lingering.close();
    }
  });

  it('a group waits no longer than lingerMs for announced appends that never come, and not at all with none announced', async () => {
    const lingering = new AuditLog(store, { lingerMs: 40 });
    try {
      lingering.expect(5);
      let t0 = performance.now();
      await lingering.append([auditEvent('alone')]);
      const waited = performance.now() - t0;
      assert.ok(waited >= 35 && waited < 1000, `waited ${waited.toFixed(1)} ms for appends that never came (lingerMs 40)`);
      lingering.expect(0);
      t0 = performance.now();
      await lingering.append([auditEvent('lone request')]);
      assert.ok(performance.now() - t0 < 35, 'a lone append with nothing announced did not wait');
    } finally {
      await lingering.close();
    }
  });

  it('close does not wait out the linger of a group waiting for announced appends', async () => {
    const lingering = new AuditLog(store, { lingerMs: 60_000 });
    lingering.expect(10);
    const pending = lingering.append([auditEvent('last')]);
    const t0 = performance.now();
    await lingering.close();
    assert.equal((await pending).length, 1);
    assert.ok(performance.now() - t0 < 5000, 'close ended the wait');
  });

  it('a group whose transaction fails rejects every caller with 503, stores none of it, and the next group succeeds', async () => {
    await log.append([auditEvent(1), auditEvent(2), auditEvent(3)]);
    // The engine refuses the third event of the next group: the first two are already written in
    // the transaction when it fails.
    withDatabase(file, (db) => db.exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON versions WHEN NEW.type = 'AuditEvent' AND NEW.id = '${id(6)}'
      BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`));
    const group = Array.from({ length: 5 }, (_, i) => rejection(log.append([auditEvent(10 + i)])));
    const errors = await Promise.all(group);
    for (const e of errors) {
      assert.equal(e.status, 503);
      assert.match(String((e as { cause?: unknown }).cause), /simulated write failure/);
    }
    assert.deepEqual(await storedIds(store), [id(1), id(2), id(3)]);

    withDatabase(file, (db) => db.exec('DROP TRIGGER refuse_audit'));
    const next = await log.append([auditEvent(20), auditEvent(21), auditEvent(22), auditEvent(23)]);
    assert.deepEqual(next.map((e) => e.id), [id(4), id(5), id(6), id(7)]);
    assert.equal(markerOf(next[0]!), 'user-20');
    assert.deepEqual(await verifyChain(store).then((r) => r.ok && r.events), 7);
  });

  it('refuses appends at once (503) when more than maxWaiting events wait, and stores every accepted one', async () => {
    const bounded = new AuditLog(store, { maxWaiting: 10 });
    // Hold the store's writer so that nothing drains.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const started = new Promise<void>((r) => (holding = r));
    const blocker = store.transaction(async () => {
      holding();
      await held;
    });
    await started;
    try {
      const running = bounded.append([auditEvent('running')]);
      await new Promise((r) => setImmediate(r)); // its group has been taken and waits for the writer
      const accepted = Array.from({ length: 10 }, (_, i) => bounded.append([auditEvent(`queued-${i}`)]));
      assert.equal(bounded.waiting, 10);
      const refused = await rejection(bounded.append([auditEvent('refused')]));
      assert.equal(refused.status, 503);
      assert.equal(refused.headers['Retry-After'], '1');
      assert.equal((await rejection(bounded.append([auditEvent('a'), auditEvent('b')]))).status, 503);
      release();
      await blocker;
      const stored = await Promise.all([running, ...accepted]);
      assert.equal(stored.length, 11);
      const markers = (await Promise.all((await storedIds(store)).map((i) => store.read('AuditEvent', i)))).map((v) => markerOf(v!.resource as AuditEvent));
      assert.equal(markers.length, 11);
      assert.ok(!markers.includes('user-refused'));
    } finally {
      release();
      await bounded.close();
    }
  });

  it('rejects appends after close, and close waits for the queued ones', async () => {
    const queued = Array.from({ length: 30 }, (_, i) => log.append([auditEvent(i)]));
    await log.close();
    assert.equal((await Promise.all(queued)).length, 30);
    assert.equal((await rejection(log.append([auditEvent('late')]))).status, 503);
  });

  it('refuses what is not an AuditEvent (a programming error, 500) and resolves an empty append at once', async () => {
    const wrong = await rejection(log.append([{ resourceType: 'Patient' } as unknown as AuditEvent]));
    assert.equal(wrong.status, 500);
    assert.deepEqual(await log.append([]), []);
    assert.deepEqual(await storedIds(store), []);
  });

  it('keeps the anchor at the head after each group', async () => {
    await log.append([auditEvent(1), auditEvent(2)]);
    await log.close();
    const anchor = await store.records.get(ANCHOR_KIND, ANCHOR_ID, new Date().toISOString());
    const head = await store.read('AuditEvent', id(2));
    assert.deepEqual(anchor?.data, { sequence: '2', hash: readChainLink(head!.resource)!.hash });
  });

  it('continues the chain in a new process (a store opened again on the file)', async () => {
    await log.append([auditEvent(1), auditEvent(2)]);
    await log.close();
    await store.close();
    store = await openSqliteFile(file);
    log = new AuditLog(store, { anchorIntervalMs: 0 });
    const [third] = await log.append([auditEvent(3)]);
    assert.equal(third!.id, id(3));
    assert.deepEqual(await verifyChain(store).then((r) => r.ok && r.events), 3);
  });
});
