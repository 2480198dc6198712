// Appointment/$find: the bookable options for a referral or a service over a date range: free,
// future slots, earliest first, with their Schedule, service, location and organisation.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { booking, OTHER_TYPE, post, publishSlot, referralFor, seedWorld, type Json, type World } from '../scheduling/support/booking-world.js';

describe('http: Appointment/$find', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let w: World;
  const free: Json[] = [];
  let derm: Json;

  before(async () => {
    env = await startEnvelope();
    w = await seedWorld(env);
    free.push(await publishSlot(w, '2032-07-01T09:00:00Z'));
    free.push(await publishSlot(w, '2032-07-02T09:00:00Z', { schedule: 'sch-cardio-2' }));
    free.push(await publishSlot(w, '2032-07-01T08:00:00Z'));
    const booked = await publishSlot(w, '2032-07-01T10:00:00Z');
    await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [booked])).expect(201);
    const held = await publishSlot(w, '2032-07-01T11:00:00Z');
    await request(env.app).post(`/fhir/Slot/${held.id}/$hold`).set('Authorization', w.otherGp).send({ resourceType: 'Parameters' }).expect(200);
    await publishSlot(w, '2032-07-01T12:00:00Z', { status: 'busy-unavailable' });
    await publishSlot(w, '2032-08-01T09:00:00Z');
    await publishSlot(w, '2020-07-01T09:00:00Z');
    derm = await publishSlot(w, '2032-07-01T09:00:00Z', { schedule: 'sch-derm', serviceType: OTHER_TYPE });
  });
  after(() => env.stop());

  const find = (qs: string, auth = w.gp) => request(env.app).get(`/fhir/Appointment/$find?${qs}`).set('Authorization', auth);
  const matches = (b: Json) => b.entry.filter((e: Json) => e.search.mode === 'match').map((e: Json) => e.resource.id);
  const includes = (b: Json) => b.entry.filter((e: Json) => e.search.mode === 'include').map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  const expected = () => [free[2]!.id, free[0]!.id, free[1]!.id];

  it('for a service: free future slots in the range, earliest first, with schedule, service, location and organisation', async () => {
    const res = await find('service=HealthcareService/cardio&start=2032-07-01&end=2032-07-31').expect(200);
    assert.equal(res.body.resourceType, 'Bundle');
    assert.equal(res.body.type, 'searchset');
    assert.deepEqual(matches(res.body), expected());
    assert.deepEqual(includes(res.body), ['HealthcareService/cardio', 'Location/sjuh', 'Organization/trust', 'Schedule/sch-cardio', 'Schedule/sch-cardio-2']);
    assert.match(res.body.link[0].url, /\/fhir\/Appointment\/\$find\?service=/);
  });

  it('for a referral: the services it names as performer, else the service type of its code', async () => {
    const byPerformer = await find(`referral=ServiceRequest/${w.referral}&start=2032-07-01&end=2032-07-31`).expect(200);
    assert.deepEqual(matches(byPerformer.body), expected());
    const byCode = (await post(env, w.gp, referralFor(w.patient, { performer: undefined, code: OTHER_TYPE }))).id as string;
    const res = await find(`referral=${byCode}&start=2032-07-01&end=2032-07-31`).expect(200);
    assert.deepEqual(matches(res.body), [derm.id]);
  });

  it('POST with a Parameters body answers the same', async () => {
    const res = await request(env.app).post('/fhir/Appointment/$find').set('Authorization', w.gp).send({
      resourceType: 'Parameters',
      parameter: [
        { name: 'referral', valueReference: { reference: `ServiceRequest/${w.referral}` } },
        { name: 'start', valueDate: '2032-07-01' },
        { name: 'end', valueDateTime: '2032-07-31T23:59:59Z' },
      ],
    }).expect(200);
    assert.deepEqual(matches(res.body), expected());
  });

  it('pages with _count and a next link', async () => {
    const first = await find('service=cardio&start=2032-07-01&end=2032-07-31&_count=2').expect(200);
    assert.deepEqual(matches(first.body), expected().slice(0, 2));
    const next = first.body.link.find((l: Json) => l.relation === 'next').url as string;
    const url = new URL(next);
    const second = await request(env.app).get(url.pathname + url.search).set('Authorization', w.gp).expect(200);
    assert.deepEqual(matches(second.body), expected().slice(2));
  });

  it('refuses incomplete or unknown inputs (400) and a referral that is not active (422)', async () => {
    await find('service=cardio&end=2032-07-31').expect(400);
    await find('start=2032-07-01&end=2032-07-31').expect(400);
    const unknown = await find('service=cardio&start=2032-07-01&end=2032-07-31&colour=blue').expect(400);
    assert.deepEqual(unknown.body.issue[0].expression, ['colour']);
    await find('service=cardio&start=July&end=2032-07-31').expect(400);
    const draft = (await post(env, w.gp, referralFor(w.patient, { status: 'draft' }))).id as string;
    const res = await find(`referral=${draft}&start=2032-07-01&end=2032-07-31`).expect(422);
    assert.deepEqual(res.body.issue[0].expression, ['referral']);
  });

  it('goes through the access policy', async () => {
    await find('service=cardio&start=2032-07-01&end=2032-07-31', await env.auth('estate-admin')).expect(403);
  });
});
