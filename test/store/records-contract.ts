// The RecordStore contract (src/domain/records.ts), run against every store adapter through
// `store.records` only. Run it with `runRecordsContract(name, open)`; `open` must return a fresh,
// empty store each time. Semantics pinned here that the port's comments leave implicit:
//  - a record expires AT its expiresAt: `now === expiresAt` is already gone (get, list, claimOnce);
//  - claimOnce refuses (500) an expiresAt that is not after now: such a claim could never keep a
//    second one out, so it is a caller's bug, not a successful claim;
//  - instants must be canonical (`YYYY-MM-DDTHH:mm:ss.sssZ`), kinds, ids and owners non-empty
//    strings, data a JSON object; anything else is a 500 (server code calls this, never a client);
//  - data comes back as JSON.parse(JSON.stringify(data)), and never shares objects with the caller;
//  - a closed store answers 503;
//  - record writes never join a resource transaction: made from inside one, they fail with 500.
import assert from 'node:assert/strict';
import type { Resource } from '../../src/domain/fhir.js';
import type { StoredRecord } from '../../src/domain/records.js';
import type { Indexer, Store } from '../../src/store/port.js';
import { testIndexer } from './test-indexer.js';

const BASE = Date.parse('2030-06-01T12:00:00.000Z');
/** The instant `ms` milliseconds after a fixed base (negative: before it). */
const at = (ms: number) => new Date(BASE + ms).toISOString();
const NOW = at(0);
const LATER = at(60_000);
const status = (s: number) => (e: { status?: number }) => e.status === s;

