// The status state machines, table-driven.
import assert from 'node:assert/strict';
import { APPOINTMENT_TRANSITIONS, forbiddenTransition, REFERRAL_TRANSITIONS } from '../../src/scheduling/transitions.js';

const APPOINTMENT = ['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'waitlist'];
const ALLOWED_APPOINTMENT = new Set([
  'proposed>pending', 'pending>booked', 'booked>arrived', 'booked>checked-in', 'arrived>fulfilled', 'checked-in>fulfilled',
  'booked>noshow', 'proposed>cancelled', 'pending>cancelled', 'booked>cancelled',
  'waitlist>proposed', 'waitlist>pending', 'waitlist>booked', 'waitlist>cancelled',
]);

const REFERRAL = ['draft', 'active', 'completed', 'revoked', 'entered-in-error'];
const ALLOWED_REFERRAL = new Set(['draft>active', 'draft>revoked', 'active>completed', 'active>revoked']);

describe('scheduling: status transitions', () => {
  for (const [name, machine, statuses, allowed] of [
    ['Appointment', APPOINTMENT_TRANSITIONS, APPOINTMENT, ALLOWED_APPOINTMENT],
    ['ServiceRequest', REFERRAL_TRANSITIONS, REFERRAL, ALLOWED_REFERRAL],
  ] as const) {
    it(`${name}: exactly the workflow's moves, staying put, and any → entered-in-error`, () => {
      for (const from of statuses) {
        for (const to of statuses) {
          const expectAllowed = from === to || to === 'entered-in-error' || allowed.has(`${from}>${to}`);
          const rule = forbiddenTransition(machine, from, to);
          assert.equal(rule === undefined, expectAllowed, `${from} → ${to}: ${rule ?? 'allowed'}`);
          if (rule) assert.match(rule, new RegExp(`from '${from}' to '${to}'`));
        }
      }
    });
  }

  it('names the moves that are allowed from where the resource is', () => {
    assert.equal(
      forbiddenTransition(APPOINTMENT_TRANSITIONS, 'booked', 'pending'),
      "Appointment status cannot go from 'booked' to 'pending': from 'booked' it can go to 'arrived', 'checked-in', 'noshow', 'cancelled', 'entered-in-error'",
    );
    assert.match(forbiddenTransition(APPOINTMENT_TRANSITIONS, 'cancelled', 'booked')!, /it can go to 'entered-in-error'$/);
    assert.match(forbiddenTransition(REFERRAL_TRANSITIONS, 'on-hold', 'active')!, /outside the workflow/);
  });
});
