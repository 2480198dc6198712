// The records sweeper deletes expired records on its timer, and a failing purge does not stop it.
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startRecordsSweeper } from '../../src/store/common/records-sweeper.js';
import type { RecordStore } from '../../src/domain/records.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store/common: records sweeper', () => {
  it('purges expired records on each tick and keeps live ones', async () => {
    const store = await openSqliteStore({ file: ':memory:', indexer: () => [] });
    try {
      await store.records.put({ kind: 'session', id: 'old', data: {}, expiresAt: '2030-01-01T00:00:00.000Z' });
      await store.records.put({ kind: 'session', id: 'live', data: {}, expiresAt: '2030-01-03T00:00:00.000Z' });
      const sweeper = startRecordsSweeper({ records: store.records, now: () => new Date('2030-01-02T00:00:00Z'), intervalMs: 5, onError: (e) => assert.fail(String(e)) });
      await sleep(40);
      await sweeper.stop();
      assert.equal(await store.records.delete('session', 'old'), false, 'the expired record was deleted');
      assert.equal(await store.records.delete('session', 'live'), true);
    } finally {
      await store.close();
    }
  });

  it('reports a failed purge and tries again at the next tick', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const records = { purgeExpired: async () => { calls++; throw new Error('disk full'); } } as unknown as RecordStore;
    const sweeper = startRecordsSweeper({ records, now: () => new Date(), intervalMs: 5, onError: (e) => errors.push(e) });
    await sleep(40);
    await sweeper.stop();
    assert.ok(calls >= 2, `ticks: ${calls}`);
    assert.equal(errors.length, calls);
  });
});
