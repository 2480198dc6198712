// Referral (ServiceRequest) lifecycle: draft → active → completed / revoked, any → entered-in-error.
// Ending a referral that way (revoked, entered-in-error) cancels its upcoming appointments and frees
// their slots in the same transaction; a completed referral keeps its appointments.
import { errors } from '../domain/errors.js';
import type { r4 } from '../domain/fhir.js';
import { followUp, type FollowUp, type RuleContext, type RuleOutcome, type StoredResource, type WriteIntent } from './port.js';
import { codeIn, query, referenceIs } from './queries.js';
import { ruleBroken } from './rule-errors.js';
import { freeSlotsOf } from './slot-claims.js';
import { HOLDS_SLOTS, REFERRAL_ENDS_BOOKINGS, UPCOMING } from './statuses.js';
import { forbiddenTransition, REFERRAL_TRANSITIONS } from './transitions.js';

/**
 * A referral may be stored in any status of its lifecycle (a completed referral migrated from
 * another system is still a true record); the lifecycle governs how its status changes afterwards.
 */
const START_STATUSES = new Set(Object.keys(REFERRAL_TRANSITIONS.next));
const CANCELLATION_REASONS = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';

export async function referralRules(intent: WriteIntent, ctx: RuleContext): Promise<RuleOutcome> {
  const current = intent.current && !intent.current.deleted ? (intent.current.resource as r4.ServiceRequest) : undefined;
  if (intent.kind === 'delete') {
    if (current && (await upcomingAppointments(current.id!, ctx)).length > 0) {
      throw ruleBroken('A referral with upcoming appointments cannot be deleted: revoke it, which cancels them', 'ServiceRequest');
    }
    return { followUps: [] };
  }
  const next = intent.resource as r4.ServiceRequest;
  if (!current) {
    if (!START_STATUSES.has(next.status)) {
      throw ruleBroken(`A referral's status is one of ${[...START_STATUSES].join(', ')}, not '${next.status}'`, 'ServiceRequest.status');
    }
    return { followUps: [] };
  }
  const forbidden = forbiddenTransition(REFERRAL_TRANSITIONS, current.status, next.status);
  if (forbidden) throw ruleBroken(forbidden, 'ServiceRequest.status');
  if (current.status !== 'draft' && current.subject?.reference !== next.subject?.reference) {
    throw ruleBroken('The patient (subject) of a referral cannot change once it is sent', 'ServiceRequest.subject');
  }
  if (REFERRAL_ENDS_BOOKINGS.has(next.status) && !REFERRAL_ENDS_BOOKINGS.has(current.status)) {
    return { followUps: await cancelUpcoming(current.id!, next.status, ctx) };
  }
  return { followUps: [] };
}

/** Appointments based on the referral that have not happened yet (or have no time yet). */
async function upcomingAppointments(referralId: string, ctx: RuleContext): Promise<StoredResource[]> {
  const found = await ctx.reader.search(query('Appointment', referenceIs('based-on', `ServiceRequest/${referralId}`), codeIn('status', UPCOMING)));
  return found.filter((f) => {
    const start = (f.resource as r4.Appointment).start;
    return start === undefined || Date.parse(start) > ctx.now.getTime();
  });
}

async function cancelUpcoming(referralId: string, status: string, ctx: RuleContext): Promise<FollowUp[]> {
  const followUps: FollowUp[] = [];
  for (const stored of await upcomingAppointments(referralId, ctx)) {
    const a = stored.resource as r4.Appointment;
    const cancelled = {
      ...a,
      status: 'cancelled',
      cancelationReason: {
        coding: [{ system: CANCELLATION_REASONS, code: 'other', display: 'Other' }],
        text: status === 'revoked' ? 'The referral was revoked' : 'The referral was entered in error',
      },
    } as r4.Appointment;
    followUps.push(followUp(cancelled, stored.versionId, () => errors.conflict(`Appointment/${a.id} changed while its referral was being ended; retry the request`)));
    if (HOLDS_SLOTS.has(a.status)) followUps.push(...(await freeSlotsOf(a, ctx.reader)));
  }
  return followUps;
}
