// transaction(): the compensating fallback (standalone double) and the session path (replica-set
// double): rollback, read-your-writes, un-awaited writes, transient retries, foreign writers.
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/port.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { MongoDouble } from './mongo-double/index.js';
import { openDouble, patient, statusOf, mongoTestIndexer } from './mongo-fixtures.js';

const family = async (store: Store, id: string) => ((await store.read('Patient', id))?.resource as any)?.name?.[0]?.family;

async function snapshot(client: MongoDouble) {
  const db = client.db('envelope');
  return JSON.stringify([db.collection('resources').docs, db.collection('versions').docs].map((docs) => [...docs].sort((a, b) => String(a._id).localeCompare(String(b._id)))));
}

for (const topology of ['standalone', 'replicaSet'] as const) {
  describe(`store/mongo: transactions (double, ${topology})`, () => {
    let store: Store;
    let client: MongoDouble;
    beforeEach(async () => {
      ({ store, client } = await openDouble({ topology }));
      await store.transaction(async (tx) => {
        await tx.create(patient('a', 'A1'));
        await tx.create(patient('b', 'B1'));
        await tx.create(patient('c', 'C1'));
        await tx.update(patient('c', 'C2'));
      });
    });

    it(`reports atomicTransactions=${topology === 'replicaSet'}`, () => {
      assert.equal(store.capabilities.atomicTransactions, topology === 'replicaSet');
    });

    it('rolls back every kind of write, in reverse, leaving the stored documents byte-identical', async () => {
      const before = await snapshot(client);
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.create(patient('new', 'N'));
          await tx.update(patient('a', 'A2'));
          await tx.update(patient('a', 'A3'));
          await tx.delete('Patient', 'b');
          await tx.update(patient('b', 'B-again'));
          await tx.delete('Patient', 'c', { ifMatch: 2 });
          // Reads inside see the transaction's own writes.
          assert.equal(await family(tx as unknown as Store, 'a'), 'A3');
          assert.equal((await tx.search({ types: ['Patient'], where: [], sort: [], count: 10, total: 'accurate' })).total, 3);
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal(await snapshot(client), before);
      assert.equal(await store.read('Patient', 'new'), undefined);
      assert.deepEqual([await family(store, 'a'), await family(store, 'b'), await family(store, 'c')], ['A1', 'B1', 'C2']);
      assert.equal((await store.history({ count: 50 })).total, 4);
    });

    it('a failed write inside (412) rolls back the writes before it', async () => {
      const before = await snapshot(client);
      assert.equal(
        await statusOf(store.transaction(async (tx) => {
          await tx.update(patient('a', 'A2'));
          await tx.update(patient('b', 'B2'), { ifMatch: 9 });
        })),
        412,
      );
      assert.equal(await snapshot(client), before);
    });

    it('commits and returns fn’s result; the writer refuses use after the end', async () => {
      let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
      const r = await store.transaction(async (tx) => {
        leaked = tx;
        await tx.update(patient('a', 'A2'));
        return 42;
      });
      assert.equal(r, 42);
      assert.equal(await family(store, 'a'), 'A2');
      assert.equal(await statusOf(leaked!.update(patient('a', 'A3'))), 500);
      assert.equal(await family(store, 'a'), 'A2');
    });

    it('waits for writes fn started without awaiting, and rolls them back too', async () => {
      const before = await snapshot(client);
      await assert.rejects(
        store.transaction(async (tx) => {
          void tx.update(patient('a', 'late'));
          void tx.create(patient('late', 'L'));
          throw new Error('early exit');
        }),
        /early exit/,
      );
      assert.equal(await snapshot(client), before);
    });
  });
}

describe('store/mongo: compensating fallback against another process (double)', () => {
  it('refuses to overwrite a foreign write during rollback and reports the resource (500)', async () => {
    const client = new MongoDouble();
    const mine = await openMongoStore({ client, indexer: mongoTestIndexer });
    const other = await openMongoStore({ client, indexer: mongoTestIndexer }); // its own mutex: another process
    await mine.transaction((tx) => tx.create(patient('x', 'X1')));
    await mine.transaction((tx) => tx.create(patient('y', 'Y1')));
    const err = await mine
      .transaction(async (tx) => {
        await tx.update(patient('x', 'X2'));
        await tx.update(patient('y', 'Y2'));
        await other.transaction((o) => o.update(patient('x', 'foreign')));
        throw new Error('fail after a foreign write');
      })
      .catch((e: unknown) => e as { status?: number; message: string; cause?: unknown });
    assert.equal(err.status, 500);
    assert.match(err.message, /Patient\/x/);
    assert.doesNotMatch(err.message, /Patient\/y/);
    assert.match(String((err.cause as Error).message), /foreign write/);
    // y was restored; x keeps the foreign version, which builds on ours, so ours stays in history.
    assert.equal(((await mine.read('Patient', 'y'))?.resource as any).name[0].family, 'Y1');
    assert.equal((await mine.read('Patient', 'y'))?.versionId, 1);
    const x = await mine.read('Patient', 'x');
    assert.deepEqual([x?.versionId, (x?.resource as any).name[0].family], [3, 'foreign']);
    assert.deepEqual((await mine.history({ type: 'Patient', id: 'x', count: 10 })).versions.map((v) => v.versionId), [3, 2, 1]);
  });
});

describe('store/mongo: session path (replica-set double)', () => {
  it('runs fn inside session.withTransaction and passes the session to every operation', async () => {
    const { store, client } = await openDouble({ topology: 'replicaSet' });
    client.log.length = 0;
    await store.transaction(async (tx) => {
      await tx.create(patient('s1', 'S'));
      await tx.read('Patient', 's1');
      await tx.search({ types: ['Patient'], where: [], sort: [], count: 5, total: 'accurate' });
    });
    assert.equal(client.sessions.length, 1);
    const unsessioned = client.log.filter((l) => l.op !== 'createIndexes' && !l.options?.session);
    assert.deepEqual(unsessioned, []);
  });

  it('retries fn on a TransientTransactionError and commits once', async () => {
    const { store, client } = await openDouble({ topology: 'replicaSet' });
    client.faults.transientCommitFailures = 2;
    let runs = 0;
    const v = await store.transaction(async (tx) => {
      runs++;
      return tx.create(patient('t1', 'T'));
    });
    assert.equal(runs, 3);
    assert.equal(client.sessions[0]!.attempts, 3);
    assert.equal(v.versionId, 1);
    assert.equal((await store.history({ type: 'Patient', count: 10 })).total, 1);
  });

  it('does not open sessions on a standalone deployment', async () => {
    const { store, client } = await openDouble({ topology: 'standalone' });
    await store.transaction((tx) => tx.create(patient('z', 'Z')));
    assert.equal(client.sessions.length, 0);
  });
});
