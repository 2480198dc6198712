// No double booking under any concurrency: N clients book the same slot at once; exactly one gets
// 201 and every other one 409 duplicate, and the slot ends busy with exactly one appointment.
// Run on SQLite, and on the MongoDB adapter over the in-memory double in both modes: standalone
// (compensating transactions) and replica set (session transactions). The "several processes"
// cases put several Envelopes (each with its own store and transaction mutex) on one database, so
// nothing in-process serialises the bookings and only the version-guarded slot claim decides.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { MongoDouble } from '../store/mongo-double/index.js';
import { booking, futureStart, issueOf, publishSlot, read, seedWorld, type Json, type World } from '../scheduling/support/booking-world.js';

const ATTEMPTS = 50;

interface Setup {
  name: string;
  /** Envelopes sharing one database; requests are spread over them. */
  start(): Promise<TestEnvelope[]>;
}

const SETUPS: Setup[] = [
  { name: 'SQLite', start: async () => [await startEnvelope()] },
  ...(['standalone', 'replicaSet'] as const).flatMap((topology): Setup[] => {
    const mode = topology === 'standalone' ? 'compensating transactions' : 'session transactions';
    const sharing = (processes: number) => async () => {
      const client = new MongoDouble({ topology });
      // One data folder, so every process trusts the same development token key.
      const dataDir = mkdtempSync(join(tmpdir(), 'envelope-booking-'));
      const envs: TestEnvelope[] = [];
      for (let i = 0; i < processes; i++) {
        const e = await startEnvelope({ DATA_DIR: dataDir }, { openStore: (indexer) => openMongoStore({ client, indexer }) });
        envs.push({ ...e, stop: async () => { await e.stop(); rmSync(dataDir, { recursive: true, force: true }); } });
      }
      return envs;
    };
    return [
      { name: `MongoDB double, ${topology} (${mode}), one process`, start: sharing(1) },
      { name: `MongoDB double, ${topology} (${mode}), five processes on one database`, start: sharing(5) },
    ];
  }),
];

for (const setup of SETUPS) {
  describe(`http: ${ATTEMPTS} simultaneous bookings of one slot — ${setup.name}`, function () {
    this.timeout(120_000);
    let envs: TestEnvelope[];
    let servers: Server[];
    let w: World;
    before(async () => {
      envs = await setup.start();
      servers = await Promise.all(envs.map((e) => new Promise<Server>((resolve) => {
        const s = createServer(e.app).listen(0, '127.0.0.1', () => resolve(s));
      })));
      w = await seedWorld(envs[0]!);
    });
    after(async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      for (const e of envs) await e.stop();
    });

    async function race(slots: Json[]): Promise<request.Response[]> {
      return Promise.all(Array.from({ length: ATTEMPTS }, (_, i) =>
        request(servers[i % servers.length]!).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, slots))));
    }

    async function appointmentsOn(slot: Json): Promise<Json[]> {
      const res = await request(servers[0]!).get(`/fhir/Appointment?slot=Slot/${slot.id}&_count=100`).set('Authorization', w.gp).expect(200);
      return (res.body.entry ?? []).map((e: Json) => e.resource);
    }

    it('exactly one 201, the rest 409 duplicate; the slot ends busy with exactly one appointment', async () => {
      const slot = await publishSlot(w, futureStart());
      const results = await race([slot]);
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 409).length, ATTEMPTS - 1, `statuses: ${statuses.join(',')}`);
      for (const r of results.filter((x) => x.status === 409)) issueOf(r.body, 'duplicate', 'DUPLICATE_REJECTED', 'Appointment.slot[0]');
      const raced = results.filter((r) => /at the same moment/.test(r.body.issue?.[0]?.diagnostics ?? '')).length;
      console.log(`      ${raced} of ${ATTEMPTS - 1} losers lost on the version-guarded slot claim, the rest saw the slot busy`);
      assert.equal((await read(envs[0]!, w.pas, `Slot/${slot.id}`)).status, 'busy');
      // Nothing half-stored: the losers' appointments are gone (rolled back or compensated).
      const stored = await appointmentsOn(slot);
      assert.deepEqual(stored.map((a) => [a.id, a.status]), [[results.find((r) => r.status === 201)!.body.id, 'booked']]);
    });

    it('overlapping multi-slot bookings: at most one wins each slot, never two appointments on one slot', async () => {
      const start = futureStart(10);
      const slots: Json[] = [];
      for (let i = 0; i < 3; i++) slots.push(await publishSlot(w, new Date(Date.parse(start) + i * 15 * 60_000).toISOString()));
      // Half the clients want slots 0+1, half want 1+2: they collide on slot 1.
      const results = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) =>
        request(servers[i % servers.length]!).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, i % 2 ? [slots[0]!, slots[1]!] : [slots[1]!, slots[2]!]))));
      assert.equal(results.filter((r) => r.status === 201).length, 1);
      assert.ok(results.every((r) => r.status === 201 || r.status === 409));
      const statuses = await Promise.all(slots.map(async (s) => (await read(envs[0]!, w.pas, `Slot/${s.id}`)).status));
      assert.equal(statuses.filter((s) => s === 'busy').length, 2);
      for (const s of slots) assert.ok((await appointmentsOn(s)).length <= 1);
    });
  });
}
