// The Store contract: what every adapter of src/store/port.ts must do, tested only through the port.
// Run it with `runStoreContract(name, open)`; `open` must return a fresh, empty store each time.
// Semantics pinned here that the port's comments leave implicit:
//  - default order (and every tie) is resource type, then id; parameter sort keys use the minimum
//    (ascending) or maximum (descending) sortable value of the resource, missing values last;
//  - FieldTest comparisons (ne included) are false when the field is absent; all tests of one idx
//    condition must hold on the same index value; strings compare in code point (UTF-8 byte) order;
//  - a deletion version carries the last live content with the deletion's meta;
//  - ifMatch is compared with the newest version, deletion markers included; nothing stored → 412.
import assert from 'node:assert/strict';
import type { Resource } from '../../src/domain/fhir.js';
import type { Cond, FieldTest, SearchRequest, SortKey } from '../../src/domain/search-types.js';
import type { Indexer, SearchResult, Store, StoredVersion, StoreWriter } from '../../src/store/port.js';
import { testIndexer } from './test-indexer.js';

type R = Record<string, any>;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---- condition shorthands ------------------------------------------------------------------------
const T: Cond = { k: 'true' };
const F: Cond = { k: 'false' };
const idx = (p: string, ...tests: FieldTest[]): Cond => ({ k: 'idx', p, tests });
const code = (v: string): FieldTest => ({ f: 'code', op: 'eq', v });
const sEq = (v: string): FieldTest => ({ f: 's', op: 'eq', v });
const and = (...of: Cond[]): Cond => ({ k: 'and', of });
const or = (...of: Cond[]): Cond => ({ k: 'or', of });
const not = (of: Cond): Cond => ({ k: 'not', of });
const ids = (...list: string[]): Cond => ({ k: 'id', ids: list });
const chain = (p: string, types: string[], where: Cond): Cond => ({ k: 'chain', p, types, where });
const has = (type: string, p: string, where: Cond): Cond => ({ k: 'has', type, p, where });
const status = (v: string) => idx('status', code(v));

function req(types: string | string[], where: Cond[] = [], extra: Partial<SearchRequest> = {}): SearchRequest {
  return { types: Array.isArray(types) ? types : [types], where, sort: [], count: 100, total: 'accurate', ...extra };
}
const asc = (p: string): SortKey => ({ p, desc: false });
const desc = (p: string): SortKey => ({ p, desc: true });

// ---- fixtures ----------------------------------------------------------------------------------
function slot(id: string, o: { status?: string; start?: string; schedule?: string; comment?: string; serviceType?: R[] } = {}): Resource {
  const r: R = { resourceType: 'Slot', id, status: o.status ?? 'free' };
  if (o.schedule) r.schedule = { reference: o.schedule };
  if (o.start) {
    r.start = o.start;
    r.end = new Date(Date.parse(o.start) + 15 * 60_000).toISOString();
  }
  if (o.comment !== undefined) r.comment = o.comment;
  if (o.serviceType) r.serviceType = o.serviceType;
  return r as Resource;
}
const practitioner = (id: string, family: string, given: string, gmc: string): Resource =>
  ({ resourceType: 'Practitioner', id, name: [{ family, given: [given] }], identifier: [{ system: 'urn:gmc', value: gmc }] }) as Resource;
const schedule = (id: string, ...actors: string[]): Resource =>
  ({ resourceType: 'Schedule', id, actor: actors.map((reference) => ({ reference })) }) as Resource;
const appointment = (id: string, st: string, actors: string[], o: { start?: string; priority?: number; minutesDuration?: number } = {}): Resource =>
  ({ resourceType: 'Appointment', id, status: st, participant: actors.map((reference) => ({ actor: { reference }, status: 'accepted' })), ...o }) as Resource;

/**
 * The search data set. Slots s1..s7 (s7 has no schedule and no start), three schedules (sch3's
 * practitioner p3 is deleted), two patients, three appointments.
 */
async function seed(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.create(practitioner('p1', 'Smith', 'Alice', '111'));
    await tx.create(practitioner('p2', 'Jones', 'Bob', '222'));
    await tx.create(practitioner('p3', 'Carol', 'Carol', '333'));
    await tx.create({ resourceType: 'Patient', id: 'pat1', name: [{ family: 'Zola', given: ['Émile'] }], birthDate: '1980-05-17',
      identifier: [{ system: 'urn:nhs', value: '9000000001' }, { system: 'urn:mrn', value: 'A1' }] } as Resource);
    await tx.create({ resourceType: 'Patient', id: 'pat2', name: [{ family: 'Curie', given: ['Marie'] }], birthDate: '1967-11-07',
      identifier: [{ system: 'urn:nhs', value: '9000000002' }] } as Resource);
    await tx.create({ ...schedule('sch1', 'Practitioner/p1', 'HealthcareService/hs1'), planningHorizon: { start: '2024-01-01', end: '2024-12-31' } } as Resource);
    await tx.create(schedule('sch2', 'Practitioner/p2'));
    await tx.create(schedule('sch3', 'Practitioner/p3'));
    await tx.create(slot('s1', { schedule: 'Schedule/sch1', start: '2024-03-01T09:00:00.000Z', comment: 'Morning clinic',
      serviceType: [{ coding: [{ system: 'urn:st', code: 'gp' }], text: 'General practice' }] }));
    await tx.create(slot('s2', { schedule: 'Schedule/sch1', status: 'busy', start: '2024-03-01T10:00:00.000Z', comment: '50% off_peak' }));
    await tx.create(slot('s3', { schedule: 'Schedule/sch1', start: '2024-03-02T09:00:00.000Z' }));
    await tx.create(slot('s4', { schedule: 'Schedule/sch2', start: '2024-03-01T09:00:00.000Z', comment: 'Évening',
      serviceType: [{ coding: [{ system: 'urn:st', code: 'physio' }] }] }));
    await tx.create(slot('s5', { schedule: 'Schedule/sch2', status: 'busy-unavailable', start: '2024-03-03T09:00:00.000Z' }));
    await tx.create(slot('s6', { schedule: 'Schedule/sch3', start: '2024-03-04T09:00:00.000Z' }));
    await tx.create(slot('s7'));
    await tx.create(appointment('a1', 'booked', ['Patient/pat1', 'Practitioner/p1'], { start: '2024-03-01T09:00:00.000Z', priority: 5, minutesDuration: 15 }));
    await tx.create(appointment('a2', 'cancelled', ['Patient/pat2', 'Practitioner/p2'], { start: '2024-03-02T09:00:00.000Z', priority: 1, minutesDuration: 30 }));
    await tx.create(appointment('a3', 'booked', ['Patient/pat1', 'Practitioner/p2']));
  });
  await store.transaction((tx) => tx.delete('Practitioner', 'p3'));
}

// ---- helpers -----------------------------------------------------------------------------------
async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { status?: number }).status ?? -1;
  }
  return undefined;
}

const keyOf = (m: StoredVersion) => `${m.resourceType}/${m.id}`;
const idsOf = (r: SearchResult) => r.matches.map((m) => m.id);

async function found(store: Store | StoreWriter, r: SearchRequest): Promise<string[]> {
  return idsOf(await store.search(r));
}

