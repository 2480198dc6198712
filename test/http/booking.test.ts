// Booking and referral rules over HTTP, on the default store (SQLite): what a booking must satisfy,
// what each refusal looks like, and that slots follow their appointments in the same atomic step.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import {
  booking, futureStart, issueOf, OTHER_TYPE, post, publishSlot, put, read, referralFor, seedWorld, type Json, type World,
} from '../scheduling/support/booking-world.js';

const CANCEL_REASON = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'pat' }] };

describe('http: booking', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let w: World;
  before(async () => {
    env = await startEnvelope();
    w = await seedWorld(env);
  });
  after(() => env.stop());

  const book = (body: Json, auth = w.gp) => request(env.app).post('/fhir/Appointment').set('Authorization', auth).send(body);
  const update = (body: Json, auth = w.gp, ifMatch?: string) => {
    const r = request(env.app).put(`/fhir/Appointment/${body.id}`).set('Authorization', auth);
    return (ifMatch ? r.set('If-Match', ifMatch) : r).send(body);
  };
  const slotStatus = async (s: Json) => (await read(env, w.pas, `Slot/${s.id}`)).status as string;
  const activeOn = async (s: Json) => {
    const res = await request(env.app).get(`/fhir/Appointment?slot=Slot/${s.id}&status=proposed,pending,booked,arrived,checked-in,fulfilled,noshow`).set('Authorization', w.gp).expect(200);
    return (res.body.entry ?? []).length as number;
  };

  describe('book', () => {
    it('books a free slot: 201, the slot becomes busy in the same step, the owner is recorded', async () => {
      const slot = await publishSlot(w, futureStart());
      const res = await book(booking(w, [slot])).expect(201);
      assert.match(res.headers.location!, /\/fhir\/Appointment\/[^/]+\/_history\/1$/);
      assert.equal(res.body.meta.versionId, '1');
      assert.deepEqual(res.body.extension, [{
        url: 'https://envelope.example/fhir/StructureDefinition/appointment-owner',
        valueIdentifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A81001' },
      }]);
      const after = await read(env, w.pas, `Slot/${slot.id}`);
      assert.equal(after.status, 'busy');
      assert.equal(after.meta.versionId, '2');
      assert.equal(await activeOn(slot), 1);
    });

    it("shows a referral's booking state through Appointment?based-on", async () => {
      const referral = (await post(env, w.gp, referralFor(w.patient))).id as string;
      const slot = await publishSlot(w, futureStart());
      const appt = (await book(booking(w, [slot], { basedOn: [{ reference: `ServiceRequest/${referral}` }] })).expect(201)).body;
      const res = await request(env.app).get(`/fhir/Appointment?based-on=ServiceRequest/${referral}`).set('Authorization', w.gp).expect(200);
      assert.deepEqual(res.body.entry.map((e: Json) => [e.resource.id, e.resource.status]), [[appt.id, 'booked']]);
    });

    it('books contiguous slots of one Schedule and service type together', async () => {
      const start = futureStart();
      const a = await publishSlot(w, start);
      const b = await publishSlot(w, new Date(Date.parse(start) + 15 * 60_000).toISOString());
      const c = await publishSlot(w, new Date(Date.parse(start) + 30 * 60_000).toISOString());
      await book(booking(w, [c, a, b])).expect(201);
      for (const s of [a, b, c]) assert.equal(await slotStatus(s), 'busy');
    });

    it('pending and proposed bookings take their slots too', async () => {
      for (const status of ['pending', 'proposed']) {
        const slot = await publishSlot(w, futureStart());
        await book(booking(w, [slot], { status })).expect(201);
        assert.equal(await slotStatus(slot), 'busy');
      }
    });

    it('refuses slots with a gap, on two Schedules or of two service types (422, nothing stored)', async () => {
      const start = futureStart();
      const a = await publishSlot(w, start);
      const gap = await publishSlot(w, new Date(Date.parse(start) + 30 * 60_000).toISOString());
      const otherSchedule = await publishSlot(w, new Date(Date.parse(start) + 15 * 60_000).toISOString(), { schedule: 'sch-cardio-2' });
      const otherType = await publishSlot(w, new Date(Date.parse(start) + 15 * 60_000).toISOString(), { serviceType: OTHER_TYPE });
      const cases: [Json[], RegExp, string][] = [
        [[a, gap], /contiguous/, 'Appointment.slot[1]'],
        [[a, otherSchedule], /one Schedule/, 'Appointment.slot[1]'],
        [[a, otherType], /one service type/, 'Appointment.slot[1]'],
      ];
      for (const [slots, message, expression] of cases) {
        const res = await book(booking(w, slots)).expect(422);
        assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', expression).diagnostics, message);
      }
      for (const s of [a, gap, otherSchedule, otherType]) assert.equal(await slotStatus(s), 'free');
      assert.equal(await activeOn(a), 0);
    });

    it("refuses start/end that differ from the slots' bounds", async () => {
      const slot = await publishSlot(w, futureStart());
      const later = new Date(Date.parse(slot.start) + 60_000).toISOString();
      issueOf((await book(booking(w, [slot], { start: later })).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.start');
      issueOf((await book(booking(w, [slot], { end: later })).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.end');
      // The same instant written with another offset is the same bound.
      const offset = slot.start.replace('Z', '+00:00');
      await book(booking(w, [slot], { start: offset })).expect(201);
    });

    it('refuses a slot in the past', async () => {
      const slot = await publishSlot(w, '2020-01-06T09:00:00Z');
      const res = await book(booking(w, [slot])).expect(422);
      assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.start').diagnostics, /future/);
    });

    it('an unknown slot or referral is 422 REFERENCE_NOT_FOUND naming the reference', async () => {
      const slot = await publishSlot(w, futureStart());
      const unknownSlot = booking(w, [slot]);
      unknownSlot.slot = [{ reference: 'Slot/no-such-slot' }];
      issueOf((await book(unknownSlot).expect(422)).body, 'not-found', 'REFERENCE_NOT_FOUND', 'Appointment.slot[0]');
      const unknownReferral = booking(w, [slot], { basedOn: [{ reference: 'ServiceRequest/no-such-referral' }] });
      issueOf((await book(unknownReferral).expect(422)).body, 'not-found', 'REFERENCE_NOT_FOUND', 'Appointment.basedOn[0]');
      assert.equal(await slotStatus(slot), 'free');
    });

    it('a slot that is taken is 409 duplicate (DUPLICATE_REJECTED)', async () => {
      const slot = await publishSlot(w, futureStart());
      await book(booking(w, [slot])).expect(201);
      const res = await book(booking(w, [slot])).expect(409);
      assert.match(issueOf(res.body, 'duplicate', 'DUPLICATE_REJECTED', 'Appointment.slot[0]').diagnostics, /not free/);
      const withdrawn = await publishSlot(w, futureStart(), { status: 'busy-unavailable' });
      await book(booking(w, [withdrawn])).expect(409);
    });

    it('the referral must be active and for the same patient', async () => {
      const slot = await publishSlot(w, futureStart());
      const draft = (await post(env, w.gp, referralFor(w.patient, { status: 'draft' }))).id as string;
      const res = await book(booking(w, [slot], { basedOn: [{ reference: `ServiceRequest/${draft}` }] })).expect(422);
      assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.basedOn[0]').diagnostics, /not active/);
      const others = (await post(env, w.gp, referralFor(w.otherPatient))).id as string;
      const res2 = await book(booking(w, [slot], { basedOn: [{ reference: `ServiceRequest/${others}` }] })).expect(422);
      assert.match(issueOf(res2.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.basedOn[0]').diagnostics, /another patient/);
    });

    it('a booking needs a patient participant, its referral and its slots, and starts as a booking status', async () => {
      const slot = await publishSlot(w, futureStart());
      const noPatient = booking(w, [slot], { participant: [{ actor: { reference: 'Practitioner/x' }, status: 'accepted' }] });
      issueOf((await book(noPatient).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.participant');
      const noReferral = booking(w, [slot]);
      delete noReferral.basedOn;
      issueOf((await book(noReferral).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.basedOn');
      const noSlots = booking(w, [slot]);
      delete noSlots.slot;
      issueOf((await book(noSlots).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.slot');
      issueOf((await book(booking(w, [slot], { status: 'arrived' })).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status');
      assert.equal(await slotStatus(slot), 'free');
    });

    it('books with its referral in one transaction Bundle, whatever the order of the entries', async () => {
      const referralUrn = 'urn:uuid:6f1c1d7e-0000-4000-8000-000000000001';
      const bundle = (slot: Json, patient: string) => ({
        resourceType: 'Bundle', type: 'transaction',
        entry: [
          { resource: booking(w, [slot], { basedOn: [{ reference: referralUrn }] }), request: { method: 'POST', url: 'Appointment' } },
          { fullUrl: referralUrn, resource: referralFor(patient), request: { method: 'POST', url: 'ServiceRequest' } },
        ],
      });
      const slot = await publishSlot(w, futureStart());
      const ok = await request(env.app).post('/fhir').set('Authorization', w.gp).send(bundle(slot, w.patient)).expect(200);
      assert.deepEqual(ok.body.entry.map((e: Json) => e.response.status), ['201', '201']);
      assert.equal(await slotStatus(slot), 'busy');
      // The referral in the Bundle is for another patient: refused at the end, and nothing is stored.
      const other = await publishSlot(w, futureStart());
      const refused = await request(env.app).post('/fhir').set('Authorization', w.gp).send(bundle(other, w.otherPatient)).expect(422);
      assert.match(refused.body.issue[0].diagnostics, /another patient/);
      assert.equal(await slotStatus(other), 'free');
      assert.equal(await activeOn(other), 0);
    });

    it('a retried booking with If-None-Exist on its identifier returns the original (200), never a second one', async () => {
      const slot = await publishSlot(w, futureStart());
      const body = booking(w, [slot], { identifier: [{ system: 'urn:gp-system:booking', value: `bk-${slot.id}` }] });
      const ifNoneExist = `identifier=urn:gp-system:booking|bk-${slot.id}`;
      const first = await book(body).set('If-None-Exist', ifNoneExist).expect(201);
      const retry = await book(body).set('If-None-Exist', ifNoneExist).expect(200);
      assert.equal(retry.body.id, first.body.id);
      assert.equal(retry.body.meta.versionId, '1');
      assert.equal(await activeOn(slot), 1);
      const all = await request(env.app).get(`/fhir/Appointment?identifier=urn:gp-system:booking|bk-${slot.id}`).set('Authorization', w.gp).expect(200);
      assert.equal(all.body.entry.length, 1);
    });
  });

  describe('change and cancel', () => {
    async function booked(): Promise<{ appt: Json; slot: Json }> {
      const slot = await publishSlot(w, futureStart());
      const appt = (await book(booking(w, [slot])).expect(201)).body as Json;
      return { appt, slot };
    }

    it('cancel (If-Match, with a reason) frees the slot in the same step; the slot can be booked again', async () => {
      const { appt, slot } = await booked();
      const res = await update({ ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }, w.gp, 'W/"1"').expect(200);
      assert.equal(res.body.status, 'cancelled');
      assert.equal(await slotStatus(slot), 'free');
      assert.equal(await activeOn(slot), 0);
      await book(booking(w, [slot])).expect(201);
      assert.equal(await slotStatus(slot), 'busy');
    });

    it('cancel by JSON Patch frees the slot too', async () => {
      const { appt, slot } = await booked();
      await request(env.app).patch(`/fhir/Appointment/${appt.id}`).set('Authorization', w.gp).set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'cancelled' }, { op: 'add', path: '/cancelationReason', value: CANCEL_REASON }])).expect(200);
      assert.equal(await slotStatus(slot), 'free');
    });

    it('cancel without a reason is 422; with a stale version it is 412; neither frees the slot', async () => {
      const { appt, slot } = await booked();
      issueOf((await update({ ...appt, status: 'cancelled' }).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.cancelationReason');
      await update({ ...appt, comment: 'amended' }).expect(200);
      await update({ ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }, w.gp, 'W/"1"').expect(412);
      assert.equal(await slotStatus(slot), 'busy');
    });

    it('a cancelled appointment cannot be re-booked (422 naming the rule)', async () => {
      const { appt } = await booked();
      const cancelled = (await update({ ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }).expect(200)).body;
      // Without the cancellation reason, which R4 allows only on cancelled appointments (app-4).
      const { cancelationReason: _reason, ...rebooked } = cancelled;
      const res = await update({ ...rebooked, status: 'booked' }).expect(422);
      assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status').diagnostics, /from 'cancelled' to 'booked'.*book a new one/);
    });

    it('allows only the workflow transitions: booked → arrived → fulfilled, booked → noshow; nothing back', async () => {
      const one = await booked();
      const arrived = (await update({ ...one.appt, status: 'arrived' }).expect(200)).body;
      const fulfilled = (await update({ ...arrived, status: 'fulfilled' }).expect(200)).body;
      const back = await update({ ...fulfilled, status: 'booked' }).expect(422);
      assert.match(issueOf(back.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status').diagnostics, /cannot go from 'fulfilled' to 'booked'/);
      assert.equal(await slotStatus(one.slot), 'busy');
      const two = await booked();
      await update({ ...two.appt, status: 'noshow' }).expect(200);
      const three = await booked();
      const res = await update({ ...three.appt, status: 'pending' }).expect(422);
      assert.match(res.body.issue[0].diagnostics, /from 'booked' it can go to 'arrived', 'checked-in', 'noshow', 'cancelled', 'entered-in-error'/);
    });

    it('proposed → pending → booked; a proposal without slots books them when it is confirmed', async () => {
      const slot = await publishSlot(w, futureStart());
      const proposal = booking(w, [slot], { status: 'proposed' });
      delete proposal.slot;
      const proposed = (await book(proposal).expect(201)).body;
      assert.equal(await slotStatus(slot), 'free');
      issueOf((await update({ ...proposed, status: 'booked', slot: [{ reference: `Slot/${slot.id}` }] }).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status');
      const pending = (await update({ ...proposed, status: 'pending', slot: [{ reference: `Slot/${slot.id}` }] }).expect(200)).body;
      assert.equal(await slotStatus(slot), 'busy');
      await update({ ...pending, status: 'booked' }).expect(200);
      assert.equal(await slotStatus(slot), 'busy');
    });

    it('the slots, times and patient of a booking do not change (cancel and book instead)', async () => {
      const { appt } = await booked();
      const other = await publishSlot(w, futureStart());
      const moved = { ...appt, slot: [{ reference: `Slot/${other.id}` }], start: other.start, end: other.end };
      issueOf((await update(moved).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.slot');
      const patientSwap = { ...appt, participant: [{ actor: { reference: `Patient/${w.otherPatient}` }, status: 'accepted' }] };
      issueOf((await update(patientSwap).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.participant');
      assert.equal(await slotStatus(other), 'free');
    });

    it('only the owner marks an appointment entered-in-error, which frees its slot', async () => {
      const { appt, slot } = await booked();
      // Another practice has no relationship with the patient: refused before any rule is consulted.
      issueOf((await update({ ...appt, status: 'entered-in-error' }, w.otherGp).expect(403)).body, 'forbidden', 'NO_RELATIONSHIP');
      // The hospital is related (it performs the referral) but did not book it.
      const res = await update({ ...appt, status: 'entered-in-error' }, w.pas).expect(422);
      assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status').diagnostics, /created/);
      const eie = (await update({ ...appt, status: 'entered-in-error' }).expect(200)).body;
      assert.equal(await slotStatus(slot), 'free');
      // The owner record is the server's: a client cannot drop or forge it.
      assert.equal(eie.extension[0].valueIdentifier.value, 'A81001');
      const forged = await update({ ...eie, extension: [{ ...eie.extension[0], valueIdentifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B82002' } }] }, w.pas).expect(200);
      assert.equal(forged.body.extension[0].valueIdentifier.value, 'A81001');
    });

    it('rescheduling is cancel + book in one transaction Bundle: all of it, or none of it', async () => {
      const { appt, slot } = await booked();
      const next = await publishSlot(w, futureStart());
      const bundle = (newSlot: Json) => ({
        resourceType: 'Bundle', type: 'transaction',
        entry: [
          { resource: { ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }, request: { method: 'PUT', url: `Appointment/${appt.id}`, ifMatch: 'W/"1"' } },
          { resource: booking(w, [newSlot]), request: { method: 'POST', url: 'Appointment' } },
        ],
      });
      // The new slot is taken: the transaction fails with 409 and the old booking stands.
      const taken = await publishSlot(w, futureStart());
      await book(booking(w, [taken])).expect(201);
      const failed = await request(env.app).post('/fhir').set('Authorization', w.gp).send(bundle(taken)).expect(409);
      issueOf(failed.body, 'duplicate', 'DUPLICATE_REJECTED');
      assert.equal((await read(env, w.gp, `Appointment/${appt.id}`)).status, 'booked');
      assert.equal(await slotStatus(slot), 'busy');
      // The new slot is free: both happen together.
      const ok = await request(env.app).post('/fhir').set('Authorization', w.gp).send(bundle(next)).expect(200);
      assert.deepEqual(ok.body.entry.map((e: Json) => e.response.status), ['200', '201']);
      assert.equal((await read(env, w.gp, `Appointment/${appt.id}`)).status, 'cancelled');
      assert.equal(await slotStatus(slot), 'free');
      assert.equal(await slotStatus(next), 'busy');
    });
  });

  describe('slots (PAS)', () => {
    it('a slot starts before it ends and references an existing Schedule', async () => {
      const res = await request(env.app).put('/fhir/Slot/backwards').set('Authorization', w.pas)
        .send({ resourceType: 'Slot', id: 'backwards', schedule: { reference: 'Schedule/sch-cardio' }, status: 'free', start: '2031-06-01T10:00:00Z', end: '2031-06-01T09:45:00Z' }).expect(422);
      assert.deepEqual(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE').expression, ['Slot.start', 'Slot.end']);
      // A slot on a schedule that does not exist cannot belong to the PAS's hospital: refused as such
      // (the missing reference itself is the booking rules' REFERENCE_NOT_FOUND, test/scheduling).
      const orphan = await request(env.app).post('/fhir/Slot').set('Authorization', w.pas)
        .send({ resourceType: 'Slot', schedule: { reference: 'Schedule/none' }, status: 'free', start: '2031-06-01T10:00:00Z', end: '2031-06-01T10:15:00Z' }).expect(403);
      issueOf(orphan.body, 'forbidden', 'ACCESS_DENIED');
    });

    it('republishing a feed by conditional update on identifier is idempotent and never frees a booked slot', async () => {
      const start = futureStart();
      const feed = (status = 'free') => ({
        resourceType: 'Slot', identifier: [{ system: 'urn:pas:slot', value: `feed-${start}` }], schedule: { reference: 'Schedule/sch-cardio' },
        status, start, end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
      });
      const first = await request(env.app).put(`/fhir/Slot?identifier=urn:pas:slot|feed-${start}`).set('Authorization', w.pas).send(feed()).expect(201);
      await request(env.app).put(`/fhir/Slot?identifier=urn:pas:slot|feed-${start}`).set('Authorization', w.pas).send(feed()).expect(200);
      const slot = first.body as Json;
      await book(booking(w, [slot])).expect(201);
      const again = await request(env.app).put(`/fhir/Slot?identifier=urn:pas:slot|feed-${start}`).set('Authorization', w.pas).send(feed()).expect(200);
      assert.equal(again.body.id, slot.id);
      assert.equal(again.body.status, 'busy');
      assert.equal(await activeOn(slot), 1);
    });

    it('a PAS withdraws a free slot, but not one that holds a booked appointment', async () => {
      const free = await publishSlot(w, futureStart());
      await put(env, w.pas, { ...free, status: 'busy-unavailable' });
      const taken = await publishSlot(w, futureStart());
      const appt = (await book(booking(w, [taken])).expect(201)).body;
      const current = await read(env, w.pas, `Slot/${taken.id}`);
      for (const status of ['busy-unavailable', 'entered-in-error']) {
        const res = await request(env.app).put(`/fhir/Slot/${taken.id}`).set('Authorization', w.pas).send({ ...current, status }).expect(422);
        assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Slot.status').diagnostics, /cancel the appointment first/);
      }
      const moved = { ...current, start: new Date(Date.parse(current.start) + 3_600_000).toISOString(), end: new Date(Date.parse(current.end) + 3_600_000).toISOString() };
      await request(env.app).put(`/fhir/Slot/${taken.id}`).set('Authorization', w.pas).send(moved).expect(422);
      const del = await request(env.app).delete(`/fhir/Slot/${taken.id}`).set('Authorization', w.pas).expect(422);
      issueOf(del.body, 'business-rule', 'INVALID_RESOURCE', 'Slot');
      // Once the appointment is cancelled, the slot can go.
      await update({ ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }).expect(200);
      await request(env.app).delete(`/fhir/Slot/${taken.id}`).set('Authorization', w.pas).expect(204);
    });

    it('a Schedule with slots still offered cannot be deleted; once they are withdrawn it can', async () => {
      await put(env, w.pas, { resourceType: 'Schedule', id: 'sch-temp', active: true, actor: [{ reference: 'HealthcareService/cardio' }], serviceType: [{ coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/NHSDataModelAndDictionary-treatment-function', code: '320' }] }] });
      const slot = await publishSlot(w, futureStart(), { schedule: 'sch-temp' });
      const refused = await request(env.app).delete('/fhir/Schedule/sch-temp').set('Authorization', w.pas).expect(422);
      assert.match(issueOf(refused.body, 'business-rule', 'INVALID_RESOURCE', 'Schedule').diagnostics, /withdraw or delete its slots first/);
      await read(env, w.pas, `Slot/${slot.id}`);
      await put(env, w.pas, { ...(await read(env, w.pas, `Slot/${slot.id}`)), status: 'busy-unavailable' });
      await request(env.app).delete('/fhir/Schedule/sch-temp').set('Authorization', w.pas).expect(204);
    });
  });

  describe('referral lifecycle', () => {
    const referrals = (body: Json, auth = w.gp) => request(env.app).put(`/fhir/ServiceRequest/${body.id}`).set('Authorization', auth).send(body);

    it('draft → active → completed; no way back; the patient stays fixed once sent', async () => {
      const draft = await post(env, w.gp, referralFor(w.patient, { status: 'draft' }));
      const active = (await referrals({ ...draft, status: 'active' }).expect(200)).body;
      issueOf((await referrals({ ...active, status: 'draft' }).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'ServiceRequest.status');
      issueOf((await referrals({ ...active, subject: { reference: `Patient/${w.otherPatient}` } }).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'ServiceRequest.subject');
      const completed = (await referrals({ ...active, status: 'completed' }).expect(200)).body;
      const res = await referrals({ ...completed, status: 'active' }).expect(422);
      assert.match(res.body.issue[0].diagnostics, /cannot go from 'completed' to 'active'/);
      await referrals({ ...completed, status: 'entered-in-error' }).expect(200);
      issueOf((await request(env.app).post('/fhir/ServiceRequest').set('Authorization', w.gp).send(referralFor(w.patient, { status: 'on-hold' })).expect(422)).body,
        'business-rule', 'INVALID_RESOURCE', 'ServiceRequest.status');
    });

    it('revoking a referral cancels its upcoming appointments and frees their slots in the same step', async () => {
      const referral = await post(env, w.gp, referralFor(w.patient));
      const basedOn = [{ reference: `ServiceRequest/${referral.id}` }];
      const s1 = await publishSlot(w, futureStart());
      const s2 = await publishSlot(w, futureStart());
      const a1 = (await book(booking(w, [s1], { basedOn })).expect(201)).body;
      const a2 = (await book(booking(w, [s2], { basedOn, status: 'pending' })).expect(201)).body;
      const other = await publishSlot(w, futureStart());
      const unrelated = (await book(booking(w, [other])).expect(201)).body;
      await referrals({ ...referral, status: 'revoked' }).expect(200);
      for (const a of [a1, a2]) {
        const after = await read(env, w.gp, `Appointment/${a.id}`);
        assert.equal(after.status, 'cancelled');
        assert.match(after.cancelationReason.text, /revoked/);
      }
      assert.equal(await slotStatus(s1), 'free');
      assert.equal(await slotStatus(s2), 'free');
      assert.equal((await read(env, w.gp, `Appointment/${unrelated.id}`)).status, 'booked');
      assert.equal(await slotStatus(other), 'busy');
      // A revoked referral books nothing more.
      const s3 = await publishSlot(w, futureStart());
      await book(booking(w, [s3], { basedOn })).expect(422);
    });
  });
});

describe('http: booking rules that depend on the time', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let w: World;
  let now = new Date('2031-03-01T08:00:00Z');
  before(async () => {
    env = await startEnvelope({}, { now: () => now });
    w = await seedWorld(env);
  });
  after(() => env.stop());

  it('an appointment that has started or is past cannot be cancelled', async () => {
    const slot = await publishSlot(w, '2031-03-02T09:00:00Z');
    const appt = (await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [slot])).expect(201)).body;
    now = new Date('2031-03-02T09:00:00Z');
    const res = await request(env.app).put(`/fhir/Appointment/${appt.id}`).set('Authorization', w.gp)
      .send({ ...appt, status: 'cancelled', cancelationReason: CANCEL_REASON }).expect(422);
    assert.match(issueOf(res.body, 'business-rule', 'INVALID_RESOURCE', 'Appointment.status').diagnostics, /past/);
  });

  it('revoking a referral leaves its past appointments alone', async () => {
    now = new Date('2031-04-01T08:00:00Z');
    const referral = await post(env, w.gp, referralFor(w.patient));
    const basedOn = [{ reference: `ServiceRequest/${referral.id}` }];
    const past = await publishSlot(w, '2031-04-02T09:00:00Z');
    const ahead = await publishSlot(w, '2031-04-09T09:00:00Z');
    const a1 = (await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [past], { basedOn })).expect(201)).body;
    const a2 = (await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [ahead], { basedOn })).expect(201)).body;
    now = new Date('2031-04-05T08:00:00Z');
    await request(env.app).put(`/fhir/ServiceRequest/${referral.id}`).set('Authorization', w.gp).send({ ...referral, status: 'revoked' }).expect(200);
    assert.equal((await read(env, w.gp, `Appointment/${a1.id}`)).status, 'booked');
    assert.equal((await read(env, w.gp, `Appointment/${a2.id}`)).status, 'cancelled');
  });
});
