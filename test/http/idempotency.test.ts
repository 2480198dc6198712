// Retries are safe: a create resent with the same X-Request-ID gets the original result, never a
// second resource, on SQLite and on the MongoDB adapter (double, both topologies).
import { expect } from 'chai';
import request from 'supertest';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { booking, futureStart, publishSlot, seedWorld, type World } from '../scheduling/support/booking-world.js';
import { MongoDouble } from '../store/mongo-double/index.js';

/** Patients the GP creates are registered with its practice (they may only create those). */
const AT_PRACTICE = { generalPractitioner: [{ reference: 'Organization/practice' }] };

const SETUPS: { name: string; start: () => Promise<TestEnvelope> }[] = [
  { name: 'SQLite', start: () => startEnvelope() },
  { name: 'MongoDB double, standalone', start: () => startEnvelope({}, { openStore: (indexer) => openMongoStore({ client: new MongoDouble(), indexer }) }) },
  { name: 'MongoDB double, replica set', start: () => startEnvelope({}, { openStore: (indexer) => openMongoStore({ client: new MongoDouble({ topology: 'replicaSet' }), indexer }) }) },
];

for (const setup of SETUPS) {
  describe(`http: idempotent retries by X-Request-ID (${setup.name})`, function () {
    this.timeout(60_000);
    let env: TestEnvelope;
    let w: World;
    before(async () => {
      env = await setup.start();
      w = await seedWorld(env);
    });
    after(() => env.stop());

    const count = async (query: string, auth: string) =>
      (await request(env.app).get(`/fhir/${query}${query.includes('?') ? '&' : '?'}_summary=count`).set('Authorization', auth).expect(200)).body.total as number;

    it('a resent booking returns the original appointment (201, same id and Location), not a 409 or a second one', async () => {
      const slot = await publishSlot(w, futureStart());
      const body = booking(w, [slot]);
      const first = await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).set('X-Request-ID', 'book-retry-1').send(body).expect(201);
      const again = await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).set('X-Request-ID', 'book-retry-1').send(body).expect(201);
      expect(again.body.id).to.equal(first.body.id);
      expect(new URL(again.headers.location!).pathname).to.equal(new URL(first.headers.location!).pathname);
      expect(again.headers['x-request-id']).to.equal('book-retry-1');
      expect(await count(`Appointment?slot=Slot/${slot.id}`, w.gp)).to.equal(1);
    });

    it('a new request id is a new request: the slot is taken, so 409', async () => {
      const slot = await publishSlot(w, futureStart());
      await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).set('X-Request-ID', 'book-a').send(booking(w, [slot])).expect(201);
      const res = await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).set('X-Request-ID', 'book-b').send(booking(w, [slot])).expect(409);
      expect(res.body.issue[0].code).to.equal('duplicate');
    });

    it('request ids are per client: another principal reusing one gets its own result', async () => {
      const a = await request(env.app).post('/fhir/Patient').set('Authorization', w.gp).set('X-Request-ID', 'shared-id').send({ resourceType: 'Patient', name: [{ family: 'One' }], ...AT_PRACTICE }).expect(201);
      const b = await request(env.app).post('/fhir/Patient').set('Authorization', w.otherGp).set('X-Request-ID', 'shared-id').send({ resourceType: 'Patient', name: [{ family: 'Two' }], generalPractitioner: [{ reference: 'Organization/other-practice' }] }).expect(201);
      expect(b.body.id).to.not.equal(a.body.id);
      expect(b.body.name[0].family).to.equal('Two');
    });

    it('a refused request is not remembered: fixing it and resending with the same id creates it', async () => {
      await request(env.app).post('/fhir/Patient').set('Authorization', w.gp).set('X-Request-ID', 'fix-me').send({ resourceType: 'Patient', colour: 'red' }).expect(422);
      const ok = await request(env.app).post('/fhir/Patient').set('Authorization', w.gp).set('X-Request-ID', 'fix-me').send({ resourceType: 'Patient', name: [{ family: 'Fixed' }], ...AT_PRACTICE }).expect(201);
      expect(ok.body.name[0].family).to.equal('Fixed');
    });

    it('without X-Request-ID every POST is a new create', async () => {
      const before = await count('Patient?family=Twice', w.gp);
      await request(env.app).post('/fhir/Patient').set('Authorization', w.gp).send({ resourceType: 'Patient', name: [{ family: 'Twice' }], ...AT_PRACTICE }).expect(201);
      await request(env.app).post('/fhir/Patient').set('Authorization', w.gp).send({ resourceType: 'Patient', name: [{ family: 'Twice' }], ...AT_PRACTICE }).expect(201);
      expect(await count('Patient?family=Twice', w.gp)).to.equal(before + 2);
    });

    it('the entries of a batch do not share the Bundle request id', async () => {
      const res = await request(env.app).post('/fhir').set('Authorization', w.gp).set('X-Request-ID', 'batch-1').send({
        resourceType: 'Bundle', type: 'batch',
        entry: [1, 2].map(() => ({ resource: { resourceType: 'Patient', name: [{ family: 'Batched' }], ...AT_PRACTICE }, request: { method: 'POST', url: 'Patient' } })),
      }).expect(200);
      const ids = res.body.entry.map((e: { resource: { id: string } }) => e.resource.id);
      expect(new Set(ids).size).to.equal(2);
    });
  });
}
