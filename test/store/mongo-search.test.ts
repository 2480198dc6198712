// Search compilation of the MongoDB adapter, run over the double (so the filters are executed by
// mingo exactly as built), plus assertions on the shape of the filters sent.
import assert from 'node:assert/strict';
import type { Cond, SearchRequest } from '../../src/domain/search-types.js';
import type { Store } from '../../src/store/port.js';
import type { MongoDouble } from './mongo-double/index.js';
import { ids, openDouble, patient, statusOf } from './mongo-fixtures.js';

const req = (over: Partial<SearchRequest>): SearchRequest => ({ types: ['Patient'], where: [], sort: [], count: 50, total: 'none', ...over });
const name = (op: 'eq' | 'sw' | 'co', v: string): Cond => ({ k: 'idx', p: 'name', tests: [{ f: 's', op, v }] });

describe('store/mongo: search (double)', () => {
  let store: Store;
  let client: MongoDouble;
  before(async () => {
    ({ store, client } = await openDouble());
    await store.transaction(async (tx) => {
      await tx.create(patient('p1', 'Smith', { birthDate: '1980-05-01', identifier: [{ system: 'nhs', value: '111' }], generalPractitioner: [{ reference: 'Practitioner/gp1' }] }));
      await tx.create(patient('p2', 'Smythe', { birthDate: '1990-01-01', identifier: [{ system: 'nhs', value: '222' }], generalPractitioner: [{ reference: 'Practitioner/gp2' }] }));
      await tx.create(patient('p3', 'Jones', { identifier: [{ system: 'other', value: '111' }] }));
      await tx.create(patient('p4', 'Adams', { birthDate: '1970-12-31' }));
      await tx.create({ resourceType: 'Practitioner', id: 'gp1', name: [{ family: 'Who' }] } as any);
      await tx.create({ resourceType: 'Practitioner', id: 'gp2', name: [{ family: 'Strange' }] } as any);
      await tx.create({ resourceType: 'Appointment', id: 'a1', status: 'booked', start: '2024-01-02T10:00:00.000Z', participant: [{ actor: { reference: 'Patient/p1' } }] } as any);
      await tx.create({ resourceType: 'Appointment', id: 'a2', status: 'cancelled', start: '2024-01-03T10:00:00.000Z', participant: [{ actor: { reference: 'Patient/p2' } }] } as any);
    });
    await store.transaction((tx) => tx.create(patient('gone', 'Smith')));
    await store.transaction((tx) => tx.delete('Patient', 'gone'));
  });

  it('string prefix, contains and exact; deleted resources never match', async () => {
    assert.deepEqual(ids((await store.search(req({ where: [name('sw', 'sm')] }))).matches), ['Patient/p1', 'Patient/p2']);
    assert.deepEqual(ids((await store.search(req({ where: [name('co', 'ne')] }))).matches), ['Patient/p3']);
    assert.deepEqual(ids((await store.search(req({ where: [name('eq', 'smith')] }))).matches), ['Patient/p1']);
    // Regex metacharacters are literal.
    assert.deepEqual((await store.search(req({ where: [name('sw', '.')] }))).matches, []);
  });

  it('token system|code, in, not, or, and id', async () => {
    const tok = (sys: string, code: string): Cond => ({ k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: sys }, { f: 'code', op: 'eq', v: code }] });
    assert.deepEqual(ids((await store.search(req({ where: [tok('nhs', '111')] }))).matches), ['Patient/p1']);
    const inList: Cond = { k: 'idx', p: 'identifier', tests: [{ f: 'code', op: 'in', v: ['111', '222'] }] };
    assert.deepEqual(ids((await store.search(req({ where: [inList] }))).matches), ['Patient/p1', 'Patient/p2', 'Patient/p3']);
    assert.deepEqual(ids((await store.search(req({ where: [{ k: 'not', of: tok('nhs', '111') }] }))).matches), ['Patient/p2', 'Patient/p3', 'Patient/p4']);
    assert.deepEqual(ids((await store.search(req({ where: [{ k: 'or', of: [tok('nhs', '222'), name('eq', 'adams')] }] }))).matches), ['Patient/p2', 'Patient/p4']);
    assert.deepEqual(ids((await store.search(req({ where: [{ k: 'id', ids: ['p3', 'p4', 'nope'] }] }))).matches), ['Patient/p3', 'Patient/p4']);
    assert.deepEqual((await store.search(req({ where: [{ k: 'idx', p: 'identifier', tests: [{ f: 'code', op: 'in', v: [] }] }] }))).matches, []);
  });

  it('date tests apply to one value (lo and hi of the same period)', async () => {
    const range: Cond = { k: 'idx', p: 'birthdate', tests: [{ f: 'lo', op: 'ge', v: '1975-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '1985-12-31T23:59:59.999Z' }] };
    assert.deepEqual(ids((await store.search(req({ where: [range] }))).matches), ['Patient/p1']);
    const absent: Cond = { k: 'not', of: { k: 'idx', p: 'birthdate', tests: [] } };
    assert.deepEqual(ids((await store.search(req({ where: [absent] }))).matches), ['Patient/p3']);
  });

  it('chain and has, each compiled from a preceding query into an $in', async () => {
    const chain: Cond = { k: 'chain', p: 'general-practitioner', types: ['Practitioner'], where: { k: 'idx', p: 'name', tests: [{ f: 's', op: 'eq', v: 'who' }] } };
    client.log.length = 0;
    assert.deepEqual(ids((await store.search(req({ where: [chain] }))).matches), ['Patient/p1']);
    const finds = client.log.filter((l) => l.op === 'find');
    assert.equal(finds.length, 2, 'one query resolves the chain, one searches');
    assert.deepEqual(finds[1]!.filter, {
      $and: [
        { deleted: { $eq: false } },
        { type: { $eq: 'Patient' } },
        { idx: { $elemMatch: { p: { $eq: 'general-practitioner' }, s: { $in: ['Practitioner/gp1'] } } } },
      ],
    });
    const has: Cond = { k: 'has', type: 'Appointment', p: 'actor', where: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] } };
    assert.deepEqual(ids((await store.search(req({ where: [has] }))).matches), ['Patient/p1']);
    const nested: Cond = { k: 'has', type: 'Appointment', p: 'actor', where: { k: 'chain', p: 'actor', types: ['Patient'], where: chain } };
    assert.deepEqual(ids((await store.search(req({ where: [nested] }))).matches), ['Patient/p1']);
  });

  it('visibility: scopes searched types, chain and has targets; absent types are invisible', async () => {
    const onlyP2: Record<string, Cond> = { Patient: { k: 'id', ids: ['p1', 'p2'] }, Practitioner: { k: 'id', ids: ['gp2'] } };
    assert.deepEqual(ids((await store.search(req({ visibility: onlyP2 }))).matches), ['Patient/p1', 'Patient/p2']);
    // p1's GP (gp1) is hidden, so the chain cannot reach it.
    const chainAny: Cond = { k: 'chain', p: 'general-practitioner', types: ['Practitioner'], where: { k: 'true' } };
    assert.deepEqual(ids((await store.search(req({ where: [chainAny], visibility: onlyP2 }))).matches), ['Patient/p2']);
    // Appointment is absent from the map: invisible to _has and to a system search.
    const hasAny: Cond = { k: 'has', type: 'Appointment', p: 'actor', where: { k: 'true' } };
    assert.deepEqual((await store.search(req({ where: [hasAny], visibility: onlyP2 }))).matches, []);
    const sys = await store.search(req({ types: ['Appointment', 'Patient'], visibility: onlyP2, total: 'accurate' }));
    assert.deepEqual([ids(sys.matches), sys.total], [['Patient/p1', 'Patient/p2'], 2]);
    // Inherited object members are not visibility entries.
    assert.deepEqual((await store.search(req({ types: ['constructor', 'toString'], visibility: {} }))).matches, []);
  });

  it('evaluates rules that refer to each other (what a rule reaches is not filtered) and refuses chains nested too deep (400)', async () => {
    const mutual: Record<string, Cond> = {
      Patient: { k: 'chain', p: 'general-practitioner', types: ['Practitioner'], where: { k: 'true' } },
      Practitioner: { k: 'has', type: 'Patient', p: 'general-practitioner', where: { k: 'true' } },
    };
    const withGp = await store.search(req({ visibility: mutual }));
    const gps = await store.search(req({ where: [{ k: 'chain', p: 'general-practitioner', types: ['Practitioner'], where: { k: 'true' } }] }));
    assert.deepEqual(ids(withGp.matches), ids(gps.matches));
    let deep: Cond = { k: 'true' };
    for (let i = 0; i < 10; i++) deep = { k: 'chain', p: 'general-practitioner', types: ['Patient'], where: deep };
    const err = (await store.search(req({ where: [deep] })).then(() => undefined, (e: unknown) => e)) as { status: number; issues: { code: string }[] };
    assert.deepEqual([err.status, err.issues[0]!.code], [400, 'too-costly']);
  });

  it('sorts by min ascending / max descending, missing last both ways, tie-break type and id', async () => {
    const asc = await store.search(req({ sort: [{ p: 'birthdate', desc: false }] }));
    assert.deepEqual(ids(asc.matches), ['Patient/p4', 'Patient/p1', 'Patient/p2', 'Patient/p3']);
    const desc = await store.search(req({ sort: [{ p: 'birthdate', desc: true }] }));
    assert.deepEqual(ids(desc.matches), ['Patient/p2', 'Patient/p1', 'Patient/p4', 'Patient/p3']);
    const byId = await store.search(req({ sort: [{ p: '_id', desc: true }] }));
    assert.deepEqual(ids(byId.matches), ['Patient/p4', 'Patient/p3', 'Patient/p2', 'Patient/p1']);
    const odd = await store.search(req({ sort: [{ p: '__proto__', desc: false }, { p: 'a.b', desc: true }] }));
    assert.deepEqual(ids(odd.matches), ['Patient/p1', 'Patient/p2', 'Patient/p3', 'Patient/p4']);
  });

  it('keyset pages cover every row once, in order, even with writes between pages', async () => {
    const { store: s } = await openDouble();
    await s.transaction(async (tx) => {
      for (let i = 0; i < 23; i++) await tx.create(patient(`k${String(i).padStart(2, '0')}`, `N${i % 5}`, i % 4 === 0 ? {} : { birthDate: `19${50 + (i % 7)}-01-01` }));
    });
    let live = 23;
    for (const desc of [false, true]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let page = 0;
      do {
        const r = await s.search(req({ sort: [{ p: 'birthdate', desc }, { p: 'name', desc: !desc }], count: 4, ...(cursor ? { cursor } : {}), total: 'accurate' }));
        assert.equal(r.total, live);
        seen.push(...ids(r.matches));
        cursor = r.next;
        // A resource created mid-way sorts before the cursor (1900 ascending is first; descending it
        // has the lowest date) and must not shift what follows.
        if (page++ === 1 && !desc) {
          await s.transaction((tx) => tx.create(patient('early', 'A', { birthDate: '1900-01-01' })));
          live++;
        }
      } while (cursor);
      const all = await s.search(req({ sort: [{ p: 'birthdate', desc }, { p: 'name', desc: !desc }], count: 100 }));
      const expected = ids(all.matches).filter((x) => desc || x !== 'Patient/early');
      assert.deepEqual(seen, expected, `desc=${desc}`);
    }
  });

  it('count=0 returns only the total; totals count the same filter', async () => {
    const r = await store.search(req({ count: 0, total: 'accurate', where: [name('sw', 'sm')] }));
    assert.deepEqual([r.matches.length, r.total, r.next], [0, 2, undefined]);
    const e = await store.search(req({ count: 1, total: 'estimate' }));
    assert.deepEqual([e.matches.length, e.total, typeof e.next], [1, 4, 'string']);
  });

  it('a cursor is bound to its query', async () => {
    const r = await store.search(req({ count: 1, sort: [{ p: 'name', desc: false }] }));
    assert.equal(await statusOf(store.search(req({ count: 1, cursor: r.next! }))), 400);
    assert.equal(await statusOf(store.search(req({ count: 1, sort: [{ p: 'name', desc: false }], cursor: 'not json' }))), 400);
  });

  it('sends one $elemMatch per idx condition, with merged operators on one field', async () => {
    client.log.length = 0;
    const range: Cond = { k: 'idx', p: 'birthdate', tests: [{ f: 'lo', op: 'ge', v: 'a' }, { f: 'lo', op: 'lt', v: 'b' }, { f: 'lo', op: 'ne', v: 'c' }] };
    await store.search(req({ where: [range] }));
    const find = client.log.find((l) => l.op === 'find')!;
    assert.deepEqual(find.filter, {
      $and: [
        { deleted: { $eq: false } },
        { type: { $eq: 'Patient' } },
        { idx: { $elemMatch: { p: { $eq: 'birthdate' }, lo: { $gte: 'a', $lt: 'b', $exists: true, $ne: 'c' } } } },
      ],
    });
    assert.deepEqual(find.options?.sort, { type: 1, id: 1 });
    assert.deepEqual(find.options?.projection, { idx: 0 });
  });
});
