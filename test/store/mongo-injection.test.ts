// Operator injection: whatever arrives in a SearchRequest is data. Values typed string | number are
// checked at run time (a `{"$gt": ""}` smuggled in through JSON is refused before any query), a
// string starting with `$` matches only itself, and field or parameter names never become operators.
import assert from 'node:assert/strict';
import type { Cond, SearchRequest } from '../../src/domain/search-types.js';
import type { Store } from '../../src/store/port.js';
import type { MongoDouble } from './mongo-double/index.js';
import { ids, openDouble, patient, statusOf } from './mongo-fixtures.js';

const req = (over: Partial<SearchRequest>): SearchRequest => ({ types: ['Patient'], where: [], sort: [], count: 50, total: 'accurate', ...over });
/** Bypasses the static types, as a JSON body would. */
const smuggle = (x: unknown) => x as any;

describe('store/mongo: operator injection (double)', () => {
  let store: Store;
  let client: MongoDouble;
  before(async () => {
    ({ store, client } = await openDouble());
    await store.transaction(async (tx) => {
      await tx.create(patient('p1', '$where'));
      await tx.create(patient('p2', 'Smith', { identifier: [{ system: '$gt', value: '$ne' }] }));
      await tx.create(patient('p3', 'Jones'));
    });
  });

  for (const [label, v] of [
    ['an operator object', { $gt: '' }],
    ['a $ne object', { $ne: null }],
    ['a regex object', { $regex: '.*' }],
    ['an array', ['a']],
    ['null', null],
    ['a boolean', true],
    ['NaN', Number.NaN],
  ] as const) {
    it(`refuses ${label} as an eq value with a 400, before any query`, async () => {
      client.log.length = 0;
      const cond: Cond = { k: 'idx', p: 'name', tests: [{ f: 's', op: 'eq', v: smuggle(v) }] };
      assert.equal(await statusOf(store.search(req({ where: [cond] }))), 400);
      assert.equal(client.log.filter((l) => l.op === 'find' || l.op === 'countDocuments').length, 0);
    });
  }

  it('refuses operator objects in in-lists, sw, ids, types and the parameter code', async () => {
    const bad: Cond[] = [
      { k: 'idx', p: 'name', tests: [{ f: 's', op: 'in', v: smuggle(['x', { $gt: '' }]) }] },
      { k: 'idx', p: 'name', tests: [{ f: 's', op: 'sw', v: smuggle({ $gt: '' }) }] },
      { k: 'idx', p: 'name', tests: [{ f: 's', op: 'sw', v: smuggle(5) }] },
      { k: 'id', ids: smuggle([{ $gt: '' }]) },
      { k: 'idx', p: smuggle({ $gt: '' }), tests: [] },
      { k: 'chain', p: 'x', types: smuggle([{ $gt: '' }]), where: { k: 'true' } },
    ];
    for (const c of bad) assert.equal(await statusOf(store.search(req({ where: [c] }))), 400, JSON.stringify(c));
    assert.equal(await statusOf(store.search(req({ types: smuggle([{ $ne: 'x' }]) }))), 400);
  });

  it('refuses field names outside the index fields and unknown operators', async () => {
    for (const f of ['$where', '__proto__', 'p', 'idx.s', 'json']) {
      const cond: Cond = { k: 'idx', p: 'name', tests: [{ f: smuggle(f), op: 'exists' }] };
      assert.equal(await statusOf(store.search(req({ where: [cond] }))), 400, f);
    }
    const op: Cond = { k: 'idx', p: 'name', tests: [{ f: 's', op: smuggle('$where'), v: 'x' }] };
    assert.equal(await statusOf(store.search(req({ where: [op] }))), 400);
    assert.equal(await statusOf(store.search(req({ where: [smuggle({ k: '$where' })] }))), 400);
  });

  it('matches a value starting with $ literally, and sends it under $eq', async () => {
    client.log.length = 0;
    const r = await store.search(req({ where: [{ k: 'idx', p: 'name', tests: [{ f: 's', op: 'eq', v: '$where' }] }] }));
    assert.deepEqual([ids(r.matches), r.total], [['Patient/p1'], 1]);
    const sent = JSON.stringify(client.log.find((l) => l.op === 'find')!.filter);
    assert.ok(sent.includes('"s":{"$eq":"$where"}'), sent);
    const tok = await store.search(req({ where: [{ k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: '$gt' }, { f: 'code', op: 'eq', v: '$ne' }] }] }));
    assert.deepEqual(ids(tok.matches), ['Patient/p2']);
    const none = await store.search(req({ where: [{ k: 'idx', p: '$gt', tests: [] }] }));
    assert.deepEqual(none.matches, []);
  });

  it('treats regex metacharacters in sw/co as literal text', async () => {
    for (const v of ['.*', '^', '$', '(', '[a-z]', '\\', 'w|j']) {
      const r = await store.search(req({ where: [{ k: 'idx', p: 'name', tests: [{ f: 's', op: 'co', v }] }] }));
      const expect = v === '$' ? ['Patient/p1'] : [];
      assert.deepEqual(ids(r.matches), expect, v);
    }
  });

  it('refuses a cursor carrying an operator object', async () => {
    const forged = Buffer.from(JSON.stringify({ kind: 'search', sig: 'Patient|type:1,id:1', k: [{ $gt: '' }, 'x'] })).toString('base64url');
    assert.equal(await statusOf(store.search(req({ cursor: forged }))), 400);
    const ok = Buffer.from(JSON.stringify({ kind: 'search', sig: 'Patient|type:1,id:1', k: ['Patient', 'p1'] })).toString('base64url');
    assert.deepEqual(ids((await store.search(req({ cursor: ok }))).matches), ['Patient/p2', 'Patient/p3']);
  });

  it('stores resources whose keys look like operators without interpreting them', async () => {
    const odd = { ...patient('odd', 'Odd'), extension: [{ url: 'x', valueString: '$set' }], ['$where' as string]: 'x' } as any;
    const v = await store.transaction((tx) => tx.create(odd));
    await store.transaction((tx) => tx.update({ ...odd, ['a.b' as string]: 1 }));
    const back = await store.read('Patient', 'odd');
    assert.equal((back!.resource as any)['$where'], 'x');
    assert.equal((back!.resource as any)['a.b'], 1);
    assert.equal(v.versionId, 1);
  });
});
