// Pure checks of a booking (GP Connect "book an appointment", domain-requirements §1.4-1.5): the
// slots are free, fit together, and bound the appointment, which lies ahead. No I/O here: the caller
// reads the slots and passes them in.
import type { r4 } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import { isHolder, isLapsedHold, liveHold } from './hold.js';
import { localRef, type LocalRef } from './references.js';
import { ruleBroken, slotTaken } from './rule-errors.js';

/** A slot the appointment references, with where it is referenced. */
export interface SlotAt {
  slot: r4.Slot;
  /** `Appointment.slot[i]`. */
  expression: string;
}

/** The Slot references of an appointment, each a local `Slot/id`, none twice. */
export function slotRefs(appointment: r4.Appointment): { ref: LocalRef; expression: string }[] {
  const seen = new Set<string>();
  return (appointment.slot ?? []).map((s, i) => {
    const expression = `Appointment.slot[${i}]`;
    const ref = localRef(s.reference);
    if (!ref || ref.type !== 'Slot') throw ruleBroken('A slot must be referenced as Slot/[id] on this server', expression);
    if (seen.has(ref.id)) throw ruleBroken(`Slot/${ref.id} is referenced twice`, expression);
    seen.add(ref.id);
    return { ref, expression };
  });
}

/** The one patient participant of an appointment. */
export function patientOf(appointment: r4.Appointment): LocalRef {
  const patients = (appointment.participant ?? [])
    .map((p, i) => ({ ref: localRef(p.actor?.reference), raw: p.actor?.reference, i }))
    .filter((p) => p.ref?.type === 'Patient' || p.raw?.includes('Patient/'));
  if (patients.length === 0) throw ruleBroken('An appointment needs a patient participant (participant.actor = Patient/[id])', 'Appointment.participant');
  if (patients.length > 1) throw ruleBroken('An appointment has exactly one patient participant', `Appointment.participant[${patients[1]!.i}]`);
  const only = patients[0]!;
  if (!only.ref) throw ruleBroken('The patient must be referenced as Patient/[id] on this server', `Appointment.participant[${only.i}].actor`);
  return only.ref;
}

/** Free, or held by this principal, or held by someone whose hold has lapsed; else 409. */
export function checkAvailable({ slot, expression }: SlotAt, principal: Principal, now: Date): void {
  if (slot.status === 'free' || isLapsedHold(slot, now)) return;
  const hold = liveHold(slot, now);
  if (hold && isHolder(hold, principal)) return;
  throw slotTaken(hold ? `Slot/${slot.id} is held for someone else` : `Slot/${slot.id} is not free`, expression);
}

/** Several slots book together only when they follow on without a gap, on one Schedule, of one service type. */
export function checkTogether(slots: SlotAt[]): SlotAt[] {
  const ordered = [...slots].sort((a, b) => Date.parse(a.slot.start) - Date.parse(b.slot.start));
  const first = ordered[0]!;
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const cur = ordered[i]!;
    if (cur.slot.schedule.reference !== first.slot.schedule.reference) {
      throw ruleBroken('Slots booked together must be on one Schedule', cur.expression);
    }
    if (serviceTypeKey(cur.slot) !== serviceTypeKey(first.slot)) {
      throw ruleBroken('Slots booked together must be of one service type', cur.expression);
    }
    if (Date.parse(cur.slot.start) !== Date.parse(prev.slot.end)) {
      throw ruleBroken('Slots booked together must be contiguous: each starts when the previous one ends', cur.expression);
    }
  }
  return ordered;
}

function serviceTypeKey(slot: r4.Slot): string {
  const codes = (slot.serviceType ?? []).flatMap((c) => (c.coding ?? []).map((x) => `${x.system ?? ''}|${x.code ?? ''}`));
  return [...new Set(codes)].sort().join(',');
}

/** The appointment starts when its first slot starts and ends when its last slot ends. */
export function checkBounds(appointment: r4.Appointment, ordered: SlotAt[]): void {
  const first = ordered[0]!.slot;
  const last = ordered[ordered.length - 1]!.slot;
  if (!appointment.start || Date.parse(appointment.start) !== Date.parse(first.start)) {
    throw ruleBroken("Appointment.start must equal the start of its (first) slot", 'Appointment.start');
  }
  if (!appointment.end || Date.parse(appointment.end) !== Date.parse(last.end)) {
    throw ruleBroken("Appointment.end must equal the end of its (last) slot", 'Appointment.end');
  }
}

/** Only appointments that lie ahead can be booked. */
export function checkFuture(appointment: r4.Appointment, now: Date): void {
  if (!appointment.start || Date.parse(appointment.start) <= now.getTime()) {
    throw ruleBroken('Only a future appointment can be booked', 'Appointment.start');
  }
}
