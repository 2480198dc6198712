// Several processes appending to one database: two processes on one SQLite file, and MongoDB (the
// in-memory double, standalone with compensating transactions and as a replica set with real
// ones) with several stores on one client. However the appends interleave, the result is one
// unbroken chain holding every accepted event exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../../../src/audit/audit-log.js';
import type { AuditEvent } from '../../../src/audit/chain.js';
import { verifyChain } from '../../../src/audit/verify.js';
import { openMongoStore } from '../../../src/store/mongo/index.js';
import type { Store } from '../../../src/store/port.js';
import { MongoDouble } from '../../store/mongo-double/index.js';
import { auditEvent, id, markerOf, openSqliteFile, realIndexer, tempDir } from './fixtures.js';

interface Writer {
  store: Store;
  log: AuditLog;
  attempts: number[];
}

function writerOn(store: Store): Writer {
  const attempts: number[] = [];
  return { store, attempts, log: new AuditLog(store, { anchorIntervalMs: 0, onGroup: (g) => attempts.push(g.attempts) }) };
}

/** `perWriter` appends from each writer, in waves so that groups of different writers overlap. */
async function appendFromAll(writers: Writer[], perWriter: number, eventsPerAppend = 1): Promise<AuditEvent[][]> {
  const calls: Promise<AuditEvent[]>[] = [];
  for (let i = 0; i < perWriter; i++) {
    writers.forEach((w, k) => calls.push(w.log.append(Array.from({ length: eventsPerAppend }, (_, j) => auditEvent(`${k}-${i}-${j}`)))));
    await new Promise((r) => setTimeout(r, 1));
  }
  return Promise.all(calls);
}

/**
 * `consecutive`: each append's events follow one another in the chain, which holds unless a store
 * without atomic transactions lost a race half-way through a group (see the last test).
 */
async function checkOneChain(store: Store, results: AuditEvent[][], expected: number, consecutive = true): Promise<void> {
  const all = results.flat();
  assert.equal(all.length, expected);
  assert.equal(new Set(all.map((e) => e.id)).size, expected, 'no sequence number given twice');
  assert.equal(new Set(all.map(markerOf)).size, expected, 'every event stored once');
  if (consecutive) for (const r of results) r.forEach((e, i) => assert.equal(e.id, id(Number(r[0]!.id) + i)));
  const verified = await verifyChain(store, { pageSize: 64 });
  assert.equal(verified.ok, true, JSON.stringify(verified));
  assert.equal(verified.events, expected);
}

const WORKER = fileURLToPath(new URL('./append-worker.js', import.meta.url));

interface WorkerResult {
  stored: string[][];
  errors: string[];
}

/** Starts a worker process; resolves once it has opened its store and waits for "go". */
async function startWorker(args: string[]): Promise<{ go(): void; result: Promise<WorkerResult> }> {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`worker did not start: ${stderr}`);
  const result = (async () => {
    const last = await lines.next();
    const [code] = await once(child, 'exit');
    if (code !== 0 || typeof last.value !== 'string') throw new Error(`worker failed (${code}): ${stderr}`);
    return JSON.parse(last.value) as WorkerResult;
  })();
  return { go: () => child.stdin.write('go\n'), result };
}

describe('audit/log: two processes on one SQLite file', function () {
  this.timeout(120_000);

  it('append concurrently and produce one unbroken chain', async () => {
    const file = join(tempDir(), 'shared.sqlite');
    // Create the database first, so the workers do not race to create the schema.
    await (await openSqliteFile(file)).close();
    const workers = await Promise.all(['a', 'b'].map((label) => startWorker([file, label, '50', '2', '2', '10'])));
    for (const w of workers) w.go();
    const [a, b] = await Promise.all(workers.map((w) => w.result));
    assert.deepEqual([a!.errors, b!.errors], [[], []]);
    const store = await openSqliteFile(file);
    try {
      const all = [...a!.stored, ...b!.stored].flat();
      assert.equal(all.length, 400);
      assert.equal(new Set(all).size, 400, 'no sequence number given twice');
      for (const ids of [...a!.stored, ...b!.stored]) ids.forEach((x, i) => assert.equal(Number(x), Number(ids[0]) + i));
      const verified = await verifyChain(store, { pageSize: 64 });
      assert.deepEqual(verified.ok && verified.events, 400, JSON.stringify(verified));
      // The processes really took turns: each wrote before and after the other.
      const range = (r: WorkerResult) => r.stored.flat().map(Number);
      const [ra, rb] = [range(a!), range(b!)];
      assert.ok(Math.min(...ra) < Math.max(...rb) && Math.min(...rb) < Math.max(...ra), `a ${Math.min(...ra)}..${Math.max(...ra)}, b ${Math.min(...rb)}..${Math.max(...rb)}`);
    } finally {
      await store.close();
    }
  });
});