/** Every page of a search, following cursors. */
async function allPages(store: Store, r: SearchRequest, between?: (page: number) => Promise<void>): Promise<SearchResult[]> {
  const pages: SearchResult[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await store.search({ ...r, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page);
    if (!page.next) return pages;
    cursor = page.next;
    if (between) await between(i);
  }
  throw new Error('paging did not end');
}

function create(store: Store, ...resources: Resource[]): Promise<StoredVersion[]> {
  return store.transaction(async (tx) => {
    const out: StoredVersion[] = [];
    for (const r of resources) out.push(await tx.create(r));
    return out;
  });
}

const tick = () => new Promise((r) => setTimeout(r, 3));

const patient = (id: string, family = 'Doe'): Resource => ({ resourceType: 'Patient', id, name: [{ family }] }) as Resource;

export function runStoreContract(name: string, open: (indexer: Indexer) => Promise<Store>): void {
  describe(`Store contract: ${name}`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async () => {
      store = await open(testIndexer);
    });
    afterEach(async () => {
      await store.close();
    });

    describe('create, read, vread, update, delete', () => {
      it('create stores version 1 with meta set and leaves the input untouched', async () => {
        const input = patient('x1', 'Smith');
        const v = await store.transaction((tx) => tx.create(input));
        assert.equal(v.resourceType, 'Patient');
        assert.equal(v.id, 'x1');
        assert.equal(v.versionId, 1);
        assert.equal(v.deleted, false);
        assert.match(v.lastUpdated, INSTANT);
        assert.equal(v.resource.meta?.versionId, '1');
        assert.equal(v.resource.meta?.lastUpdated, v.lastUpdated);
        assert.equal(input.meta, undefined);
        const read = await store.read('Patient', 'x1');
        assert.deepEqual(read, v);
        assert.deepEqual((read!.resource as R).name, [{ family: 'Smith' }]);
      });

      it('keeps other meta elements', async () => {
        const input = { ...patient('x1'), meta: { security: [{ system: 'urn:s', code: 'R' }], versionId: '99' } } as Resource;
        const v = await store.transaction((tx) => tx.create(input));
        assert.deepEqual(v.resource.meta?.security, [{ system: 'urn:s', code: 'R' }]);
        assert.equal(v.resource.meta?.versionId, '1');
      });

      it('read and vread of unknown resources and versions are undefined', async () => {
        await create(store, patient('x1'));
        assert.equal(await store.read('Patient', 'nope'), undefined);
        assert.equal(await store.read('Practitioner', 'x1'), undefined);
        assert.equal(await store.vread('Patient', 'x1', 2), undefined);
        assert.equal(await store.vread('Patient', 'nope', 1), undefined);
      });

      it('create without an id is a 400 and with an existing id a 409, even after delete', async () => {
        assert.equal(await statusOf(store.transaction((tx) => tx.create({ resourceType: 'Patient' } as Resource))), 400);
        await create(store, patient('x1'));
        assert.equal(await statusOf(store.transaction((tx) => tx.create(patient('x1')))), 409);
        await store.transaction((tx) => tx.delete('Patient', 'x1'));
        assert.equal(await statusOf(store.transaction((tx) => tx.create(patient('x1')))), 409);
        assert.equal((await store.read('Patient', 'x1'))!.versionId, 2);
      });

      it('the same id under another type is another resource', async () => {
        await create(store, patient('same'), practitioner('same', 'A', 'B', '1'));
        assert.equal((await store.read('Patient', 'same'))!.resourceType, 'Patient');
        assert.equal((await store.read('Practitioner', 'same'))!.resourceType, 'Practitioner');
      });

      it('update makes the next version and keeps the old one readable', async () => {
        await create(store, patient('x1', 'Old'));
        const { version, created } = await store.transaction((tx) => tx.update(patient('x1', 'New')));
        assert.equal(created, false);
        assert.equal(version.versionId, 2);
        assert.equal(version.resource.meta?.versionId, '2');
        assert.equal(((await store.read('Patient', 'x1'))!.resource as R).name[0].family, 'New');
        const v1 = await store.vread('Patient', 'x1', 1);
        assert.equal((v1!.resource as R).name[0].family, 'Old');
        assert.equal(v1!.resource.meta?.versionId, '1');
        assert.equal((await store.vread('Patient', 'x1', 2))!.lastUpdated, version.lastUpdated);
      });

      it('update of an unknown resource creates version 1', async () => {
        const { version, created } = await store.transaction((tx) => tx.update(patient('new')));
        assert.equal(created, true);
        assert.equal(version.versionId, 1);
      });

      it('ifMatch: a stale or unknown version is a 412 and changes nothing', async () => {
        await create(store, patient('x1'));
        await store.transaction((tx) => tx.update(patient('x1', 'B')));
        assert.equal(await statusOf(store.transaction((tx) => tx.update(patient('x1', 'C'), { ifMatch: 1 }))), 412);
        assert.equal(await statusOf(store.transaction((tx) => tx.delete('Patient', 'x1', { ifMatch: 1 }))), 412);
        assert.equal(await statusOf(store.transaction((tx) => tx.update(patient('nope'), { ifMatch: 1 }))), 412);
        assert.equal(await statusOf(store.transaction((tx) => tx.delete('Patient', 'nope', { ifMatch: 1 }))), 412);
        assert.equal((await store.read('Patient', 'x1'))!.versionId, 2);
        const ok = await store.transaction((tx) => tx.update(patient('x1', 'C'), { ifMatch: 2 }));
        assert.equal(ok.version.versionId, 3);
        const del = await store.transaction((tx) => tx.delete('Patient', 'x1', { ifMatch: 3 }));
        assert.equal(del!.versionId, 4);
      });

      it('delete keeps history; read returns the deletion; update afterwards re-creates', async () => {
        await create(store, patient('x1', 'Gone'));
        const del = await store.transaction((tx) => tx.delete('Patient', 'x1'));
        assert.ok(del);
        assert.equal(del.deleted, true);
        assert.equal(del.versionId, 2);
        assert.equal((del.resource as R).name[0].family, 'Gone');
        assert.equal(del.resource.meta?.versionId, '2');
        assert.equal(del.resource.meta?.lastUpdated, del.lastUpdated);
        const read = await store.read('Patient', 'x1');
        assert.equal(read!.deleted, true);
        assert.equal(read!.versionId, 2);
        assert.equal((await store.vread('Patient', 'x1', 1))!.deleted, false);
        assert.equal((await store.vread('Patient', 'x1', 2))!.deleted, true);
        assert.equal(await store.transaction((tx) => tx.delete('Patient', 'x1')), undefined);
        assert.equal(await store.transaction((tx) => tx.delete('Patient', 'never')), undefined);
        assert.deepEqual(await found(store, req('Patient')), []);
        const again = await store.transaction((tx) => tx.update(patient('x1', 'Back')));
        assert.equal(again.created, true);
        assert.equal(again.version.versionId, 3);
        assert.equal(again.version.deleted, false);
        assert.deepEqual(await found(store, req('Patient')), ['x1']);
      });

      it('ifMatch may name the deletion version when re-creating', async () => {
        await create(store, patient('x1'));
        await store.transaction((tx) => tx.delete('Patient', 'x1'));
        assert.equal(await statusOf(store.transaction((tx) => tx.update(patient('x1'), { ifMatch: 1 }))), 412);
        const r = await store.transaction((tx) => tx.update(patient('x1'), { ifMatch: 2 }));
        assert.deepEqual([r.created, r.version.versionId], [true, 3]);
      });

      it('versionIds count up and lastUpdated strictly increases per resource, also within one millisecond', async () => {
        const versions = await store.transaction(async (tx) => {
          const out = [await tx.create(patient('x1'))];
          for (let i = 0; i < 6; i++) out.push((await tx.update(patient('x1', `N${i}`))).version);
          out.push((await tx.delete('Patient', 'x1'))!);
          out.push((await tx.update(patient('x1'))).version);
          return out;
        });
        assert.deepEqual(versions.map((v) => v.versionId), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (let i = 1; i < versions.length; i++) {
          assert.match(versions[i]!.lastUpdated, INSTANT);
          assert.ok(versions[i]!.lastUpdated > versions[i - 1]!.lastUpdated, `${versions[i]!.lastUpdated} > ${versions[i - 1]!.lastUpdated}`);
          assert.equal(versions[i]!.resource.meta?.versionId, String(versions[i]!.versionId));
        }
      });

      it('results are copies: mutating one does not change the store', async () => {
        const v = await store.transaction((tx) => tx.create(patient('x1', 'Kept')));
        (v.resource as R).name[0].family = 'Changed';
        const read = await store.read('Patient', 'x1');
        assert.equal((read!.resource as R).name[0].family, 'Kept');
        (read!.resource as R).name[0].family = 'Changed';
        assert.equal(((await store.read('Patient', 'x1'))!.resource as R).name[0].family, 'Kept');
        const hit = (await store.search(req('Patient'))).matches[0]!;
        (hit.resource as R).name = [];
        assert.equal(((await store.read('Patient', 'x1'))!.resource as R).name[0].family, 'Kept');
      });

      it('ping answers and capabilities name the engine', async () => {
        await store.ping();
        assert.ok(['sqlite', 'mongodb'].includes(store.capabilities.engine));
        assert.equal(typeof store.capabilities.atomicTransactions, 'boolean');
      });
    });

    describe('history', () => {
      // Pauses keep the transactions' stamps apart, so "newest first" needs no tie rule here.
      async function build(): Promise<void> {
        await create(store, patient('h1', 'A'), patient('h2', 'B'));
        await tick();
        await create(store, practitioner('pr1', 'X', 'Y', '1'));
        await tick();
        await store.transaction((tx) => tx.update(patient('h1', 'A2')));
        await tick();
        await store.transaction((tx) => tx.update(practitioner('pr1', 'X2', 'Y', '1')));
        await tick();
        await store.transaction((tx) => tx.delete('Patient', 'h1'));
        await tick();
        await store.transaction((tx) => tx.update(patient('h2', 'B2')));
      }

      function assertNewestFirst(list: StoredVersion[]): void {
        for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.lastUpdated >= list[i]!.lastUpdated, 'newest first');
      }

      it('instance history is newest first and includes the deletion', async () => {
        await build();
        const h = await store.history({ type: 'Patient', id: 'h1', count: 10 });
        assert.deepEqual(h.versions.map((v) => v.versionId), [3, 2, 1]);
        assert.deepEqual(h.versions.map((v) => v.deleted), [true, false, false]);
        assert.equal(h.total, 3);
        assert.equal(h.next, undefined);
        for (let i = 1; i < h.versions.length; i++) assert.ok(h.versions[i - 1]!.lastUpdated > h.versions[i]!.lastUpdated);
        assert.deepEqual(await store.history({ type: 'Patient', id: 'nope', count: 10 }), { versions: [], total: 0 });
      });

      it('type and system history cover their scope, newest first', async () => {
        await build();
        const type = await store.history({ type: 'Patient', count: 100 });
        assert.equal(type.total, 5);
        assert.equal(type.versions.length, 5);
        assert.ok(type.versions.every((v) => v.resourceType === 'Patient'));
        assertNewestFirst(type.versions);
        assert.deepEqual(type.versions.slice(0, 2).map((v) => `${v.id}/${v.versionId}`), ['h2/2', 'h1/3']);
        const sys = await store.history({ count: 100 });
        assert.equal(sys.total, 7);
        assertNewestFirst(sys.versions);
        assert.deepEqual(new Set(sys.versions.map((v) => `${keyOf(v)}/${v.versionId}`)).size, 7);
        const other = await store.history({ type: 'Practitioner', count: 100 });
        assert.deepEqual(other.versions.map((v) => v.versionId), [2, 1]);
      });

      it('since keeps versions at or after the instant', async () => {
        await build();
        const all = (await store.history({ count: 100 })).versions;
        for (const pivot of [all[0]!, all[3]!, all[all.length - 1]!]) {
          const since = pivot.lastUpdated;
          const expected = all.filter((v) => v.lastUpdated >= since).map((v) => `${keyOf(v)}/${v.versionId}`);
          const got = await store.history({ since, count: 100 });
          assert.deepEqual(got.versions.map((v) => `${keyOf(v)}/${v.versionId}`), expected);
          assert.equal(got.total, expected.length);
          const typed = await store.history({ type: 'Patient', since, count: 100 });
          assert.deepEqual(typed.versions.map((v) => `${keyOf(v)}/${v.versionId}`), expected.filter((k) => k.startsWith('Patient/')));
        }
        const future = new Date(Date.now() + 86_400_000).toISOString();
        assert.deepEqual(await store.history({ since: future, count: 10 }), { versions: [], total: 0 });
      });

      it('pages with a cursor; new versions between pages neither repeat nor displace older ones', async () => {
        await build();
        const all = (await store.history({ count: 100 })).versions.map((v) => `${keyOf(v)}/${v.versionId}`);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.history({ count: 2, ...(cursor ? { cursor } : {}) });
          assert.equal(page.total, 7 + pages);
          assert.ok(page.versions.length <= 2);
          seen.push(...page.versions.map((v) => `${keyOf(v)}/${v.versionId}`));
          cursor = page.next;
          pages++;
          await tick();
          await create(store, patient(`late${pages}`));
        } while (cursor);
        assert.deepEqual(seen, all);
      });

      it('count 0 gives only the total; a foreign cursor is a 400', async () => {
        await build();
        assert.deepEqual(await store.history({ type: 'Patient', count: 0 }), { versions: [], total: 5 });
        assert.equal(await statusOf(store.history({ count: 2, cursor: 'not-a-cursor' })), 400);
        const searchCursor = (await store.search(req(['Patient', 'Practitioner'], [], { count: 1, total: 'none' }))).next!;
        assert.ok(searchCursor);
        assert.equal(await statusOf(store.history({ count: 2, cursor: searchCursor })), 400);
      });
    });

    describe('transactions', () => {
      it('commit makes all writes visible and returns fn’s result', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.create(patient('t1'));
          await tx.create(patient('t2'));
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual(await found(store, req('Patient')), ['t1', 't2']);
      });

      it('a throw after three writes leaves nothing behind', async () => {
        await create(store, patient('keep', 'Before'));
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.create(patient('t1'));
            await tx.update(patient('keep', 'After'));
            await tx.delete('Patient', 'keep');
            throw boom;
          }),
          (e) => e === boom,
        );
        assert.equal(await store.read('Patient', 't1'), undefined);
        const keep = await store.read('Patient', 'keep');
        assert.deepEqual([keep!.versionId, keep!.deleted, (keep!.resource as R).name[0].family], [1, false, 'Before']);
        assert.deepEqual(await found(store, req('Patient')), ['keep']);
        assert.equal((await store.history({ count: 10 })).total, 1);
        assert.deepEqual(await found(store, req('Patient', [idx('name', sEq('after'))])), []);
      });

      it('index values of a rolled-back transaction do not linger or confuse later writes', async () => {
        await assert.rejects(store.transaction(async (tx) => {
          await tx.create(slot('r1', { comment: 'ghost', schedule: 'Schedule/x' }));
          throw new Error('abort');
        }));
        await create(store, slot('r2', { comment: 'real' }), schedule('x'));
        assert.deepEqual(await found(store, req('Slot', [idx('comment')])), ['r2']);
        assert.deepEqual(await found(store, req('Slot', [idx('comment', sEq('real'))])), ['r2']);
        assert.deepEqual(await found(store, req('Slot', [idx('schedule')])), []);
        assert.deepEqual(await found(store, req('Schedule')), ['x']);
      });

      it('reads inside see the transaction’s writes; reads outside see them only after commit', async () => {
        await create(store, patient('old', 'Old'));
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inside!: () => void;
        const reachedInside = new Promise<void>((r) => (inside = r));
        const tx = store.transaction(async (w) => {
          await w.create(patient('new', 'New'));
          await w.update(patient('old', 'Changed'));
          assert.equal((await w.read('Patient', 'new'))!.versionId, 1);
          assert.deepEqual(await found(w, req('Patient', [idx('name', sEq('changed'))])), ['old']);
          assert.deepEqual(await found(w, req('Patient')), ['new', 'old']);
          assert.equal((await w.history({ type: 'Patient', count: 10 })).total, 3);
          inside();
          await gate;
        });
        await reachedInside;
        assert.equal(await store.read('Patient', 'new'), undefined);
        assert.equal((await store.read('Patient', 'old'))!.versionId, 1);
        assert.deepEqual(await found(store, req('Patient')), ['old']);
        assert.deepEqual(await found(store, req('Patient', [idx('name', sEq('changed'))])), []);
        assert.equal((await store.history({ count: 10 })).total, 1);
        release();
        await tx;
        assert.equal((await store.read('Patient', 'new'))!.versionId, 1);
        assert.deepEqual(await found(store, req('Patient', [idx('name', sEq('changed'))])), ['old']);
      });

      it('a failed write that fn catches does not spoil the rest', async () => {
        await create(store, patient('dup'));
        await store.transaction(async (tx) => {
          await tx.create(patient('a'));
          assert.equal(await statusOf(tx.create(patient('dup'))), 409);
          assert.equal(await statusOf(tx.update(patient('a'), { ifMatch: 7 })), 412);
          await tx.create(patient('b'));
        });
        assert.deepEqual(await found(store, req('Patient')), ['a', 'b', 'dup']);
        assert.equal((await store.read('Patient', 'a'))!.versionId, 1);
      });

      it('transactions run one after another', async () => {
        const order: string[] = [];
        const slow = store.transaction(async (tx) => {
          order.push('slow:start');
          await tx.create(patient('s'));
          await new Promise((r) => setTimeout(r, 30));
          order.push('slow:end');
        });
        const fast = store.transaction(async (tx) => {
          order.push('fast:start');
          assert.ok(await tx.read('Patient', 's'), 'the second transaction sees the first one committed');
          order.push('fast:end');
        });
        await Promise.all([slow, fast]);
        assert.deepEqual(order, ['slow:start', 'slow:end', 'fast:start', 'fast:end']);
      });

      it('50 concurrent updates with the same ifMatch: exactly one wins', async () => {
        await create(store, patient('hot'));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => store.transaction((tx) => tx.update(patient('hot', `W${i}`), { ifMatch: 1 }))),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
        assert.equal(won.length, 1);
        assert.equal(lost.length, 49);
        assert.ok(lost.every((o) => (o.reason as { status?: number }).status === 412));
        const current = await store.read('Patient', 'hot');
        assert.equal(current!.versionId, 2);
        assert.equal((await store.history({ type: 'Patient', id: 'hot', count: 100 })).total, 2);
      });

      it('50 concurrent read-modify-write workers: every version is won exactly once', async () => {
        await create(store, patient('hot'));
        const wins: number[] = [];
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            for (;;) {
              const seen = (await store.read('Patient', 'hot'))!.versionId;
              try {
                await store.transaction((tx) => tx.update(patient('hot', `W${i}`), { ifMatch: seen }));
                wins.push(seen);
                return;
              } catch (e) {
                if ((e as { status?: number }).status !== 412) throw e;
              }
            }
          }),
        );
        assert.deepEqual([...wins].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
        assert.equal((await store.read('Patient', 'hot'))!.versionId, 51);
      });
    });

    describe('search: conditions', () => {
      beforeEach(() => seed(store));

      it('true, false, and the implicit AND of where', async () => {
        assert.deepEqual(await found(store, req('Slot', [T])), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
        assert.deepEqual(await found(store, req('Slot')), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
        assert.deepEqual(await found(store, req('Slot', [F])), []);
        assert.deepEqual(await found(store, req('Slot', [status('free'), idx('schedule', sEq('Schedule/sch1'))])), ['s1', 's3']);
      });

      it('idx: a test list, and an empty test list meaning "has a value"', async () => {
        assert.deepEqual(await found(store, req('Slot', [status('free')])), ['s1', 's3', 's4', 's6', 's7']);
        assert.deepEqual(await found(store, req('Slot', [idx('comment')])), ['s1', 's2', 's4']);
        assert.deepEqual(await found(store, req('Slot', [idx('no-such-param')])), []);
        assert.deepEqual(await found(store, req('Slot', [not(idx('no-such-param'))])), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
      });

      it('and, or, not', async () => {
        assert.deepEqual(await found(store, req('Slot', [and(status('free'), idx('schedule', sEq('Schedule/sch1')))])), ['s1', 's3']);
        assert.deepEqual(await found(store, req('Slot', [or(status('busy'), idx('schedule', sEq('Schedule/sch2')))])), ['s2', 's4', 's5']);
        assert.deepEqual(await found(store, req('Slot', [not(status('free'))])), ['s2', 's5']);
        assert.deepEqual(await found(store, req('Slot', [not(idx('comment'))])), ['s3', 's5', 's6', 's7']);
        assert.deepEqual(await found(store, req('Slot', [and()])), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
        assert.deepEqual(await found(store, req('Slot', [or()])), []);
        assert.deepEqual(
          await found(store, req('Slot', [or(and(status('free'), not(idx('comment'))), ids('s2'))])),
          ['s2', 's3', 's6', 's7'],
        );
      });

      it('id', async () => {
        assert.deepEqual(await found(store, req('Slot', [ids('s4', 's1', 'nope', 'a1')])), ['s1', 's4']);
        assert.deepEqual(await found(store, req('Slot', [ids()])), []);
        assert.deepEqual(await found(store, req('Slot', [not(ids('s1', 's2', 's3'))])), ['s4', 's5', 's6', 's7']);
      });

      it('long id and in lists', async () => {
        const many = Array.from({ length: 5000 }, (_, i) => `n${i}`);
        assert.deepEqual(await found(store, req('Slot', [ids(...many, 's2')])), ['s2']);
        assert.deepEqual(await found(store, req('Slot', [idx('status', { f: 'code', op: 'in', v: [...many, 'busy'] })])), ['s2']);
        assert.deepEqual(await found(store, req('Slot', [not(idx('status', { f: 'code', op: 'in', v: [...many, 'busy'] }))])), ['s1', 's3', 's4', 's5', 's6', 's7']);
      });

      it('chain: through a reference to a target satisfying where', async () => {
        const byP1 = chain('schedule', ['Schedule'], idx('actor', sEq('Practitioner/p1')));
        assert.deepEqual(await found(store, req('Slot', [byP1])), ['s1', 's2', 's3']);
        assert.deepEqual(await found(store, req('Slot', [byP1, status('free')])), ['s1', 's3']);
        const smith = chain('schedule', ['Schedule'], chain('actor', ['Practitioner'], idx('name', sEq('smith'))));
        assert.deepEqual(await found(store, req('Slot', [smith])), ['s1', 's2', 's3']);
        assert.deepEqual(await found(store, req('Slot', [not(smith)])), ['s4', 's5', 's6', 's7']);
      });

      it('chain: only the listed target types count; deleted targets never match', async () => {
        assert.deepEqual(await found(store, req('Appointment', [chain('actor', ['Practitioner'], idx('name', { f: 's', op: 'sw', v: 'ali' }))])), ['a1']);
        assert.deepEqual(await found(store, req('Appointment', [chain('actor', ['Patient'], idx('name', sEq('zola')))])), ['a1', 'a3']);
        assert.deepEqual(await found(store, req('Appointment', [chain('actor', ['Practitioner'], idx('name', sEq('zola')))])), []);
        assert.deepEqual(await found(store, req('Schedule', [chain('actor', ['Practitioner'], T)])), ['sch1', 'sch2']);
        assert.deepEqual(await found(store, req('Schedule', [chain('actor', ['HealthcareService'], T)])), []);
        assert.deepEqual(await found(store, req('Slot', [chain('schedule', ['Schedule'], chain('actor', ['Practitioner'], idx('name', sEq('carol'))))])), []);
      });

      it('has: some resource referring to this one satisfies where', async () => {
        assert.deepEqual(await found(store, req('Schedule', [has('Slot', 'schedule', status('busy'))])), ['sch1']);
        assert.deepEqual(await found(store, req('Schedule', [has('Slot', 'schedule', not(status('free')))])), ['sch1', 'sch2']);
        assert.deepEqual(await found(store, req('Practitioner', [has('Appointment', 'actor', status('booked'))])), ['p1', 'p2']);
        assert.deepEqual(await found(store, req('Patient', [has('Appointment', 'actor', status('cancelled'))])), ['pat2']);
        assert.deepEqual(await found(store, req('Patient', [not(has('Appointment', 'actor', status('booked')))])), ['pat2']);
        assert.deepEqual(await found(store, req('Practitioner', [has('Schedule', 'actor', has('Slot', 'schedule', status('busy-unavailable')))])), ['p2']);
        assert.deepEqual(await found(store, req('Practitioner', [has('Slot', 'schedule', T)])), []);
        // A has over a chain: practitioners with a schedule whose own practitioner is named smith.
        assert.deepEqual(await found(store, req('Practitioner', [has('Schedule', 'actor', chain('actor', ['Practitioner'], idx('name', sEq('smith'))))])), ['p1']);
      });

      it('has ignores deleted referrers', async () => {
        await store.transaction((tx) => tx.delete('Slot', 's2'));
        assert.deepEqual(await found(store, req('Schedule', [has('Slot', 'schedule', status('busy'))])), []);
      });

      it('several types at once, ordered by type then id', async () => {
        const r = await store.search(req(['Slot', 'Appointment'], [idx('status', { f: 'code', op: 'in', v: ['free', 'booked'] })]));
        assert.deepEqual(r.matches.map(keyOf), [
          'Appointment/a1', 'Appointment/a3', 'Slot/s1', 'Slot/s3', 'Slot/s4', 'Slot/s6', 'Slot/s7',
        ]);
        assert.equal(r.total, 7);
        assert.deepEqual(
          (await store.search(req(['Patient', 'Practitioner'], [idx('name', sEq('smith'))]))).matches.map(keyOf),
          ['Practitioner/p1'],
        );
        assert.deepEqual((await store.search(req([], [T]))).matches, []);
      });

      it('matches are current versions, never deleted ones', async () => {
        await store.transaction((tx) => tx.update(slot('s1', { status: 'busy', schedule: 'Schedule/sch1' })));
        await store.transaction((tx) => tx.delete('Slot', 's3'));
        const r = await store.search(req('Slot', [idx('schedule', sEq('Schedule/sch1'))]));
        assert.deepEqual(idsOf(r), ['s1', 's2']);
        assert.equal(r.matches[0]!.versionId, 2);
        assert.equal(r.matches[0]!.resource.meta?.versionId, '2');
        assert.ok(r.matches.every((m) => !m.deleted));
        assert.deepEqual(await found(store, req('Slot', [status('free'), idx('schedule', sEq('Schedule/sch1'))])), []);
        assert.deepEqual(await found(store, req('Practitioner')), ['p1', 'p2']);
      });
    });

    describe('search: field tests', () => {
      beforeEach(() => seed(store));

      it('eq and ne (ne is false where the field is absent)', async () => {
        assert.deepEqual(await found(store, req('Practitioner', [idx('name', sEq('smith'))])), ['p1']);
        assert.deepEqual(await found(store, req('Slot', [idx('comment', { f: 's', op: 'ne', v: 'morning clinic' })])), ['s2', 's4']);
        assert.deepEqual(await found(store, req('Appointment', [idx('priority', { f: 'n', op: 'eq', v: 5 })])), ['a1']);
        assert.deepEqual(await found(store, req('Appointment', [idx('priority', { f: 'n', op: 'ne', v: 5 })])), ['a2']);
        assert.deepEqual(await found(store, req('Slot', [idx('service-type', { f: 'text', op: 'ne', v: 'x' })])), ['s1']);
      });

      it('lt, le, gt, ge on dates', async () => {
        const lo = (op: 'lt' | 'le' | 'gt' | 'ge', v: string) => req('Slot', [idx('start', { f: 'lo', op, v })]);
        assert.deepEqual(await found(store, lo('lt', '2024-03-01T10:00:00.000Z')), ['s1', 's4']);
        assert.deepEqual(await found(store, lo('le', '2024-03-01T10:00:00.000Z')), ['s1', 's2', 's4']);
        assert.deepEqual(await found(store, lo('gt', '2024-03-02T09:00:00.000Z')), ['s5', 's6']);
        assert.deepEqual(await found(store, lo('ge', '2024-03-02T09:00:00.000Z')), ['s3', 's5', 's6']);
        const window = idx('start', { f: 'lo', op: 'ge', v: '2024-03-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2024-03-01T23:59:59.999Z' });
        assert.deepEqual(await found(store, req('Slot', [window])), ['s1', 's2', 's4']);
        assert.deepEqual(await found(store, req('Patient', [idx('birthdate', { f: 'lo', op: 'le', v: '1980-05-17T12:00:00.000Z' }, { f: 'hi', op: 'ge', v: '1980-05-17T12:00:00.000Z' })])), ['pat1']);
      });

      it('tests on hi (the end of a range), also for long ranges', async () => {
        const bd = (op: 'lt' | 'le' | 'gt' | 'ge' | 'eq', v: string) => req('Patient', [idx('birthdate', { f: 'hi', op, v })]);
        assert.deepEqual(await found(store, bd('ge', '1980-05-17T12:00:00.000Z')), ['pat1']);
        assert.deepEqual(await found(store, bd('gt', '1980-05-17T23:59:59.998Z')), ['pat1']);
        assert.deepEqual(await found(store, bd('gt', '1980-05-17T23:59:59.999Z')), []);
        assert.deepEqual(await found(store, bd('eq', '1980-05-17T23:59:59.999Z')), ['pat1']);
        assert.deepEqual(await found(store, bd('lt', '1967-11-08T00:00:00.000Z')), ['pat2']);
        assert.deepEqual(await found(store, bd('le', '1967-11-07T23:59:59.999Z')), ['pat2']);
        assert.deepEqual(await found(store, bd('lt', '1967-11-07T23:59:59.999Z')), []);
        // sch1's planning horizon is the whole of 2024: it reaches past June although it starts in January.
        const horizon = (op: 'gt' | 'ge' | 'lt', v: string) => req('Schedule', [idx('date', { f: 'hi', op, v })]);
        assert.deepEqual(await found(store, horizon('gt', '2024-06-01T00:00:00.000Z')), ['sch1']);
        assert.deepEqual(await found(store, horizon('ge', '2024-12-31T23:59:59.999Z')), ['sch1']);
        assert.deepEqual(await found(store, horizon('gt', '2024-12-31T23:59:59.999Z')), []);
        assert.deepEqual(await found(store, horizon('lt', '2024-06-01T00:00:00.000Z')), []);
        const overlaps = idx('date', { f: 'lo', op: 'le', v: '2024-07-01T00:00:00.000Z' }, { f: 'hi', op: 'ge', v: '2024-06-01T00:00:00.000Z' });
        assert.deepEqual(await found(store, req('Schedule', [overlaps])), ['sch1']);
        assert.deepEqual(await found(store, req('Schedule', [idx('date', { f: 'lo', op: 'eq', v: '2024-01-01T00:00:00.000Z' })])), ['sch1']);
        assert.deepEqual(await found(store, req('Schedule', [idx('date', { f: 'lo', op: 'in', v: ['2023-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'] })])), ['sch1']);
      });

      it('lt, le, gt, ge on numbers and number ranges', async () => {
        const n = (op: 'lt' | 'le' | 'gt' | 'ge', v: number) => req('Appointment', [idx('priority', { f: 'n', op, v })]);
        assert.deepEqual(await found(store, n('gt', 1)), ['a1']);
        assert.deepEqual(await found(store, n('ge', 1)), ['a1', 'a2']);
        assert.deepEqual(await found(store, n('lt', 5)), ['a2']);
        assert.deepEqual(await found(store, n('le', 5)), ['a1', 'a2']);
        assert.deepEqual(await found(store, n('gt', 4.5)), ['a1']);
        assert.deepEqual(
          await found(store, req('Appointment', [idx('duration', { f: 'nlo', op: 'le', v: 15.2 }, { f: 'nhi', op: 'ge', v: 15.2 })])),
          ['a1'],
        );
      });

      it('in (and the empty in)', async () => {
        assert.deepEqual(await found(store, req('Slot', [idx('status', { f: 'code', op: 'in', v: ['busy', 'busy-unavailable'] })])), ['s2', 's5']);
        assert.deepEqual(await found(store, req('Slot', [idx('status', { f: 'code', op: 'in', v: [] })])), []);
        assert.deepEqual(await found(store, req('Appointment', [idx('priority', { f: 'n', op: 'in', v: [1, 7] })])), ['a2']);
        assert.deepEqual(await found(store, req('Slot', [idx('schedule', { f: 's', op: 'in', v: ['Schedule/sch2', 'Schedule/sch3'] })])), ['s4', 's5', 's6']);
      });

      it('sw and co are literal (no wildcards) and work on normalised text', async () => {
        const c = (op: 'sw' | 'co', v: string) => req('Slot', [idx('comment', { f: 's', op, v })]);
        assert.deepEqual(await found(store, req('Practitioner', [idx('name', { f: 's', op: 'sw', v: 'sm' })])), ['p1']);
        assert.deepEqual(await found(store, c('sw', '50%')), ['s2']);
        assert.deepEqual(await found(store, c('sw', '5_')), []);
        assert.deepEqual(await found(store, c('sw', '%')), []);
        assert.deepEqual(await found(store, c('sw', '')), ['s1', 's2', 's4']);
        assert.deepEqual(await found(store, c('sw', 'morning clinic')), ['s1']);
        assert.deepEqual(await found(store, c('sw', 'morning clinics')), []);
        assert.deepEqual(await found(store, c('co', 'clinic')), ['s1']);
        assert.deepEqual(await found(store, c('co', '%')), ['s2']);
        assert.deepEqual(await found(store, c('co', '_p')), ['s2']);
        assert.deepEqual(await found(store, c('co', 'vening')), ['s4']);
        assert.deepEqual(await found(store, c('co', 'x')), []);
      });

      it('exists and absent', async () => {
        assert.deepEqual(await found(store, req('Slot', [idx('service-type', { f: 'text', op: 'exists' })])), ['s1']);
        assert.deepEqual(await found(store, req('Slot', [idx('service-type', { f: 'text', op: 'absent' })])), ['s4']);
        assert.deepEqual(await found(store, req('Slot', [idx('service-type', { f: 'code', op: 'exists' })])), ['s1', 's4']);
        assert.deepEqual(await found(store, req('Slot', [idx('start', { f: 'n', op: 'exists' })])), []);
      });

      it('all tests of one idx condition hold on the same index value', async () => {
        const ident = (sys: string, c: string) => req('Patient', [idx('identifier', { f: 'sys', op: 'eq', v: sys }, code(c))]);
        assert.deepEqual(await found(store, ident('urn:mrn', 'A1')), ['pat1']);
        assert.deepEqual(await found(store, ident('urn:nhs', 'A1')), []);
        assert.deepEqual(await found(store, req('Patient', [idx('identifier', { f: 'sys', op: 'eq', v: 'urn:nhs' }), idx('identifier', code('A1'))])), ['pat1']);
      });

      it('strings compare by code point (UTF-8 byte) order', async () => {
        const exact = (op: 'lt' | 'gt', v: string) => req('Patient', [idx('name', { f: 'exact', op, v })]);
        // 'É' (U+00C9) sorts after every ASCII letter; upper case before lower case.
        assert.deepEqual(await found(store, exact('gt', 'Z')), ['pat1']);
        assert.deepEqual(await found(store, exact('lt', 'E')), ['pat2']);
        assert.deepEqual(await found(store, req('Practitioner', [idx('name', { f: 'exact', op: 'lt', v: 'a' })])), ['p1', 'p2']);
      });

      it('code point order also beyond the BMP (not UTF-16 order)', async () => {
        await create(store, slot('u1', { comment: '\u{1F600}' }), slot('u2', { comment: '\uFF5E' }));
        // U+1F600 > U+FF5E by code point, though its UTF-16 form (D83D...) is smaller.
        assert.deepEqual(await found(store, req('Slot', [idx('comment', { f: 's', op: 'gt', v: '\uFF5E' })])), ['u1']);
        assert.deepEqual(await found(store, req('Slot', [idx('comment', { f: 's', op: 'sw', v: '\u{1F600}' })])), ['u1']);
      });
    });

    describe('search: visibility', () => {
      beforeEach(() => seed(store));
      const vis = (visibility: Record<string, Cond>, types: string | string[], where: Cond[] = [], extra: Partial<SearchRequest> = {}) =>
        req(types, where, { visibility, ...extra });

      it('applies to the searched type and counts only what is visible', async () => {
        const r = await store.search(vis({ Slot: status('free') }, 'Slot'));
        assert.deepEqual(idsOf(r), ['s1', 's3', 's4', 's6', 's7']);
        assert.equal(r.total, 5);
        const r2 = await store.search(vis({ Slot: status('free') }, 'Slot', [idx('schedule', sEq('Schedule/sch1'))]));
        assert.deepEqual(idsOf(r2), ['s1', 's3']);
        assert.equal(r2.total, 2);
      });

      it('a type missing from the map is invisible', async () => {
        const r = await store.search(vis({ Slot: T }, ['Slot', 'Appointment'], [idx('status', { f: 'code', op: 'in', v: ['free', 'booked'] })]));
        assert.ok(r.matches.every((m) => m.resourceType === 'Slot'));
        assert.equal(r.total, 5);
        const none = await store.search(vis({}, 'Slot'));
        assert.deepEqual([none.matches, none.total], [[], 0]);
        assert.equal((await store.search(vis({ Slot: F }, 'Slot'))).total, 0);
      });

      it('applies to chain targets', async () => {
        const toSchedule = chain('schedule', ['Schedule'], T);
        assert.deepEqual(await found(store, vis({ Slot: T, Schedule: ids('sch2') }, 'Slot', [toSchedule])), ['s4', 's5']);
        assert.deepEqual(await found(store, vis({ Slot: T }, 'Slot', [toSchedule])), []);
        assert.deepEqual(await found(store, vis({ Slot: T, Schedule: ids('sch2') }, 'Slot', [not(toSchedule)])), ['s1', 's2', 's3', 's6', 's7']);
        // Two levels: the practitioner p1 is hidden, so no slot reaches "smith".
        const smith = chain('schedule', ['Schedule'], chain('actor', ['Practitioner'], idx('name', sEq('smith'))));
        assert.deepEqual(await found(store, vis({ Slot: T, Schedule: T, Practitioner: ids('p2') }, 'Slot', [smith])), []);
        assert.deepEqual(await found(store, vis({ Slot: T, Schedule: T, Practitioner: T }, 'Slot', [smith])), ['s1', 's2', 's3']);
      });

      it('applies to has sources', async () => {
        const withSlot = has('Slot', 'schedule', T);
        assert.deepEqual(await found(store, vis({ Schedule: T, Slot: status('busy-unavailable') }, 'Schedule', [withSlot])), ['sch2']);
        assert.deepEqual(await found(store, vis({ Schedule: T }, 'Schedule', [withSlot])), []);
        const r = await store.search(vis({ Schedule: T, Slot: ids('s6') }, 'Schedule', [withSlot]));
        assert.deepEqual([idsOf(r), r.total], [['sch3'], 1]);
      });

      it('inside a rule, reached resources need only be live, so rules may refer to each other', async () => {
        // A slot is visible when its schedule is sch1; a schedule when some live slot points at it,
        // whether or not that slot is visible: the rule asks about the data, it discloses nothing.
        const v = { Slot: chain('schedule', ['Schedule'], ids('sch1')), Schedule: has('Slot', 'schedule', T) };
        const r = await store.search(vis(v, 'Slot'));
        assert.deepEqual([idsOf(r), r.total], [['s1', 's2', 's3'], 3]);
        assert.deepEqual(await found(store, vis(v, 'Schedule')), ['sch1', 'sch2', 'sch3']);
        // The client's own conditions still see only what is visible: sch2's slots are hidden.
        assert.deepEqual(await found(store, vis(v, 'Schedule', [has('Slot', 'schedule', status('busy-unavailable'))])), []);
        assert.deepEqual(await found(store, vis(v, 'Schedule', [has('Slot', 'schedule', status('busy'))])), ['sch1']);
        // A deleted resource is no fact for the policy either.
        await store.transaction(async (tx) => { await tx.delete('Slot', 's4'); await tx.delete('Slot', 's5'); });
        assert.deepEqual(await found(store, vis(v, 'Schedule')), ['sch1', 'sch3']);
      });

      it('a policy condition in the query is evaluated like a rule: what it reaches is not filtered', async () => {
        const v = { Slot: T, Schedule: ids('sch2') };
        const toSch1 = chain('schedule', ['Schedule'], ids('sch1'));
        assert.deepEqual(await found(store, vis(v, 'Slot', [toSch1])), []);
        assert.deepEqual(await found(store, vis(v, 'Slot', [{ k: 'policy', of: toSch1 }])), ['s1', 's2', 's3']);
        assert.deepEqual(await found(store, vis(v, 'Slot', [{ k: 'policy', of: chain('schedule', ['Schedule'], ids('sch3')) }])), ['s6']);
      });

      it('holds across pages, totals and sorting', async () => {
        const v = { Slot: not(status('free')), Appointment: status('booked') };
        const pages = await allPages(store, vis(v, ['Slot', 'Appointment'], [], { count: 1, sort: [desc('start')] }));
        assert.deepEqual(pages.flatMap((p) => p.matches.map(keyOf)), ['Slot/s5', 'Slot/s2', 'Appointment/a1', 'Appointment/a3']);
        assert.ok(pages.every((p) => p.total === 4));
      });
    });

    describe('search: sorting', () => {
      beforeEach(() => seed(store));
      const sorted = (sort: SortKey[], types: string | string[] = 'Slot') => store.search(req(types, [], { sort })).then((r) => r.matches.map(Array.isArray(types) ? keyOf : (m) => m.id));

      it('by a date parameter, missing values last in both directions', async () => {
        assert.deepEqual(await sorted([asc('start')]), ['s1', 's4', 's2', 's3', 's5', 's6', 's7']);
        assert.deepEqual(await sorted([desc('start')]), ['s6', 's5', 's3', 's2', 's1', 's4', 's7']);
      });

      it('by several keys with mixed directions', async () => {
        assert.deepEqual(await sorted([asc('status'), desc('start')]), ['s2', 's5', 's6', 's3', 's1', 's4', 's7']);
        assert.deepEqual(await sorted([desc('status'), asc('comment')]), ['s4', 's1', 's3', 's6', 's7', 's5', 's2']);
      });

      it('by _id and _lastUpdated', async () => {
        assert.deepEqual(await sorted([desc('_id')]), ['s7', 's6', 's5', 's4', 's3', 's2', 's1']);
        assert.deepEqual(await sorted([asc('_id')]), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
        await tick(); // a later millisecond than the seed, so s3 is strictly the newest
        await store.transaction((tx) => tx.update(slot('s3', { start: '2024-03-02T09:00:00.000Z' })));
        const up = (await store.search(req('Slot', [], { sort: [asc('_lastUpdated')] }))).matches;
        assert.equal(up[up.length - 1]!.id, 's3');
        for (let i = 1; i < up.length; i++) {
          const [a, b] = [up[i - 1]!, up[i]!];
          assert.ok(a.lastUpdated < b.lastUpdated || (a.lastUpdated === b.lastUpdated && a.id < b.id));
        }
        const down = (await store.search(req('Slot', [], { sort: [desc('_lastUpdated')] }))).matches;
        assert.equal(down[0]!.id, 's3');
        for (let i = 1; i < down.length; i++) {
          const [a, b] = [down[i - 1]!, down[i]!];
          assert.ok(a.lastUpdated > b.lastUpdated || (a.lastUpdated === b.lastUpdated && a.id < b.id));
        }
      });

      it('ascending uses a resource’s smallest value, descending its largest', async () => {
        assert.deepEqual(await sorted([asc('actor')], 'Appointment'), ['a1', 'a3', 'a2']);
        assert.deepEqual(await sorted([desc('actor')], 'Appointment'), ['a2', 'a3', 'a1']);
        assert.deepEqual(await sorted([asc('name')], 'Patient'), ['pat2', 'pat1']);
        assert.deepEqual(await sorted([desc('name')], 'Patient'), ['pat1', 'pat2']);
      });

      it('by numbers and tokens', async () => {
        assert.deepEqual(await sorted([asc('priority')], 'Appointment'), ['a2', 'a1', 'a3']);
        assert.deepEqual(await sorted([desc('priority')], 'Appointment'), ['a1', 'a2', 'a3']);
        assert.deepEqual(await sorted([asc('status')], 'Appointment'), ['a1', 'a3', 'a2']);
      });

      it('an unknown parameter sorts nothing (type and id decide)', async () => {
        assert.deepEqual(await sorted([desc('no-such-param')]), ['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
      });

      it('ties across types break by type then id', async () => {
        assert.deepEqual(await sorted([asc('start')], ['Slot', 'Appointment']), [
          'Appointment/a1', 'Slot/s1', 'Slot/s4', 'Slot/s2', 'Appointment/a2', 'Slot/s3', 'Slot/s5', 'Slot/s6', 'Appointment/a3', 'Slot/s7',
        ]);
        assert.deepEqual((await sorted([desc('_id')], ['Schedule', 'Patient'])), ['Schedule/sch3', 'Schedule/sch2', 'Schedule/sch1', 'Patient/pat2', 'Patient/pat1']);
      });
    });

    describe('search: paging and totals', () => {
      beforeEach(() => seed(store));
      const sorts: SortKey[][] = [
        [], [asc('start')], [desc('start')], [asc('status'), desc('start')], [desc('_id')], [asc('_lastUpdated')],
        [desc('_lastUpdated')], [desc('comment')], [asc('priority')],
      ];

      it('pages concatenate to the unpaged result, for every order', async () => {
        for (const sort of sorts) {
          for (const types of [['Slot'], ['Slot', 'Appointment']]) {
            const full = (await store.search(req(types, [], { sort }))).matches.map(keyOf);
            for (const count of [1, 2, 3]) {
              const pages = await allPages(store, req(types, [], { sort, count }));
              const label = `${types} ${JSON.stringify(sort)} count=${count}`;
              assert.deepEqual(pages.flatMap((p) => p.matches.map(keyOf)), full, label);
              assert.ok(pages.every((p) => p.total === full.length), label);
              assert.ok(pages.slice(0, -1).every((p) => p.matches.length === count), label);
              assert.equal(pages[pages.length - 1]!.next, undefined, label);
            }
          }
        }
      });

      it('rows present throughout are neither skipped nor repeated when others change between pages', async () => {
        for (const sort of [[asc('start')], [desc('start')], [asc('_id')], [desc('_lastUpdated')], [asc('status'), desc('start')]]) {
          const store2 = await open(testIndexer);
          try {
            await seed(store2);
            await create(store2, slot('s9'));
            const before = (await store2.search(req('Slot', [], { sort }))).matches.map((m) => m.id);
            let n = 0;
            const pages = await allPages(store2, req('Slot', [], { sort, count: 2 }), async () => {
              n++;
              // Each pause: add one row at each end of most orders, remove one, rewrite one in place.
              await create(store2, slot(`new-early-${n}`, { start: '2020-01-01T00:00:00.000Z' }), slot(`new-late-${n}`, { start: '2030-01-01T00:00:00.000Z' }));
              if (n === 1) await store2.transaction((tx) => tx.delete('Slot', 's3'));
              if (n === 2) await store2.transaction(async (tx) => tx.update((await tx.read('Slot', 's5'))!.resource));
            });
            const seen = pages.flatMap((p) => p.matches.map((m) => m.id));
            const label = `${JSON.stringify(sort)}: ${seen}`;
            assert.equal(new Set(seen).size, seen.length, `no repeats, ${label}`);
            // s3 is deleted after the first page; s5 is rewritten, which moves it only in _lastUpdated order.
            const throughout = before.filter((id) => id !== 's3' && !(id === 's5' && sort[0]!.p === '_lastUpdated'));
            for (const id of throughout) assert.ok(seen.includes(id), `${id} exists throughout, ${label}`);
            assert.ok(!seen.includes('s3') || pages[0]!.matches.some((m) => m.id === 's3'), `s3 only before its deletion, ${label}`);
          } finally {
            await store2.close();
          }
        }
      });

      it('count 0 returns only the total', async () => {
        const r = await store.search(req('Slot', [status('free')], { count: 0 }));
        assert.deepEqual(r.matches, []);
        assert.equal(r.total, 5);
        assert.equal(r.next, undefined);
      });

      it('total modes: accurate counts everything, estimate is a number, none is absent', async () => {
        const base = req('Slot', [status('free')], { count: 2 });
        const accurate = await store.search(base);
        assert.equal(accurate.total, 5);
        assert.equal(accurate.matches.length, 2);
        const next = await store.search({ ...base, cursor: accurate.next! });
        assert.equal(next.total, 5);
        const estimate = await store.search({ ...base, total: 'estimate' });
        assert.equal(typeof estimate.total, 'number');
        assert.ok(estimate.total! >= 0);
        const none = await store.search({ ...base, total: 'none' });
        assert.equal(none.total, undefined);
        assert.ok(none.next);
        assert.equal((await store.search(req('Slot', [F]))).total, 0);
      });

      it('a cursor from another query or garbage is a 400', async () => {
        const r = await store.search(req('Slot', [], { count: 2, sort: [asc('start')] }));
        assert.ok(r.next);
        assert.equal(await statusOf(store.search(req('Slot', [], { count: 2, sort: [desc('start')], cursor: r.next! }))), 400);
        assert.equal(await statusOf(store.search(req('Slot', [], { count: 2, cursor: 'garbage' }))), 400);
        assert.equal(await statusOf(store.search(req('Slot', [], { count: 2, cursor: Buffer.from('{"x":1}').toString('base64url') }))), 400);
        const h = await store.history({ count: 1 });
        assert.equal(await statusOf(store.search(req('Slot', [], { count: 2, cursor: h.next! }))), 400);
      });
    });
  });
}
