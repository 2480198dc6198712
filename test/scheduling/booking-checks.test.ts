// The pure booking checks: availability (with holds), slots that fit together, bounds, the future.
import assert from 'node:assert/strict';
import type { r4 } from '../../src/domain/fhir.js';
import type { Principal } from '../../src/domain/principal.js';
import { checkAvailable, checkBounds, checkFuture, checkTogether, patientOf, slotRefs, type SlotAt } from '../../src/scheduling/booking-checks.js';
import { held, holdFor, holdOf, isLapsedHold, liveHold, unheld } from '../../src/scheduling/hold.js';
import { FhirError } from '../../src/domain/errors.js';

const NOW = new Date('2031-01-01T08:00:00Z');
const me: Principal = { sub: 'dr-jones', organization: 'A81001', authMethod: 'jwt', role: 'gp-clinician', scopes: [] };
const colleague: Principal = { ...me, sub: 'dr-smith' };
const TYPE = [{ coding: [{ system: 'http://snomed.info/sct', code: '1' }] }];

function slot(id: string, start: string, minutes = 15, extra: Partial<r4.Slot> = {}): r4.Slot {
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
  return { resourceType: 'Slot', id, schedule: { reference: 'Schedule/s' }, serviceType: TYPE, status: 'free', start, end, ...extra };
}
const at = (s: r4.Slot, i = 0): SlotAt => ({ slot: s, expression: `Appointment.slot[${i}]` });

function refusal(fn: () => unknown): { status: number; code: string; expression?: string[]; diagnostics: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FhirError);
    const i = e.issues[0]!;
    const out: { status: number; code: string; expression?: string[]; diagnostics: string } = { status: e.status, code: i.code, diagnostics: i.diagnostics };
    if (i.expression) out.expression = i.expression;
    return out;
  }
  assert.fail('expected a refusal');
}

describe('scheduling: booking checks', () => {
  it('a free slot is available; a busy or withdrawn one is 409 duplicate', () => {
    checkAvailable(at(slot('a', '2031-02-01T09:00:00Z')), me, NOW);
    for (const status of ['busy', 'busy-unavailable', 'entered-in-error', 'busy-tentative'] as const) {
      const r = refusal(() => checkAvailable(at(slot('a', '2031-02-01T09:00:00Z', 15, { status })), me, NOW));
      assert.equal(r.status, 409);
      assert.equal(r.code, 'duplicate');
      assert.deepEqual(r.expression, ['Appointment.slot[0]']);
    }
  });

  it('a held slot is available to its holder only, and to anyone once the hold lapses', () => {
    const h = held(slot('a', '2031-02-01T09:00:00Z'), holdFor(me, NOW, 5));
    assert.equal(h.status, 'busy-tentative');
    assert.deepEqual(holdOf(h), { holder: 'dr-jones', organization: 'A81001', expires: '2031-01-01T08:05:00.000Z' });
    checkAvailable(at(h), me, NOW);
    assert.equal(refusal(() => checkAvailable(at(h), colleague, NOW)).status, 409);
    assert.equal(refusal(() => checkAvailable(at(h), { ...me, organization: 'B82002' }, NOW)).status, 409);
    const later = new Date('2031-01-01T08:05:00Z');
    assert.equal(liveHold(h, later), undefined);
    assert.equal(isLapsedHold(h, later), true);
    checkAvailable(at(h), colleague, later);
    assert.equal(holdOf(unheld(h)), undefined);
  });

  it('slots together: contiguous, one Schedule, one service type; returned in time order', () => {
    const a = slot('a', '2031-02-01T09:00:00Z');
    const b = slot('b', '2031-02-01T09:15:00Z');
    assert.deepEqual(checkTogether([at(b, 0), at(a, 1)]).map((s) => s.slot.id), ['a', 'b']);
    assert.match(refusal(() => checkTogether([at(a), at(slot('c', '2031-02-01T09:30:00Z'), 1)])).diagnostics, /contiguous/);
    assert.match(refusal(() => checkTogether([at(a), at({ ...b, schedule: { reference: 'Schedule/t' } }, 1)])).diagnostics, /one Schedule/);
    assert.match(refusal(() => checkTogether([at(a), at({ ...b, serviceType: [] }, 1)])).diagnostics, /one service type/);
    assert.deepEqual(refusal(() => checkTogether([at(a), at(slot('o', '2031-02-01T09:05:00Z'), 1)])).expression, ['Appointment.slot[1]']);
  });

  it("the appointment's start and end are its slots' bounds, as instants", () => {
    const ordered = [at(slot('a', '2031-02-01T09:00:00Z')), at(slot('b', '2031-02-01T09:15:00Z'))];
    checkBounds({ resourceType: 'Appointment', status: 'booked', participant: [], start: '2031-02-01T10:00:00+01:00', end: '2031-02-01T09:30:00Z' }, ordered);
    const r = refusal(() => checkBounds({ resourceType: 'Appointment', status: 'booked', participant: [], start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z' }, ordered));
    assert.deepEqual(r.expression, ['Appointment.end']);
    assert.equal(r.status, 422);
  });

  it('only a future appointment can be booked', () => {
    checkFuture({ resourceType: 'Appointment', status: 'booked', participant: [], start: '2031-01-01T08:00:01Z' }, NOW);
    assert.equal(refusal(() => checkFuture({ resourceType: 'Appointment', status: 'booked', participant: [], start: '2031-01-01T08:00:00Z' }, NOW)).status, 422);
  });

  it('references: local Slot/[id] once each; exactly one patient participant', () => {
    const appt = (extra: Partial<r4.Appointment>): r4.Appointment => ({ resourceType: 'Appointment', status: 'booked', participant: [], ...extra });
    assert.deepEqual(slotRefs(appt({ slot: [{ reference: 'Slot/a' }] })).map((s) => s.ref), [{ type: 'Slot', id: 'a' }]);
    assert.deepEqual(refusal(() => slotRefs(appt({ slot: [{ reference: 'Slot/a' }, { reference: 'Slot/a' }] }))).expression, ['Appointment.slot[1]']);
    assert.deepEqual(refusal(() => slotRefs(appt({ slot: [{ reference: 'https://elsewhere.example/Slot/a' }] }))).expression, ['Appointment.slot[0]']);
    const two = appt({ participant: [{ actor: { reference: 'Patient/1' }, status: 'accepted' }, { actor: { reference: 'Patient/2' }, status: 'accepted' }] });
    assert.deepEqual(refusal(() => patientOf(two)).expression, ['Appointment.participant[1]']);
    assert.deepEqual(patientOf(appt({ participant: [{ actor: { reference: 'Location/x' }, status: 'accepted' }, { actor: { reference: 'Patient/1' }, status: 'accepted' }] })), { type: 'Patient', id: '1' });
  });
});
