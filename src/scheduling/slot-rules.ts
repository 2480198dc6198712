// Slot writes by a PAS (publish, republish, withdraw). The booking state of a slot belongs to the
// server: a slot that has an appointment stays busy and keeps its times until the appointment is
// cancelled, and a hold stays until it is used or lapses. Republishing a feed that still says `free`
// therefore changes nothing that a booking relies on.
import type { r4 } from '../domain/fhir.js';
import { carryExtension } from './extensions.js';
import { HOLD_EXTENSION, liveHold, unheld } from './hold.js';
import type { RuleContext, RuleOutcome, RuleReader, WriteIntent } from './port.js';
import { codeIn, query, referenceIs } from './queries.js';
import { localRef } from './references.js';
import { referenceNotFound, ruleBroken } from './rule-errors.js';
import { HOLDS_SLOTS, WITHDRAWN_SLOT } from './statuses.js';

export async function slotRules(intent: WriteIntent, ctx: RuleContext): Promise<RuleOutcome> {
  const current = intent.current && !intent.current.deleted ? (intent.current.resource as r4.Slot) : undefined;
  if (intent.kind === 'delete') {
    if (current && (await isBooked(current, ctx.reader))) {
      throw ruleBroken('A slot that has a booked appointment cannot be withdrawn: cancel the appointment first', 'Slot');
    }
    return { followUps: [] };
  }
  const next = intent.resource as r4.Slot;
  if (Date.parse(next.start) >= Date.parse(next.end)) throw ruleBroken('A slot starts before it ends', ['Slot.start', 'Slot.end']);
  const deferred = await checkSchedule(next, ctx.reader);
  // The hold record is the server's: a client's copy is replaced by the stored one (or removed).
  let resource = carryExtension(next, current, HOLD_EXTENSION);
  if (current) resource = await keepBookingState(current, resource, ctx);
  return { resource, followUps: [], deferred };
}

async function keepBookingState(current: r4.Slot, next: r4.Slot, ctx: RuleContext): Promise<r4.Slot> {
  if (current.status === 'busy' && (await isBooked(current, ctx.reader))) {
    if (WITHDRAWN_SLOT.has(next.status)) {
      throw ruleBroken('A slot that has a booked appointment cannot be withdrawn: cancel the appointment first', 'Slot.status');
    }
    if (next.schedule.reference !== current.schedule.reference) throw ruleBroken('A booked slot cannot move to another Schedule', 'Slot.schedule');
    if (Date.parse(next.start) !== Date.parse(current.start) || Date.parse(next.end) !== Date.parse(current.end)) {
      throw ruleBroken('The times of a booked slot cannot change: cancel the appointment first', ['Slot.start', 'Slot.end']);
    }
    return { ...next, status: 'busy' };
  }
  // A live hold survives a republish that still says free; withdrawing (or marking busy) ends it.
  if (liveHold(current, ctx.now) && (next.status === 'free' || next.status === 'busy-tentative')) return { ...next, status: 'busy-tentative' };
  return unheld(next);
}

/** Whether an appointment that has its slots references this one. */
async function isBooked(slot: r4.Slot, reader: RuleReader): Promise<boolean> {
  const found = await reader.search(query('Appointment', referenceIs('slot', `Slot/${slot.id}`), codeIn('status', [...HOLDS_SLOTS])));
  return found.length > 0;
}

/** The Schedule must exist; one created later in the same transaction Bundle counts. */
async function checkSchedule(slot: r4.Slot, reader: RuleReader): Promise<(() => Promise<void>)[]> {
  const ref = localRef(slot.schedule?.reference);
  if (!ref || ref.type !== 'Schedule') throw ruleBroken('A slot references its Schedule as Schedule/[id] on this server', 'Slot.schedule');
  const exists = async () => {
    const found = await reader.read('Schedule', ref.id);
    return found !== undefined && !found.deleted;
  };
  if (await exists()) return [];
  return [async () => {
    if (!(await exists())) throw referenceNotFound(`Schedule/${ref.id} is not known`, 'Slot.schedule');
  }];
}
