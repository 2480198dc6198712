// Schedule writes by a PAS. A Schedule cannot be deleted while slots on it are still offered or
// booked: the slots would stay free (and bookable) on a Schedule that no longer exists. The PAS
// withdraws or deletes the slots first (a booked one only after its appointment is cancelled).
import type { RuleContext, RuleOutcome, WriteIntent } from './port.js';
import { codeIn, query, referenceIs } from './queries.js';
import { ruleBroken } from './rule-errors.js';

/** Slot statuses that still offer or hold capacity (everything but busy-unavailable and entered-in-error). */
const LIVE_SLOT = ['free', 'busy', 'busy-tentative'];

export async function scheduleRules(intent: WriteIntent, ctx: RuleContext): Promise<RuleOutcome> {
  if (intent.kind === 'delete' && intent.current && !intent.current.deleted) {
    const live = await ctx.reader.search(query('Slot', referenceIs('schedule', `Schedule/${intent.id}`), codeIn('status', LIVE_SLOT)));
    if (live.some((s) => !s.deleted)) {
      throw ruleBroken('A Schedule with slots still offered or booked cannot be deleted: withdraw or delete its slots first', 'Schedule');
    }
  }
  return { followUps: [] };
}
