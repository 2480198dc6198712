// The hold sweeper over a real store (SQLite with the real indexer), with an injectable clock.
import assert from 'node:assert/strict';
import { errors } from '../../src/domain/errors.js';
import type { r4 } from '../../src/domain/fhir.js';
import type { Principal } from '../../src/domain/principal.js';
import { held, holdFor, unheld } from '../../src/scheduling/hold.js';
import { releaseLapsedHolds, startHoldSweeper, type SweepStore } from '../../src/scheduling/hold-sweeper.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const T0 = new Date('2031-01-01T08:00:00Z');
const gp: Principal = { sub: 'dr-jones', organization: 'A81001', authMethod: 'jwt', role: 'gp-clinician', scopes: [] };
const minutesAfter = (n: number) => new Date(T0.getTime() + n * 60_000);

function slot(id: string, status: r4.Slot['status'] = 'free'): r4.Slot {
  return { resourceType: 'Slot', id, schedule: { reference: 'Schedule/s' }, status, start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z' };
}

describe('scheduling: hold sweeper', function () {
  this.timeout(30_000);
  const registry = loadR4Registry();
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:', indexer: createIndexer(registry) });
    await store.transaction(async (tx) => {
      await tx.create(held(slot('lapsed'), holdFor(gp, T0, 5)));
      await tx.create(held(slot('live'), holdFor(gp, minutesAfter(4), 5)));
      await tx.create(slot('free'));
      await tx.create(slot('tentative-by-pas', 'busy-tentative'));
    });
  });
  afterEach(() => store.close());

  const statusOf = async (id: string) => ((await store.read('Slot', id))!.resource as r4.Slot);

  it('frees exactly the slots whose hold has lapsed, removing the hold record', async () => {
    assert.equal(await releaseLapsedHolds(store, minutesAfter(5)), 1);
    const freed = await statusOf('lapsed');
    assert.equal(freed.status, 'free');
    assert.equal(freed.extension, undefined);
    assert.equal((await statusOf('live')).status, 'busy-tentative');
    assert.equal((await statusOf('tentative-by-pas')).status, 'busy-tentative');
    assert.equal(await releaseLapsedHolds(store, minutesAfter(5)), 0);
    assert.equal(await releaseLapsedHolds(store, minutesAfter(9)), 1);
  });

  it('leaves a slot alone when another writer moved it on after the sweep looked', async () => {
    // The sweep's search sees the lapsed hold, but by its transaction the holder has booked the slot.
    const racing: SweepStore = {
      search: (req) => store.search(req),
      transaction: async (fn) => {
        await store.transaction(async (tx) => {
          const cur = (await tx.read('Slot', 'lapsed'))!;
          const booked: r4.Slot = { ...unheld(cur.resource as r4.Slot), status: 'busy' };
          await tx.update(booked, { ifMatch: cur.versionId });
        });
        return store.transaction(fn);
      },
    };
    assert.equal(await releaseLapsedHolds(racing, minutesAfter(5)), 0);
    assert.equal((await statusOf('lapsed')).status, 'busy');
  });

  it('counts a version conflict as someone else winning, not as a failure', async () => {
    const conflicting: SweepStore = {
      search: (req) => store.search(req),
      transaction: (fn) => store.transaction((tx) => fn({ read: (t, id) => tx.read(t, id), update: async () => { throw errors.preconditionFailed('moved'); } })),
    };
    assert.equal(await releaseLapsedHolds(conflicting, minutesAfter(5)), 0);
  });

  it('sweeps at start-up, then on its timer without any call, and stops cleanly', async () => {
    let now = minutesAfter(5);
    const failures: unknown[] = [];
    const sweeper = await startHoldSweeper({ store, now: () => now, intervalMs: 20, onError: (e) => failures.push(e) });
    try {
      assert.equal((await statusOf('lapsed')).status, 'free');
      now = minutesAfter(9);
      const deadline = Date.now() + 2_000;
      while ((await statusOf('live')).status !== 'free' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await statusOf('live')).status, 'free');
    } finally {
      await sweeper.stop();
    }
    assert.deepEqual(failures, []);
  });

  it('reports a failed sweep and keeps going', async () => {
    const failures: unknown[] = [];
    let calls = 0;
    const flaky: SweepStore = {
      search: async (req) => {
        if (++calls === 1) throw new Error('store unavailable');
        return store.search(req);
      },
      transaction: (fn) => store.transaction(fn),
    };
    const sweeper = await startHoldSweeper({ store: flaky, now: () => minutesAfter(5), intervalMs: 20, onError: (e) => failures.push(e) });
    try {
      const deadline = Date.now() + 2_000;
      while ((await statusOf('lapsed')).status !== 'free' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await sweeper.stop();
    }
    assert.equal(failures.length, 1);
    assert.equal((await statusOf('lapsed')).status, 'free');
  });
});
