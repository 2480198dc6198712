// The benchmark's write scenarios draw requests a real client would send and check answers strictly:
// a booking takes each slot once unless it contends on purpose, and only then may 409 be an answer;
// every created referral is new and asked for by the patient's own practice.
import { expect } from 'chai';
import { Rng } from '../../scripts/estate/prng.js';
import { DEFAULT_SPEC } from '../../scripts/estate/spec.js';
import { buildDirectory } from '../../scripts/estate/directory.js';
import type { PracticeIndex } from '../../scripts/bench/practices.js';
import type { BenchRequest, ScenarioContext } from '../../scripts/bench/scenario.js';
import { bookingScenario, type BookingPool } from '../../scripts/bench/scenarios/booking.js';
import { createReferral } from '../../scripts/bench/scenarios/create.js';
import { windowStarts } from '../../scripts/bench/scenarios/search.js';
import { manifest } from './fixtures.js';

const slotOf = (r: BenchRequest) => (JSON.parse(r.body!) as { slot: { reference: string }[] }).slot[0]!.reference;
const pool = (contended: number): BookingPool => ({ slots: 1_000, patients: 50, firstStartMs: Date.UTC(2030, 0, 1), contended });
const auth = (ods: string) => `Bearer token-of-${ods}`;
const booked = (slot: string) => JSON.stringify({ resourceType: 'Appointment', id: 'x1', status: 'booked', slot: [{ reference: slot }] });

describe('bench: booking scenario', () => {
  it('hands out every slot once across all instances of a run (pre-flight, one connection, load)', () => {
    const s = bookingScenario(pool(0));
    const a = s.create({ rng: new Rng(1), authFor: auth });
    const b = s.create({ rng: new Rng(2), authFor: auth });
    const slots = [...Array.from({ length: 30 }, () => slotOf(a.next())), ...Array.from({ length: 30 }, () => slotOf(b.next()))];
    expect(new Set(slots).size).to.equal(60);
  });

  it("books as the pool's practice", () => {
    const r = bookingScenario(pool(0)).create({ rng: new Rng(1), authFor: auth }).next();
    expect(r.method).to.equal('POST');
    expect(r.headers).to.include({ authorization: 'Bearer token-of-A99001', 'content-type': 'application/fhir+json' });
  });

  it('accepts 409 only for a booking that contended for a slot already handed out', () => {
    const fresh = bookingScenario(pool(0)).create({ rng: new Rng(1), authFor: auth });
    const r = fresh.next();
    expect(() => fresh.check(409, '{"resourceType":"OperationOutcome"}')).to.throw('HTTP 409');
    expect(fresh.check(201, booked(slotOf(r)))).to.deep.equal({ matches: 1, included: 0 });
    expect(() => fresh.check(201, JSON.stringify({ resourceType: 'Appointment', id: 'x', status: 'proposed' }))).to.throw('not a booked Appointment');
    expect(() => fresh.check(429, '{}')).to.throw('HTTP 429');

    // Nearly every booking contends once one slot is out: the second re-aims at a slot handed out before.
    const contending = bookingScenario(pool(0.999)).create({ rng: new Rng(1), authFor: auth });
    const first = slotOf(contending.next());
    expect(() => contending.check(409, '{}')).to.throw('HTTP 409'); // the first had nothing to contend for
    expect(slotOf(contending.next())).to.equal(first);
    expect(contending.check(409, '{"resourceType":"OperationOutcome"}')).to.deep.equal({ matches: 0, included: 0 });
    expect(bookingScenario(pool(0)).expectedStatuses).to.deep.equal([409]);
  });
});