export function runRecordsContract(name: string, open: (indexer: Indexer) => Promise<Store>): void {
  describe(`RecordStore contract: ${name}`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async () => {
      store = await open(testIndexer);
    });
    afterEach(async () => {
      await store.close();
    });

    describe('put, get, delete', () => {
      it('round-trips a record, and delete removes it once', async () => {
        const rec: StoredRecord = { kind: 'saml-session', id: 's1', owner: 'user-1', data: { nameId: 'u1', roles: ['R8000'] }, expiresAt: LATER };
        await store.records.put(rec);
        assert.deepEqual(await store.records.get('saml-session', 's1', NOW), rec);
        assert.equal(await store.records.get('saml-session', 's2', NOW), undefined);
        assert.equal(await store.records.get('other-kind', 's1', NOW), undefined);
        assert.equal(await store.records.delete('saml-session', 's1'), true);
        assert.equal(await store.records.get('saml-session', 's1', NOW), undefined);
        assert.equal(await store.records.delete('saml-session', 's1'), false);
      });

      it('put replaces the whole record, owner included', async () => {
        await store.records.put({ kind: 'k', id: 'x', owner: 'alice', data: { v: 1, gone: true }, expiresAt: LATER });
        await store.records.put({ kind: 'k', id: 'x', data: { v: 2 }, expiresAt: at(120_000) });
        assert.deepEqual(await store.records.get('k', 'x', NOW), { kind: 'k', id: 'x', data: { v: 2 }, expiresAt: at(120_000) });
        assert.deepEqual(await store.records.list('k', 'alice', NOW), []);
        await store.records.put({ kind: 'k', id: 'x', owner: 'bob', data: {}, expiresAt: LATER });
        assert.deepEqual((await store.records.list('k', 'bob', NOW)).map((r) => r.id), ['x']);
      });

      it('put can shorten a record’s life, and brings an expired one back', async () => {
        await store.records.put({ kind: 'k', id: 'x', data: {}, expiresAt: LATER });
        await store.records.put({ kind: 'k', id: 'x', data: {}, expiresAt: at(-1) });
        assert.equal(await store.records.get('k', 'x', NOW), undefined);
        await store.records.put({ kind: 'k', id: 'x', data: { back: 1 }, expiresAt: LATER });
        assert.deepEqual((await store.records.get('k', 'x', NOW))?.data, { back: 1 });
      });

      it('shares no objects with the caller in either direction', async () => {
        const data = { nested: { list: [1, 2] } };
        await store.records.put({ kind: 'k', id: 'x', data, expiresAt: LATER });
        data.nested.list.push(3);
        const got = (await store.records.get('k', 'x', NOW))!;
        assert.deepEqual(got.data, { nested: { list: [1, 2] } });
        (got.data.nested as { list: number[] }).list.push(4);
        assert.deepEqual((await store.records.get('k', 'x', NOW))!.data, { nested: { list: [1, 2] } });
      });

      it('round-trips nested JSON data exactly, including keys MongoDB would treat specially', async () => {
        const data = {
          nested: { deep: [1, 'two', { three: null, four: true, five: -0.5, six: 1e21 }], empty: {}, none: [] },
          '$where': 'sleep(1000)',
          '$set': { a: 1 },
          'dotted.key': 'x',
          '': 'empty key',
          text: 'é 😀 \u2028 \'quote\' "double" \\ back',
          big: 9007199254740991,
        };
        await store.records.put({ kind: 'k', id: 'x', owner: 'o', data, expiresAt: LATER });
        assert.deepEqual((await store.records.get('k', 'x', NOW))!.data, data);
        assert.deepEqual((await store.records.list('k', 'o', NOW))[0]!.data, data);
      });

      it('keeps only what JSON keeps (undefined members dropped)', async () => {
        await store.records.put({ kind: 'k', id: 'x', data: { keep: 1, drop: undefined, list: [undefined] }, expiresAt: LATER });
        assert.deepEqual((await store.records.get('k', 'x', NOW))!.data, { keep: 1, list: [null] });
      });
    });

    describe('expiry', () => {
      it('a record is there before its expiresAt and gone at it', async () => {
        const exp = at(5_000);
        await store.records.put({ kind: 'k', id: 'x', owner: 'o', data: {}, expiresAt: exp });
        assert.ok(await store.records.get('k', 'x', at(4_999)));
        assert.equal((await store.records.list('k', 'o', at(4_999))).length, 1);
        assert.equal(await store.records.get('k', 'x', exp), undefined);
        assert.deepEqual(await store.records.list('k', 'o', exp), []);
        assert.equal(await store.records.get('k', 'x', at(5_001)), undefined);
        // Expired is not deleted: an earlier `now` still sees it until something removes it.
        assert.ok(await store.records.get('k', 'x', at(4_999)));
        assert.equal(await store.records.delete('k', 'x'), true, 'delete reports an expired record as there');
      });

      it('purgeExpired removes and counts exactly the records expired at or before now', async () => {
        await store.records.put({ kind: 'a', id: 'old', data: {}, expiresAt: at(-60_000) });
        await store.records.put({ kind: 'b', id: 'old', owner: 'o', data: {}, expiresAt: at(-1) });
        await store.records.put({ kind: 'a', id: 'boundary', data: {}, expiresAt: NOW });
        await store.records.put({ kind: 'a', id: 'alive', data: {}, expiresAt: at(1) });
        await store.records.put({ kind: 'b', id: 'alive', owner: 'o', data: {}, expiresAt: LATER });
        assert.ok(await store.records.claimOnce('c', 'claimed', at(-1), at(-2)));
        assert.equal(await store.records.purgeExpired(NOW), 4);
        // Gone for every `now`, not just hidden.
        assert.equal(await store.records.get('a', 'old', at(-120_000)), undefined);
        assert.equal(await store.records.get('a', 'boundary', at(-1)), undefined);
        assert.equal(await store.records.delete('b', 'old'), false);
        assert.ok(await store.records.get('a', 'alive', NOW));
        assert.ok(await store.records.get('b', 'alive', NOW));
        assert.equal(await store.records.purgeExpired(NOW), 0);
        assert.equal(await store.records.purgeExpired(LATER), 2);
      });
    });

    describe('list', () => {
      it('lists the unexpired records of one kind and owner only', async () => {
        const put = (kind: string, id: string, owner: string | undefined, expiresAt = LATER) =>
          store.records.put({ kind, id, ...(owner === undefined ? {} : { owner }), data: { id }, expiresAt });
        await put('claim', 'c1', 'alice');
        await put('claim', 'c2', 'alice');
        await put('claim', 'c3', 'bob');
        await put('claim', 'c4', undefined);
        await put('claim', 'c5', 'alice', at(-1));
        await put('claim', 'c6', 'alice', NOW);
        await put('session', 's1', 'alice');
        await put('claim', 'c7', 'Alice');
        const ids = (await store.records.list('claim', 'alice', NOW)).map((r) => r.id).sort();
        assert.deepEqual(ids, ['c1', 'c2']);
        const one = (await store.records.list('claim', 'bob', NOW));
        assert.deepEqual(one, [{ kind: 'claim', id: 'c3', owner: 'bob', data: { id: 'c3' }, expiresAt: LATER }]);
        assert.deepEqual(await store.records.list('claim', 'nobody', NOW), []);
        assert.deepEqual((await store.records.list('session', 'alice', NOW)).map((r) => r.id), ['s1']);
      });
    });

    describe('claimOnce', () => {
      it('answers true for the first claim and false while it lasts', async () => {
        assert.equal(await store.records.claimOnce('client-jti', 'j1', LATER, NOW), true);
        assert.equal(await store.records.claimOnce('client-jti', 'j1', LATER, NOW), false);
        assert.equal(await store.records.claimOnce('client-jti', 'j1', at(120_000), at(59_999)), false);
        // Other ids and other kinds are independent.
        assert.equal(await store.records.claimOnce('client-jti', 'j2', LATER, NOW), true);
        assert.equal(await store.records.claimOnce('saml-assertion', 'j1', LATER, NOW), true);
        // The claim is a record like any other.
        assert.equal((await store.records.get('client-jti', 'j1', NOW))?.expiresAt, LATER);
      });

      it('a false claim changes nothing', async () => {
        await store.records.put({ kind: 'k', id: 'x', owner: 'o', data: { keep: 'me' }, expiresAt: LATER });
        assert.equal(await store.records.claimOnce('k', 'x', at(999_999), NOW), false);
        assert.deepEqual(await store.records.get('k', 'x', NOW), { kind: 'k', id: 'x', owner: 'o', data: { keep: 'me' }, expiresAt: LATER });
      });

      it('succeeds again once the earlier claim has expired (at its expiresAt exactly)', async () => {
        assert.equal(await store.records.claimOnce('k', 'x', LATER, NOW), true);
        assert.equal(await store.records.claimOnce('k', 'x', at(90_000), at(59_999)), false);
        assert.equal(await store.records.claimOnce('k', 'x', at(90_000), LATER), true);
        assert.equal(await store.records.claimOnce('k', 'x', at(120_000), at(60_001)), false, 'the new claim holds');
        assert.equal((await store.records.get('k', 'x', LATER))?.expiresAt, at(90_000));
      });

      it('takes over an expired record written by put', async () => {
        await store.records.put({ kind: 'k', id: 'x', owner: 'o', data: { old: true }, expiresAt: NOW });
        assert.equal(await store.records.claimOnce('k', 'x', LATER, NOW), true);
        assert.deepEqual(await store.records.list('k', 'o', NOW), []);
      });

      it('of 25 concurrent claims of one id, exactly one wins', async () => {
        const results = await Promise.all(Array.from({ length: 25 }, () => store.records.claimOnce('saml-assertion', 'a1', LATER, NOW)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('of 25 concurrent claims of one expired id, exactly one wins', async () => {
        await store.records.claimOnce('saml-assertion', 'a1', NOW, at(-1));
        const results = await Promise.all(Array.from({ length: 25 }, () => store.records.claimOnce('saml-assertion', 'a1', LATER, NOW)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('concurrent claims of different ids all win', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.records.claimOnce('k', `id-${i}`, LATER, NOW)));
        assert.deepEqual(results, Array(20).fill(true));
      });

      it('refuses a claim that would already have expired', async () => {
        await assert.rejects(store.records.claimOnce('k', 'x', NOW, NOW), status(500));
        await assert.rejects(store.records.claimOnce('k', 'x', at(-1), NOW), status(500));
        assert.equal(await store.records.claimOnce('k', 'x', at(1), NOW), true, 'and nothing was recorded');
      });
    });

    describe('keys', () => {
      it('(kind, id) pairs with separators and quotes inside do not collide', async () => {
        const pairs: Array<[string, string]> = [
          ['a|b', 'c'], ['a', 'b|c'], ['a/b', 'c'], ['a', 'b/c'], ['a', 'b'], ['a,b', 'c'], ['a', 'b,c'],
          ['a"', '"b'], ['a', '","b'], ['a","', 'b'], ["o'brien", 'x'], ["o'", "brien'x"], ['[', ']'], ['["a"', '"b"]'],
          ['k\\', 'x'], ['k', '\\x'], ['k', 'x '], ['k', ' x'], ['ü', 'x'], ['u\u0308', 'x'], ['k', '😀'], ['k', '\uFFFD'], ['k', 'x\n'],
        ];
        for (const [i, [kind, id]] of pairs.entries()) {
          await store.records.put({ kind, id, owner: `${kind}:owner`, data: { i }, expiresAt: LATER });
        }
        for (const [i, [kind, id]] of pairs.entries()) {
          const got = await store.records.get(kind, id, NOW);
          assert.deepEqual([got?.kind, got?.id, got?.data], [kind, id, { i }], `${JSON.stringify([kind, id])}`);
        }
        // Claims respect the same boundaries.
        assert.equal(await store.records.claimOnce('a|b', 'c', LATER, NOW), false);
        assert.equal(await store.records.claimOnce('a|b|c', '', LATER, NOW).catch(() => 'refused'), 'refused');
        assert.equal(await store.records.claimOnce('a', 'b|c|d', LATER, NOW), true);
        assert.equal(await store.records.delete('a', 'b|c'), true);
        assert.ok(await store.records.get('a|b', 'c', NOW), 'the look-alike is untouched');
      });

      it('ids that look like query operators are only data', async () => {
        for (const id of ['{"$gt":""}', '$where', '.*', '%', '_']) {
          assert.equal(await store.records.claimOnce('k', id, LATER, NOW), true, id);
        }
        await store.records.put({ kind: 'k', id: 'plain', owner: '%', data: {}, expiresAt: LATER });
        await store.records.put({ kind: 'k', id: 'other', owner: 'x', data: {}, expiresAt: LATER });
        assert.deepEqual((await store.records.list('k', '%', NOW)).map((r) => r.id), ['plain']);
        assert.equal(await store.records.get('k', '.*', NOW).then((r) => r?.id), '.*');
        assert.equal(await store.records.get('k', 'pl%', NOW), undefined);
      });
    });

    describe('arguments and lifecycle', () => {
      it('refuses malformed arguments with a 500 and stores nothing', async () => {
        const bad: Array<[string, () => Promise<unknown>]> = [
          ['instant without ms', () => store.records.get('k', 'x', '2030-06-01T12:00:00Z')],
          ['offset instant', () => store.records.list('k', 'o', '2030-06-01T12:00:00.000+01:00')],
          ['date only', () => store.records.purgeExpired('2030-06-01')],
          ['put expiry', () => store.records.put({ kind: 'k', id: 'x', data: {}, expiresAt: 'tomorrow' })],
          ['claim expiry', () => store.records.claimOnce('k', 'x', '2031', NOW)],
          ['empty kind', () => store.records.put({ kind: '', id: 'x', data: {}, expiresAt: LATER })],
          ['empty id', () => store.records.get('k', '', NOW)],
          ['object id', () => store.records.get('k', { $ne: null } as unknown as string, NOW)],
          ['object kind', () => store.records.delete({ $gt: '' } as unknown as string, 'x')],
          ['object owner', () => store.records.list('k', { $ne: 'x' } as unknown as string, NOW)],
          ['empty owner', () => store.records.put({ kind: 'k', id: 'x', owner: '', data: {}, expiresAt: LATER })],
          ['array data', () => store.records.put({ kind: 'k', id: 'x', data: [] as unknown as Record<string, unknown>, expiresAt: LATER })],
          ['null data', () => store.records.put({ kind: 'k', id: 'x', data: null as unknown as Record<string, unknown>, expiresAt: LATER })],
          ['cyclic data', () => { const d: Record<string, unknown> = {}; d.self = d; return store.records.put({ kind: 'k', id: 'x', data: d, expiresAt: LATER }); }],
        ];
        for (const [what, call] of bad) await assert.rejects(call(), status(500), what);
        assert.equal(await store.records.delete('k', 'x'), false);
      });

      it('a record write inside a store transaction fails with 500 (no deadlock, nothing written); reads work there', async () => {
        await store.records.put({ kind: 'k', id: 'x', data: { v: 1 }, expiresAt: LATER });
        const seen = await store.transaction(async (tx) => {
          await tx.create({ resourceType: 'Patient', id: 'p1' } as Resource);
          const writes: Array<[string, () => Promise<unknown>]> = [
            ['put', () => store.records.put({ kind: 'k', id: 'y', data: {}, expiresAt: LATER })],
            ['claimOnce', () => store.records.claimOnce('k', 'z', LATER, NOW)],
            ['delete', () => store.records.delete('k', 'x')],
            ['purgeExpired', () => store.records.purgeExpired(at(999_999))],
          ];
          for (const [what, write] of writes) await assert.rejects(write(), status(500), what);
          return store.records.get('k', 'x', NOW);
        });
        assert.deepEqual(seen?.data, { v: 1 });
        assert.ok(await store.read('Patient', 'p1'), 'the transaction went on and committed');
        assert.equal(await store.records.get('k', 'y', NOW), undefined);
        assert.ok(await store.records.get('k', 'x', NOW));
        // Outside the transaction's async context the same calls work.
        assert.equal(await store.records.claimOnce('k', 'z', LATER, NOW), true);
      });

      it('records are not resources: history and search do not see them', async () => {
        await store.records.put({ kind: 'Patient', id: 'p1', data: { resourceType: 'Patient', id: 'p1' }, expiresAt: LATER });
        assert.equal(await store.read('Patient', 'p1'), undefined);
        assert.equal((await store.history({ count: 10 })).total, 0);
      });

      it('a closed store answers 503', async () => {
        await store.records.put({ kind: 'k', id: 'x', owner: 'o', data: {}, expiresAt: LATER });
        await store.close();
        await assert.rejects(store.records.get('k', 'x', NOW), status(503));
        await assert.rejects(store.records.list('k', 'o', NOW), status(503));
        await assert.rejects(store.records.put({ kind: 'k', id: 'y', data: {}, expiresAt: LATER }), status(503));
        await assert.rejects(store.records.claimOnce('k', 'z', LATER, NOW), status(503));
        await assert.rejects(store.records.delete('k', 'x'), status(503));
        await assert.rejects(store.records.purgeExpired(NOW), status(503));
      });
    });
  });
}
