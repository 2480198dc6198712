// The in-memory double itself: the server behaviours the adapter relies on, checked directly so a
// passing adapter test means the adapter is right, not that the double is lenient.
import assert from 'node:assert/strict';
import { MongoDouble } from './mongo-double/index.js';

const codeOf = async (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: number }) => e.code);

describe('store/mongo: the in-memory double', () => {
  it('enforces _id and declared unique indexes with E11000, and copies documents in and out', async () => {
    const c = new MongoDouble().db('t').collection('x');
    await c.createIndexes([{ key: { a: 1, b: 1 }, name: 'a_b', unique: true }]);
    const doc = { _id: 1, a: 'x', b: 1, nested: { v: 1 } };
    await c.insertOne(doc);
    doc.nested.v = 2;
    assert.equal(await codeOf(c.insertOne({ _id: 1, a: 'y' })), 11000);
    assert.equal(await codeOf(c.insertOne({ _id: 2, a: 'x', b: 1 })), 11000);
    await c.insertOne({ _id: 3, a: 'x', b: 2 });
    assert.equal(await codeOf(c.updateOne({ _id: 3 }, { $set: { b: 1 } })), 11000);
    const found = (await c.findOne({ _id: 1 }))!;
    assert.deepEqual(found.nested, { v: 1 });
    (found.nested as { v: number }).v = 3;
    assert.deepEqual((await c.findOne({ _id: 1 }))!.nested, { v: 1 });
  });

  it('refuses replacement documents in updateOne, like the driver', async () => {
    const c = new MongoDouble().db('t').collection('x');
    await c.insertOne({ _id: 1, a: 1 });
    assert.equal(await codeOf(c.updateOne({ _id: 1 }, { a: 2 })), 9);
  });

  it('replaceOne: replaces the first match keeping its _id, upserts when asked, and E11000 when an upsert collides', async () => {
    const c = new MongoDouble().db('t').collection('x');
    await c.insertOne({ _id: 'a', v: 1, old: true, exp: 5 });
    assert.deepEqual(await c.replaceOne({ v: { $eq: 1 } }, { v: 2 }), { matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    assert.deepEqual(await c.findOne({ _id: 'a' }), { _id: 'a', v: 2 });
    assert.deepEqual(await c.replaceOne({ _id: 'a' }, { _id: 'a', v: 2 }), { matchedCount: 1, modifiedCount: 0, upsertedCount: 0, upsertedId: null });
    assert.equal(await codeOf(c.replaceOne({ _id: 'a' }, { _id: 'b', v: 3 })), 66);
    assert.deepEqual(await c.replaceOne({ _id: 'nope' }, { v: 9 }), { matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null });
    assert.equal(await c.countDocuments({}), 1);
    // Upsert: the _id comes from the filter's equality when the replacement has none.
    assert.equal((await c.replaceOne({ _id: { $eq: 'n' } }, { v: 4 }, { upsert: true })).upsertedCount, 1);
    assert.deepEqual(await c.findOne({ _id: 'n' }), { _id: 'n', v: 4 });
    // A filter that excludes the existing document makes the upsert insert, and _id refuses it.
    assert.equal(await codeOf(c.replaceOne({ _id: { $eq: 'n' }, v: { $lte: 3 } }, { _id: 'n', v: 5 }, { upsert: true })), 11000);
    assert.deepEqual(await c.findOne({ _id: 'n' }), { _id: 'n', v: 4 });
    assert.equal(await codeOf(c.replaceOne({ _id: 'n' }, { $set: { v: 1 } })), 2);
  });

  it('keeps Date values as Dates and compares them as instants', async () => {
    const c = new MongoDouble().db('t').collection('x');
    const when = new Date('2030-01-01T00:00:00.000Z');
    await c.insertOne({ _id: 1, when });
    when.setFullYear(2040);
    const got = (await c.findOne({ _id: 1 }))!;
    assert.ok(got.when instanceof Date);
    assert.equal((got.when as Date).toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(await c.countDocuments({ when: { $lt: new Date('2030-01-01T00:00:00.001Z') } }), 1);
    assert.equal(await c.countDocuments({ when: { $gt: new Date('2030-01-01T00:00:00.000Z') } }), 0);
  });

  it('orders and compares strings by code point, as MongoDB does, and maps them back intact', async () => {
    const c = new MongoDouble().db('t').collection('x');
    for (const [i, s] of ['\u{1F600}', '\uFF5E', 'z', '\uE000', 'É'].entries()) await c.insertOne({ _id: i, s });
    const sorted = await c.find({}, { sort: { s: 1 } }).toArray();
    assert.deepEqual(sorted.map((d) => d.s), ['z', 'É', '\uE000', '\uFF5E', '\u{1F600}']);
    assert.deepEqual((await c.find({ s: { $gt: '\uFF5E' } }).toArray()).map((d) => d.s), ['\u{1F600}']);
    assert.deepEqual((await c.find({ s: { $regex: '^\u{1F600}' } }).toArray()).map((d) => d._id), [0]);
  });

  it('replica-set mode: snapshot isolation, first committer wins, a failed operation aborts the transaction', async () => {
    const client = new MongoDouble({ topology: 'replicaSet' });
    const c = client.db('t').collection('x');
    await c.insertOne({ _id: 1, v: 0 });
    const s1 = client.startSession();
    let runs = 0;
    await s1.withTransaction(async () => {
      runs++;
      await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session: s1 });
      assert.equal((await c.findOne({ _id: 1 }))!.v, runs === 1 ? 0 : 10, 'outside readers see committed data');
      if (runs === 1) await c.updateOne({ _id: 1 }, { $set: { v: 10 } }); // a foreign commit meanwhile
    });
    assert.equal(runs, 2, 'the conflicting attempt was retried');
    assert.equal((await c.findOne({ _id: 1 }))!.v, 11);

    const s2 = client.startSession();
    let attempts = 0;
    await assert.rejects(
      s2.withTransaction(async () => {
        attempts++;
        await c.insertOne({ _id: 1 }, { session: s2 }).catch(() => undefined); // swallowed E11000
        if (attempts > 2) throw new Error('still aborted');
        await c.insertOne({ _id: 2 }, { session: s2 });
      }),
      /still aborted/,
    );
    assert.equal(await c.findOne({ _id: 2 }), null, 'nothing of the aborted attempts was committed');
  });

  it('standalone mode refuses sessions, so the adapter must not use them', () => {
    assert.throws(() => new MongoDouble().startSession(), /replica set/);
  });
});