describe('bench: create.referral scenario', () => {
  const practices: PracticeIndex = {
    codes: ['A1', 'A2'],
    ofPatient: (id) => ({ p1: 'A1', p2: 'A2' })[id as 'p1' | 'p2'],
    ofRequester: () => { throw new Error('not used'); },
    gpRolesOf: (ods) => ({ A1: ['role-a1'], A2: ['role-a2'] })[ods as 'A1' | 'A2'],
  };
  const m = manifest();
  m.samples.appointments = [{ patient: 'p1', start: '2026-03-02T09:00:00+00:00', id: 'a1' }, { patient: 'p2', start: '2026-03-03T09:00:00+00:00', id: 'a2' }];
  m.samples.services = [{ id: 'svc-1', serviceType: '101' }];
  const ctx = (seed: number): ScenarioContext => ({ manifest: m, rng: new Rng(seed), practices, authFor: auth });
  type Sent = { identifier: { value: string }[]; status: string; subject: { reference: string }; requester: { reference: string }; performer: { reference: string }[] };

  it('sends a new draft referral each time, by a GP of the patient\'s own practice', () => {
    const a = createReferral.create(ctx(1));
    const b = createReferral.create(ctx(2));
    const sent = [...Array.from({ length: 40 }, () => a.next()), ...Array.from({ length: 40 }, () => b.next())];
    const ubrns = sent.map((r) => (JSON.parse(r.body!) as Sent).identifier[0]!.value);
    expect(new Set(ubrns).size).to.equal(80);
    for (const u of ubrns) expect(u).to.match(/^\d{12}$/);
    for (const r of sent) {
      const body = JSON.parse(r.body!) as Sent;
      const ods = practices.ofPatient(body.subject.reference.replace('Patient/', ''));
      expect(r.method).to.equal('POST');
      expect(r.path).to.equal('/fhir/ServiceRequest');
      expect(r.headers!.authorization).to.equal(`Bearer token-of-${ods}`);
      expect(body.requester.reference).to.equal(`PractitionerRole/${practices.gpRolesOf(ods)[0]}`);
      expect(body.status).to.equal('draft');
      expect(body.performer[0]!.reference).to.equal('HealthcareService/svc-1');
    }
  });

  it('accepts only a 201 carrying the referral it sent', () => {
    const inst = createReferral.create(ctx(3));
    const body = JSON.parse(inst.next().body!) as Sent;
    const created = { resourceType: 'ServiceRequest', id: 'new-1', status: 'draft', identifier: body.identifier };
    expect(inst.check(201, JSON.stringify(created))).to.deep.equal({ matches: 1, included: 0 });
    expect(() => inst.check(200, JSON.stringify(created))).to.throw('HTTP 200');
    expect(() => inst.check(403, '{"resourceType":"OperationOutcome"}')).to.throw('HTTP 403');
    expect(() => inst.check(201, JSON.stringify({ ...created, identifier: [{ value: '000000000001' }] }))).to.throw('not the one sent');
    expect(() => inst.check(201, JSON.stringify({ ...created, status: 'active' }))).to.throw('not the created ServiceRequest');
  });

  it('needs a seeded estate and per-practice tokens', () => {
    expect(() => createReferral.create({ rng: new Rng(1), practices, authFor: auth })).to.throw('seeded estate');
    expect(() => createReferral.create({ manifest: m, rng: new Rng(1) })).to.throw('per-practice tokens');
  });
});

describe('bench: free-slot search windows', () => {
  it('draws from every two-week window of the full-size year, as the recorded runs did', () => {
    expect(windowStarts(DEFAULT_SPEC, 364)).to.equal(364 - 13);
  });

  it('keeps a small estate\'s windows on weeks the generator filled', () => {
    const small = { ...DEFAULT_SPEC, slots: 20_000, patients: 2_000 };
    const fullWeeks = Math.floor(small.slots / buildDirectory(small).slotsPerWeek);
    expect(fullWeeks).to.be.lessThan(51);
    const starts = windowStarts(small, 364);
    // The last window (first day starts - 1) still has seven days in filled weeks.
    expect(starts - 1 + 7).to.equal(fullWeeks * 7);
  });
});
