// $hold: the principal reserves a free slot for a few minutes while the patient decides. The slot is
// busy-tentative for everyone else until the holder books it or the hold lapses. Holding again what
// one already holds changes nothing (a retried request gets the same hold, not a longer one).
import type { r4 } from '../domain/fhir.js';
import { held, holdFor, isHolder, isLapsedHold, liveHold } from './hold.js';
import type { RuleContext, RuleOutcome, WriteIntent } from './port.js';
import { ruleBroken, slotTaken } from './rule-errors.js';

export const HOLD_OPERATION = '$hold';

export function holdRules(intent: WriteIntent, ctx: RuleContext, minutes: number): RuleOutcome {
  const slot = intent.current!.resource as r4.Slot;
  const mine = liveHold(slot, ctx.now);
  if (mine && isHolder(mine, ctx.principal)) return { resource: slot, followUps: [] };
  if (slot.status !== 'free' && !isLapsedHold(slot, ctx.now)) {
    throw slotTaken(mine ? `Slot/${slot.id} is held for someone else` : `Slot/${slot.id} is not free`, 'Slot.status');
  }
  if (Date.parse(slot.start) <= ctx.now.getTime()) throw ruleBroken('Only a future slot can be held', 'Slot.start');
  return { resource: held(slot, holdFor(ctx.principal, ctx.now, minutes)), followUps: [] };
}