for (const topology of ['standalone', 'replicaSet'] as const) {
  describe(`audit/log: MongoDB double (${topology})`, function () {
    this.timeout(120_000);
    let client: MongoDouble;
    let writers: Writer[] = [];
    const open = () => openMongoStore({ client, indexer: realIndexer() });
    beforeEach(() => {
      client = new MongoDouble({ topology });
    });
    afterEach(async () => {
      for (const w of writers) await w.log.close();
      for (const w of writers) await w.store.close();
      writers = [];
    });

    it('round trip: grouped appends, verified chain, anchor at the head', async () => {
      const store = await open();
      assert.equal(store.capabilities.atomicTransactions, topology === 'replicaSet');
      writers = [writerOn(store)];
      const results = await appendFromAll(writers, 40, 1);
      await checkOneChain(store, results, 40);
      await writers[0]!.log.close();
      const result = await verifyChain(store);
      assert.ok(result.ok && result.head?.sequence === 40);
    });

    it('four stores on one database (four processes) append concurrently: one unbroken chain', async () => {
      writers = [writerOn(await open()), writerOn(await open()), writerOn(await open()), writerOn(await open())];
      const results = await appendFromAll(writers, 25, 3);
      await checkOneChain(writers[0]!.store, results, 300);
      // The stores took turns: had they written one after the other, the writer would change (in
      // chain order) only writers - 1 times.
      const writerOf = new Map(results.flatMap((r, i) => r.map((e) => [e.id!, i % writers.length] as const)));
      const order = [...writerOf.keys()].sort().map((k) => writerOf.get(k));
      const turns = order.filter((w, i) => i > 0 && w !== order[i - 1]).length;
      assert.ok(turns > writers.length, `${turns} turns`);
      if (topology === 'replicaSet') {
        // Transactions that read the same head collided and were run again by the driver.
        assert.ok(client.sessions.reduce((n, x) => n + x.attempts, 0) + writers.flatMap((w) => w.attempts).reduce((a, b) => a + b, 0) > 2 * client.sessions.length);
      }
    });

    if (topology === 'standalone') {
      it('without the writer lease, groups that lose races keep what they wrote and the chain stays whole', async () => {
        const racing = (store: Store): Writer => {
          const attempts: number[] = [];
          return { store, attempts, log: new AuditLog(store, { writerLease: false, maxAttempts: 1000, onGroup: (g) => attempts.push(g.attempts) }) };
        };
        writers = [racing(await open()), racing(await open()), racing(await open()), racing(await open())];
        const results = await appendFromAll(writers, 15, 3);
        await checkOneChain(writers[0]!.store, results, 180, false);
        const retried = writers.flatMap((w) => w.attempts).filter((a) => a > 1).length;
        assert.ok(retried > 0, 'no group ever lost a race: the test did not exercise concurrency');
      });
    }

    if (topology === 'standalone') {
      it('a group that loses a race half-way keeps what it wrote, since another process may already build on it', async () => {
        const a = await open();
        const b = await open();
        writers = [writerOn(b)];
        const fromB = new AuditLog(b, { writerLease: false });
        // Process b appends right after a's first create, before a's second: a's group then
        // collides with b's event. Undoing a's first event would leave b's pointing at nothing.
        let interleaved = false;
        const real = a.transaction.bind(a);
        a.transaction = (fn) => real((tx) => fn(new Proxy(tx, {
          get(target, prop) {
            if (prop !== 'create') {
              const v = Reflect.get(target, prop) as unknown;
              return typeof v === 'function' ? v.bind(target) : v;
            }
            return async (resource: AuditEvent) => {
              const created = await target.create(resource);
              if (!interleaved) {
                interleaved = true;
                await fromB.append([auditEvent('b')]);
              }
              return created;
            };
          },
        })));
        const attempts: number[] = [];
        const fromA = new AuditLog(a, { writerLease: false, onGroup: (g) => attempts.push(g.attempts) });
        try {
          const stored = await fromA.append([auditEvent('a1'), auditEvent('a2')]);
          assert.deepEqual(stored.map((e) => e.id), [id(1), id(3)]);
          assert.deepEqual(attempts, [2]);
          const second = await b.read('AuditEvent', id(2));
          assert.equal(markerOf(second!.resource as AuditEvent), 'user-b');
          assert.deepEqual(await verifyChain(b).then((r) => r.ok && r.events), 3);
        } finally {
          await fromA.close();
          await fromB.close();
          await a.close();
        }
      });
    }

    it('tampering through the store is detected the same way', async () => {
      const store = await open();
      writers = [writerOn(store)];
      await appendFromAll(writers, 5, 1);
      const third = await store.read('AuditEvent', id(3));
      const edited = structuredClone(third!.resource) as AuditEvent;
      edited.outcome = '8';
      await store.transaction((tx) => tx.update(edited));
      const result = await verifyChain(store);
      assert.equal(result.ok, false);
      assert.equal((result as { at: number }).at, 3);
    });
  });
}
