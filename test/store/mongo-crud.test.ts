// Versioned writes and reads of the MongoDB adapter over the in-memory double.
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/port.js';
import { openDouble, patient, statusOf } from './mongo-fixtures.js';

describe('store/mongo: versioned writes (double)', () => {
  let store: Store;
  beforeEach(async () => {
    ({ store } = await openDouble());
  });

  it('creates version 1 with meta set by the store, 409 on an existing id', async () => {
    const v = await store.transaction((tx) => tx.create(patient('p1', 'Smith')));
    assert.equal(v.versionId, 1);
    assert.equal(v.resource.meta?.versionId, '1');
    assert.equal(v.resource.meta?.lastUpdated, v.lastUpdated);
    assert.match(v.lastUpdated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(await statusOf(store.transaction((tx) => tx.create(patient('p1', 'Other')))), 409);
    assert.equal((await store.read('Patient', 'p1'))?.versionId, 1);
  });

  it('updates with increasing versions and strictly increasing lastUpdated; vread sees each', async () => {
    await store.transaction((tx) => tx.create(patient('p1', 'A')));
    const stamps: string[] = [];
    for (const name of ['B', 'C', 'D']) {
      const { version, created } = await store.transaction((tx) => tx.update(patient('p1', name)));
      assert.equal(created, false);
      stamps.push(version.lastUpdated);
    }
    assert.deepEqual([...stamps].sort(), stamps);
    assert.equal(new Set(stamps).size, 3);
    const cur = await store.read('Patient', 'p1');
    assert.equal(cur?.versionId, 4);
    assert.equal((cur?.resource as any).name[0].family, 'D');
    assert.equal(((await store.vread('Patient', 'p1', 2))?.resource as any).name[0].family, 'B');
    assert.equal(await store.vread('Patient', 'p1', 9), undefined);
  });

  it('update creates when absent or deleted; ifMatch mismatch is 412', async () => {
    const first = await store.transaction((tx) => tx.update(patient('p2', 'A')));
    assert.equal(first.created, true);
    assert.equal(await statusOf(store.transaction((tx) => tx.update(patient('p2', 'B'), { ifMatch: 7 }))), 412);
    assert.equal(await statusOf(store.transaction((tx) => tx.update(patient('nope', 'B'), { ifMatch: 1 }))), 412);
    const del = await store.transaction((tx) => tx.delete('Patient', 'p2'));
    assert.equal(del?.versionId, 2);
    assert.equal(del?.deleted, true);
    assert.equal((del?.resource as any).name[0].family, 'A', 'a deletion keeps the last live content');
    const again = await store.transaction((tx) => tx.update(patient('p2', 'C'), { ifMatch: 2 }));
    assert.deepEqual([again.created, again.version.versionId], [true, 3]);
  });

  it('delete: undefined when nothing live, 412 on mismatch, 409 to create over a deleted id', async () => {
    assert.equal(await store.transaction((tx) => tx.delete('Patient', 'ghost')), undefined);
    await store.transaction((tx) => tx.create(patient('p3', 'A')));
    assert.equal(await statusOf(store.transaction((tx) => tx.delete('Patient', 'p3', { ifMatch: 5 }))), 412);
    await store.transaction((tx) => tx.delete('Patient', 'p3', { ifMatch: 1 }));
    assert.equal(await store.transaction((tx) => tx.delete('Patient', 'p3')), undefined);
    assert.equal((await store.read('Patient', 'p3'))?.deleted, true);
    assert.equal(await statusOf(store.transaction((tx) => tx.create(patient('p3', 'B')))), 409);
  });

  it('history: newest first at every level, since, count and cursor', async () => {
    await store.transaction((tx) => tx.create(patient('h1', 'A')));
    await store.transaction((tx) => tx.create(patient('h2', 'A')));
    await store.transaction((tx) => tx.update(patient('h1', 'B')));
    await store.transaction((tx) => tx.create({ resourceType: 'Appointment', id: 'a1', status: 'booked' } as any));
    const all = await store.history({ count: 10 });
    assert.deepEqual(all.versions.map((v) => `${v.id}/${v.versionId}`), ['a1/1', 'h1/2', 'h2/1', 'h1/1']);
    assert.equal(all.total, 4);
    const type = await store.history({ type: 'Patient', count: 2 });
    assert.deepEqual(type.versions.map((v) => `${v.id}/${v.versionId}`), ['h1/2', 'h2/1']);
    assert.equal(type.total, 3);
    // A write between pages does not shift the next page.
    await store.transaction((tx) => tx.update(patient('h2', 'Z')));
    const page2 = await store.history({ type: 'Patient', count: 2, cursor: type.next! });
    assert.deepEqual(page2.versions.map((v) => `${v.id}/${v.versionId}`), ['h1/1']);
    assert.equal(page2.next, undefined);
    const inst = await store.history({ type: 'Patient', id: 'h1', count: 10, since: all.versions[1]!.lastUpdated });
    assert.deepEqual(inst.versions.map((v) => v.versionId), [2]);
    const none = await store.history({ count: 0 });
    assert.deepEqual([none.versions.length, none.total], [0, 5]);
    assert.equal(await statusOf(store.history({ type: 'Appointment', count: 2, cursor: type.next! })), 400);
  });

  it('reads of malformed keys are misses, not errors', async () => {
    assert.equal(await store.read('Patient', '../x'), undefined);
    assert.equal(await store.read('$where', 'x'), undefined);
    assert.equal(await store.vread('Patient', 'x', 0), undefined);
  });

  it('ping and capabilities report a standalone double', async () => {
    await store.ping();
    assert.deepEqual(store.capabilities, { atomicTransactions: false, engine: 'mongodb' });
  });
});
