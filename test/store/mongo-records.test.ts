// What only the MongoDB RecordStore has to show (the shared contract runs from mongo.test.ts): the
// document and index shapes a real server relies on (TTL purge, unique _id per (kind, id)), filters
// that keep every argument as data, and claims raced by two stores sharing one database, as two
// processes would.
import assert from 'node:assert/strict';
import { openMongoStore } from '../../src/store/mongo/index.js';
import type { Store } from '../../src/store/port.js';
import { MongoDouble } from './mongo-double/index.js';
import { testIndexer } from './test-indexer.js';

const NOW = '2030-06-01T12:00:00.000Z';
const LATER = '2030-06-01T12:01:00.000Z';

for (const topology of ['standalone', 'replicaSet'] as const) {
  describe(`store/mongo: records (double, ${topology})`, () => {
    let client: MongoDouble;
    let store: Store;
    beforeEach(async () => {
      client = new MongoDouble({ topology });
      store = await openMongoStore({ client, indexer: testIndexer });
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates the records indexes, a TTL index on a Date copy of expiresAt among them', async () => {
      const created = client.log.filter((o) => o.collection === 'envelope.records' && o.op === 'createIndexes');
      assert.equal(created.length, 1);
      assert.deepEqual((created[0]!.update as { specs: unknown }).specs, [
        { key: { kind: 1, owner: 1, expiresAt: 1 }, name: 'kind_owner' },
        { key: { expiresAt: 1 }, name: 'expires_at' },
        { key: { expires: 1 }, name: 'ttl', expireAfterSeconds: 0 },
      ]);
    });

    it('stores one document per record: collision-free _id, data as JSON text, expires as a Date', async () => {
      await store.records.put({ kind: 'a|b', id: 'c', owner: 'o', data: { $set: { x: 1 } }, expiresAt: LATER });
      await store.records.put({ kind: 'a', id: 'b|c', data: {}, expiresAt: LATER });
      const docs = client.db('envelope').collection('records').docs;
      assert.equal(docs.length, 2);
      const doc = docs.find((d) => d.kind === 'a|b')!;
      assert.equal(doc._id, '["a|b","c"]');
      assert.equal(doc.data, '{"$set":{"x":1}}');
      assert.ok(doc.expires instanceof Date);
      assert.equal((doc.expires as Date).toISOString(), LATER);
      assert.equal(doc.owner, 'o');
      assert.equal('owner' in docs.find((d) => d.kind === 'a')!, false, 'no owner, no field (not null)');
    });

    it('sends every argument as an operand of an explicit operator, outside any session', async () => {
      await store.records.put({ kind: 'k', id: 'x', owner: 'o', data: {}, expiresAt: LATER });
      await store.records.claimOnce('k', 'y', LATER, NOW);
      await store.records.get('k', 'x', NOW);
      await store.records.list('k', 'o', NOW);
      await store.records.delete('k', 'x');
      await store.records.purgeExpired(NOW);
      const ops = client.log.filter((o) => o.collection === 'envelope.records' && o.op !== 'createIndexes');
      assert.deepEqual(ops.map((o) => o.op), ['replaceOne', 'replaceOne', 'findOne', 'find', 'deleteMany', 'deleteMany']);
      for (const o of ops) {
        assert.equal(o.options?.session ?? false, false, `${o.op} ran outside a session`);
        for (const [field, cond] of Object.entries(o.filter ?? {})) {
          assert.ok(typeof cond === 'object' && cond !== null && Object.keys(cond).every((k) => ['$eq', '$gt', '$lte'].includes(k)), `${o.op} ${field}: ${JSON.stringify(cond)}`);
        }
      }
    });

    it('two stores on one database (as two processes would): of concurrent claims of one id, exactly one wins', async () => {
      const other = await openMongoStore({ client, indexer: testIndexer });
      try {
        const claims = Array.from({ length: 25 }, (_, i) => (i % 2 ? store : other).records.claimOnce('saml-assertion', 'one', LATER, NOW));
        assert.equal((await Promise.all(claims)).filter(Boolean).length, 1);
        // And over an expired claim, which has to be replaced rather than inserted.
        const later = '2030-06-01T12:02:00.000Z';
        const again = Array.from({ length: 25 }, (_, i) => (i % 2 ? other : store).records.claimOnce('saml-assertion', 'one', later, LATER));
        assert.equal((await Promise.all(again)).filter(Boolean).length, 1);
        assert.equal((await store.records.get('saml-assertion', 'one', LATER))?.expiresAt, later);
      } finally {
        await other.close();
      }
    });

    it('a record written inside a failed transaction is refused, not half-kept', async () => {
      await assert.rejects(
        store.transaction(async () => {
          await store.records.put({ kind: 'k', id: 'x', data: {}, expiresAt: LATER });
        }),
        (e: { status?: number }) => e.status === 500,
      );
      assert.equal(await store.records.get('k', 'x', NOW), undefined);
    });
  });
}
