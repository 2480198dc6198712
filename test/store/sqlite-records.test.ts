// What only the SQLite RecordStore has to show (the shared contract runs from sqlite.test.ts):
// several stores and several processes on one database file, persistence, coexistence with
// resource transactions on the shared write connection, and a database created before the
// records table existed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Resource } from '../../src/domain/fhir.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { testIndexer } from './test-indexer.js';

const WORKER = fileURLToPath(new URL('./records-worker.js', import.meta.url));
const BASE = Date.parse('2030-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(BASE + ms).toISOString();
const NOW = at(0);
const LATER = at(60_000);

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-records-test-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}
after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Worker {
  /** The worker's stdout, line by line. */
  lines: AsyncIterator<string>;
  /** Sends one line to its stdin. */
  send(line: string): void;
  /** Its exit code. */
  done: Promise<number>;
  stderr(): string;
}

function worker(args: string[]): Worker {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), send: (l) => child.stdin.write(`${l}\n`), done, stderr: () => err };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const r = await lines.next();
  assert.equal(r.done, false, 'the worker ended early');
  return r.value;
}

describe('SQLite RecordStore specifics', function () {
  this.timeout(60_000);

  it('two stores on one file (as two processes would): of concurrent claims of one id, exactly one wins', async () => {
    const file = tempFile();
    const a = await openSqliteStore({ file, indexer: testIndexer });
    const b = await openSqliteStore({ file, indexer: testIndexer });
    try {
      const claims = Array.from({ length: 25 }, (_, i) => (i % 2 ? a : b).records.claimOnce('saml-assertion', 'one', LATER, NOW));
      assert.equal((await Promise.all(claims)).filter(Boolean).length, 1);
      assert.equal(await a.records.claimOnce('saml-assertion', 'one', LATER, NOW), false);
      assert.equal(await b.records.claimOnce('saml-assertion', 'one', LATER, NOW), false);
      await a.records.put({ kind: 'k', id: 'x', owner: 'o', data: { by: 'a' }, expiresAt: LATER });
      assert.deepEqual((await b.records.list('k', 'o', NOW)).map((r) => r.data), [{ by: 'a' }]);
      assert.equal(await b.records.purgeExpired(LATER), 2);
      assert.equal(await a.records.get('k', 'x', NOW), undefined);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('separate processes racing for the same ids: every id is won exactly once, nobody gets an error', async () => {
    const file = tempFile();
    const ids = Array.from({ length: 200 }, (_, i) => `assertion-${i}`);
    // Half the ids hold an expired claim, so those claims also have to remove it first.
    const setup = await openSqliteStore({ file, indexer: testIndexer });
    for (const id of ids.filter((_, i) => i % 2 === 0)) assert.ok(await setup.records.claimOnce('saml-assertion', id, at(-1), at(-2)));
    await setup.close();

    // Each worker walks the ids from its own starting point, so they meet on the same ids while
    // all of them are running.
    const workers = Array.from({ length: 4 }, (_, w) => {
      const from = (w * ids.length) / 4;
      return worker(['claim', file, 'saml-assertion', LATER, NOW, ...ids.slice(from), ...ids.slice(0, from)]);
    });
    for (const w of workers) assert.equal(await nextLine(w.lines), 'ready', w.stderr());
    for (const w of workers) w.send('go');
    const results = await Promise.all(workers.map(async (w) => {
      const line = await nextLine(w.lines);
      assert.equal(await w.done, 0, w.stderr());
      return JSON.parse(line) as { won: string[]; errors: string[]; first: number; last: number };
    }));
    assert.deepEqual(results.flatMap((r) => r.errors), []);
    assert.deepEqual(results.flatMap((r) => r.won).sort(), [...ids].sort(), 'every id won exactly once');
    const split = results.map((r) => r.won.length).join('/');
    assert.ok(results.filter((r) => r.won.length > 0).length >= 2, `more than one process won ids (${split})`);
    const overlap = Math.min(...results.map((r) => r.last)) - Math.max(...results.map((r) => r.first));
    assert.ok(overlap > 0, `all workers were claiming at the same time (overlap ${overlap} ms)`);
  });

  it('a record write waits for another process’s open resource transaction, then succeeds', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    const holder = worker(['hold', file, '800']);
    try {
      assert.equal(await nextLine(holder.lines), 'holding');
      const started = Date.now();
      assert.equal(await store.records.claimOnce('client-jti', 'j', LATER, NOW), true);
      const finished = Date.now();
      const committed = Number((await nextLine(holder.lines)).replace('committed ', ''));
      assert.ok(finished >= committed, `the claim finished (${finished}) after the other transaction committed (${committed})`);
      assert.ok(finished - started >= 300, `it waited (${finished - started} ms)`);
      assert.equal(await holder.done, 0, holder.stderr());
      assert.equal((await store.read('Patient', 'held'))?.versionId, 1);
    } finally {
      await store.close();
    }
  });

  it('record writes wait for a running transaction of the same store; record reads do not', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: testIndexer });
    try {
      await store.records.put({ kind: 'k', id: 'before', data: {}, expiresAt: LATER });
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let wrote!: () => void;
      const written = new Promise<void>((r) => (wrote = r));
      const tx = store.transaction(async (w) => {
        await w.create({ resourceType: 'Patient', id: 'p1' } as Resource);
        wrote();
        await gate;
        order.push('transaction ends');
      });
      await written;
      const claim = store.records.claimOnce('k', 'during', LATER, NOW).then((v) => (order.push('claim'), v));
      const put = store.records.put({ kind: 'k', id: 'put', data: {}, expiresAt: LATER }).then(() => order.push('put'));
      assert.ok(await store.records.get('k', 'before', NOW), 'a read does not wait');
      order.push('read');
      await sleep(100);
      assert.deepEqual(order, ['read'], 'writes are still waiting');
      release();
      await tx;
      assert.equal(await claim, true);
      await put;
      assert.deepEqual(order, ['read', 'transaction ends', 'claim', 'put']);
      assert.ok(await store.read('Patient', 'p1'));
    } finally {
      await store.close();
    }
  });

  it('records survive close and reopen; a claim still holds afterwards', async () => {
    const file = tempFile();
    let store: Store = await openSqliteStore({ file, indexer: testIndexer });
    await store.records.put({ kind: 'saml-session', id: 's1', owner: 'u1', data: { roles: ['R8000'] }, expiresAt: LATER });
    assert.equal(await store.records.claimOnce('client-jti', 'j1', LATER, NOW), true);
    await store.close();
    store = await openSqliteStore({ file, indexer: testIndexer });
    try {
      assert.deepEqual(await store.records.list('saml-session', 'u1', NOW), [{ kind: 'saml-session', id: 's1', owner: 'u1', data: { roles: ['R8000'] }, expiresAt: LATER }]);
      assert.equal(await store.records.claimOnce('client-jti', 'j1', LATER, NOW), false);
    } finally {
      await store.close();
    }
  });

  it('a database made before the records table existed gets it on open, its resources intact', async () => {
    const file = tempFile();
    const first = await openSqliteStore({ file, indexer: testIndexer });
    await first.transaction((tx) => tx.create({ resourceType: 'Patient', id: 'old' } as Resource));
    await first.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE records');
    raw.close();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    try {
      assert.ok(await store.read('Patient', 'old'));
      assert.equal(await store.records.claimOnce('k', 'x', LATER, NOW), true);
    } finally {
      await store.close();
    }
  });

  it('get, list and purge are index lookups, not table scans', async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file, indexer: testIndexer });
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = (q: string) => (raw.prepare(`EXPLAIN QUERY PLAN ${q}`).all('k', 'x', NOW) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(plan('SELECT * FROM records WHERE kind = ? AND id = ? AND expires > ?'), /SEARCH records USING PRIMARY KEY/);
      assert.match(plan('SELECT * FROM records WHERE kind = ? AND owner = ? AND expires > ?'), /SEARCH records USING INDEX records_owner/);
      const purge = (raw.prepare('EXPLAIN QUERY PLAN DELETE FROM records WHERE expires <= ?').all(NOW) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(purge, /records_expires/);
    } finally {
      raw.close();
    }
  });
});
