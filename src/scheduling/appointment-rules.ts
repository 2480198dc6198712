// Appointment writes: booking (create, or a proposal confirmed with slots), amendments, status
// changes, cancellation and deletion. Slot status follows the appointment in the same transaction:
// claimed slots become busy, released ones free.
import type { r4 } from '../domain/fhir.js';
import {
  checkAvailable, checkBounds, checkFuture, checkTogether, patientOf, slotRefs, type SlotAt,
} from './booking-checks.js';
import { carryExtension } from './extensions.js';
import { isOwner, OWNER_EXTENSION, withOwner } from './owner.js';
import type { FollowUp, RuleContext, RuleOutcome, WriteIntent } from './port.js';
import { checkReferrals } from './referral-link.js';
import { referenceNotFound, ruleBroken } from './rule-errors.js';
import { claimSlot, freeSlotsOf } from './slot-claims.js';
import { CREATE_STATUSES, HOLDS_SLOTS, NEEDS_SLOTS } from './statuses.js';
import { APPOINTMENT_TRANSITIONS, forbiddenTransition } from './transitions.js';

export async function appointmentRules(intent: WriteIntent, ctx: RuleContext): Promise<RuleOutcome> {
  const current = intent.current && !intent.current.deleted ? (intent.current.resource as r4.Appointment) : undefined;
  if (intent.kind === 'delete') return deleteAppointment(current);
  const next = intent.resource as r4.Appointment;
  return current ? changeAppointment(current, next, ctx) : createAppointment(next, ctx);
}

async function createAppointment(next: r4.Appointment, ctx: RuleContext): Promise<RuleOutcome> {
  if (!CREATE_STATUSES.has(next.status)) {
    throw ruleBroken(`A new appointment is proposed, pending, booked or waitlist, not '${next.status}'`, 'Appointment.status');
  }
  requireSlotsFor(next);
  const patient = patientOf(next);
  const books = HOLDS_SLOTS.has(next.status) && (next.slot?.length ?? 0) > 0;
  const followUps = books ? await claimSlots(next, ctx) : [];
  const deferred = await checkReferrals(next, patient, ctx.reader, books);
  return { resource: withOwner(next, ctx.principal), followUps, deferred };
}

async function changeAppointment(prev: r4.Appointment, next: r4.Appointment, ctx: RuleContext): Promise<RuleOutcome> {
  const from = prev.status;
  const to = next.status;
  const forbidden = forbiddenTransition(APPOINTMENT_TRANSITIONS, from, to);
  if (forbidden) throw ruleBroken(from === 'cancelled' ? `${forbidden} (a cancelled appointment is not re-booked: book a new one)` : forbidden, 'Appointment.status');
  if (to === 'entered-in-error' && from !== to && isOwner(prev, ctx.principal) === false) {
    throw ruleBroken('Only the organisation that created an appointment can mark it entered-in-error', 'Appointment.status');
  }
  if (to === 'cancelled' && from !== to) checkCancellable(prev, next, ctx.now);
  requireSlotsFor(next);
  keepIdentity(prev, next);

  const before = HOLDS_SLOTS.has(from) ? (prev.slot ?? []) : [];
  const after = HOLDS_SLOTS.has(to) ? (next.slot ?? []) : [];
  const resource = carryExtension(next, prev, OWNER_EXTENSION);
  if (before.length === 0 && after.length > 0) {
    // A proposal or waitlist entry confirmed with slots: this is the booking.
    const followUps = await claimSlots(next, ctx);
    const deferred = await checkReferrals(next, patientOf(next), ctx.reader, true);
    return { resource, followUps, deferred };
  }
  if (before.length > 0 && after.length === 0) return { resource, followUps: await freeSlotsOf(prev, ctx.reader) };
  return { resource, followUps: [] };
}

function deleteAppointment(current: r4.Appointment | undefined): RuleOutcome {
  if (current && HOLDS_SLOTS.has(current.status) && (current.slot?.length ?? 0) > 0) {
    throw ruleBroken('An appointment that has its slots cannot be deleted: cancel it (status cancelled with a reason) to free them', 'Appointment');
  }
  return { followUps: [] };
}

function requireSlotsFor(a: r4.Appointment): void {
  if (NEEDS_SLOTS.has(a.status) && (a.slot?.length ?? 0) === 0) {
    throw ruleBroken(`An appointment in status '${a.status}' references the slots it books`, 'Appointment.slot');
  }
  if (!HOLDS_SLOTS.has(a.status) && a.status !== 'cancelled' && a.status !== 'entered-in-error' && (a.slot?.length ?? 0) > 0) {
    throw ruleBroken(`An appointment in status '${a.status}' has no slots`, 'Appointment.slot');
  }
}

/** Reads, checks and claims every slot of a booking. */
async function claimSlots(a: r4.Appointment, ctx: RuleContext): Promise<FollowUp[]> {
  const stored = [];
  for (const { ref, expression } of slotRefs(a)) {
    const found = await ctx.reader.read('Slot', ref.id);
    if (!found || found.deleted) throw referenceNotFound(`Slot/${ref.id} is not known`, expression);
    stored.push({ found, expression });
  }
  const slots: SlotAt[] = stored.map(({ found, expression }) => ({ slot: found.resource as r4.Slot, expression }));
  for (const s of slots) checkAvailable(s, ctx.principal, ctx.now);
  checkBounds(a, checkTogether(slots));
  checkFuture(a, ctx.now);
  return stored.map(({ found, expression }) => claimSlot(found, expression));
}

function checkCancellable(prev: r4.Appointment, next: r4.Appointment, now: Date): void {
  if (!next.cancelationReason) throw ruleBroken('Cancelling an appointment needs a reason (cancelationReason)', 'Appointment.cancelationReason');
  if (prev.start && Date.parse(prev.start) <= now.getTime()) {
    throw ruleBroken('An appointment that has started or is past cannot be cancelled', 'Appointment.status');
  }
}

/**
 * What was booked stays booked: the slots, times and patient of an appointment do not change. To
 * move an appointment, cancel it and book a new one (one transaction Bundle does both atomically).
 */
function keepIdentity(prev: r4.Appointment, next: r4.Appointment): void {
  const prevSlots = (prev.slot ?? []).map((s) => s.reference).sort().join(' ');
  if (prevSlots !== '') {
    const nextSlots = (next.slot ?? []).map((s) => s.reference).sort().join(' ');
    if (nextSlots !== prevSlots) throw ruleBroken('The slots of a booked appointment cannot change: cancel it and book a new one', 'Appointment.slot');
    if (!sameInstant(prev.start, next.start)) throw ruleBroken('The start of a booked appointment cannot change: cancel it and book a new one', 'Appointment.start');
    if (!sameInstant(prev.end, next.end)) throw ruleBroken('The end of a booked appointment cannot change: cancel it and book a new one', 'Appointment.end');
  }
  const prevPatient = (prev.participant ?? []).find((p) => p.actor?.reference?.includes('Patient/'))?.actor?.reference;
  const nextPatient = (next.participant ?? []).find((p) => p.actor?.reference?.includes('Patient/'))?.actor?.reference;
  if (prevPatient !== undefined && prevPatient !== nextPatient) {
    throw ruleBroken('The patient of an appointment cannot change', 'Appointment.participant');
  }
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && Date.parse(a) === Date.parse(b));
}
