// The Slot writes that go with a booking or a cancellation: FollowUps, written in the same
// transaction and guarded by the version the rules read, so a slot claimed by a concurrent writer in
// between turns the whole booking into a 409 instead of a second appointment on the slot.
import { errors } from '../domain/errors.js';
import type { r4 } from '../domain/fhir.js';
import { followUp, type FollowUp, type RuleReader, type StoredResource } from './port.js';
import { unheld } from './hold.js';
import { localRef } from './references.js';
import { slotTaken } from './rule-errors.js';

/** Marks the slot `busy` (its hold, if any, is consumed). */
export function claimSlot(slot: StoredResource, expression: string): FollowUp {
  const s = slot.resource as r4.Slot;
  const busy: r4.Slot = { ...unheld(s), status: 'busy' };
  return followUp(busy, slot.versionId, () => slotTaken(`Slot/${s.id} was booked by someone else at the same moment`, expression));
}

/** Marks the slot `free` again. */
export function releaseSlot(slot: StoredResource): FollowUp {
  const s = slot.resource as r4.Slot;
  const free: r4.Slot = { ...unheld(s), status: 'free' };
  return followUp(free, slot.versionId, () => errors.conflict(`Slot/${s.id} changed while it was being freed; retry the request`));
}

/** Frees the slots an appointment had: those still busy (a withdrawn slot stays withdrawn). */
export async function freeSlotsOf(a: r4.Appointment, reader: RuleReader): Promise<FollowUp[]> {
  const out: FollowUp[] = [];
  for (const s of a.slot ?? []) {
    const ref = localRef(s.reference);
    if (ref?.type !== 'Slot') continue;
    const found = await reader.read('Slot', ref.id);
    if (found && !found.deleted && (found.resource as r4.Slot).status === 'busy') out.push(releaseSlot(found));
  }
  return out;
}
