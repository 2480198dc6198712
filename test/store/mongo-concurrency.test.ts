// Optimistic concurrency. Within one store the transaction mutex queues writers; across stores that
// share one database (standing in for several processes, each with its own mutex) only the
// version-guarded update and the unique _id decide, which is what these tests put under load.
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/port.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { MongoDouble } from './mongo-double/index.js';
import { patient, statusOf, mongoTestIndexer } from './mongo-fixtures.js';

const N = 50;

async function stores(client: MongoDouble, count: number): Promise<Store[]> {
  return Promise.all(Array.from({ length: count }, () => openMongoStore({ client, indexer: mongoTestIndexer })));
}

const CASES = [
  ['standalone', 'one store', 1],
  ['standalone', '50 stores sharing one database', N],
  ['replicaSet', '50 stores sharing one database', N],
] as const;

for (const [topology, label, processes] of CASES) {
  describe(`store/mongo: concurrent writers (double ${topology}, ${label})`, () => {
    let all: Store[];
    let client: MongoDouble;
    beforeEach(async () => {
      client = new MongoDouble({ topology });
      all = await stores(client, processes);
      await all[0]!.transaction((tx) => tx.create(patient('p', 'v1')));
    });
    const at = (i: number) => all[i % all.length]!;

    it(`${N} concurrent updates with ifMatch: 1 -> exactly one wins, the rest get 412`, async () => {
      const statuses = await Promise.all(
        Array.from({ length: N }, (_, i) => statusOf(at(i).transaction((tx) => tx.update(patient('p', `w${i}`), { ifMatch: 1 })))),
      );
      assert.equal(statuses.filter((s) => s === undefined).length, 1);
      assert.equal(statuses.filter((s) => s === 412).length, N - 1);
      const cur = await at(0).read('Patient', 'p');
      assert.equal(cur?.versionId, 2);
      const winner = statuses.indexOf(undefined);
      assert.equal((cur?.resource as any).name[0].family, `w${winner}`);
      assert.equal((await at(0).history({ type: 'Patient', id: 'p', count: 100 })).total, 2);
    });

    it(`${N} concurrent unconditional updates all land, as versions 2..${N + 1} with increasing lastUpdated`, async () => {
      client.log.length = 0;
      await Promise.all(Array.from({ length: N }, (_, i) => at(i).transaction((tx) => tx.update(patient('p', `w${i}`)))));
      // Across stores the writers really raced: guarded updates that matched nothing (standalone) or
      // transactions that hit a write conflict (replica set) were retried.
      const guarded = client.log.filter((l) => l.op === 'updateOne').length;
      if (processes > 1) assert.ok(guarded > N, `${guarded} guarded updates for ${N} writes`);
      else assert.equal(guarded, N);
      if (topology === 'replicaSet') assert.ok(client.sessions.reduce((n, s) => n + s.attempts, 0) > N);
      const h = await at(0).history({ type: 'Patient', id: 'p', count: 100 });
      assert.equal(h.total, N + 1);
      assert.deepEqual(h.versions.map((v) => v.versionId), Array.from({ length: N + 1 }, (_, i) => N + 1 - i));
      const stamps = h.versions.map((v) => v.lastUpdated).reverse();
      for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i]! > stamps[i - 1]!, `${stamps[i]} after ${stamps[i - 1]}`);
    });

    it(`${N} concurrent creates of one id -> one 201, the rest 409`, async () => {
      const statuses = await Promise.all(Array.from({ length: N }, (_, i) => statusOf(at(i).transaction((tx) => tx.create(patient('q', `c${i}`))))));
      assert.equal(statuses.filter((s) => s === undefined).length, 1);
      assert.equal(statuses.filter((s) => s === 409).length, N - 1);
      assert.equal((await at(0).history({ type: 'Patient', id: 'q', count: 100 })).total, 1);
    });
  });
}
