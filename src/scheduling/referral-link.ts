// An appointment's link to its referral: `basedOn` the ServiceRequest, which must be active and for
// the same patient. A referral created later in the same transaction Bundle is checked at the end.
import type { r4 } from '../domain/fhir.js';
import type { RuleReader, StoredResource } from './port.js';
import { localRef, type LocalRef } from './references.js';
import { referenceNotFound, ruleBroken } from './rule-errors.js';

interface ReferralAt {
  ref: LocalRef;
  expression: string;
}

function referralRefs(appointment: r4.Appointment): ReferralAt[] {
  return (appointment.basedOn ?? []).map((b, i) => {
    const expression = `Appointment.basedOn[${i}]`;
    const ref = localRef(b.reference);
    if (!ref || ref.type !== 'ServiceRequest') throw ruleBroken('A referral must be referenced as ServiceRequest/[id] on this server', expression);
    return { ref, expression };
  });
}

/**
 * Checks every referral the appointment is based on; `required` when it books slots. Returns the
 * checks that must wait for the end of the transaction (referrals not stored yet).
 */
export async function checkReferrals(
  appointment: r4.Appointment, patient: LocalRef, reader: RuleReader, required: boolean,
): Promise<(() => Promise<void>)[]> {
  const refs = referralRefs(appointment);
  if (required && refs.length === 0) {
    throw ruleBroken('A booking is based on its referral: basedOn = ServiceRequest/[id]', 'Appointment.basedOn');
  }
  const deferred: (() => Promise<void>)[] = [];
  for (const at of refs) {
    const found = await reader.read('ServiceRequest', at.ref.id);
    if (found && !found.deleted) checkReferral(found, at, patient);
    else {
      deferred.push(async () => {
        const later = await reader.read('ServiceRequest', at.ref.id);
        if (!later || later.deleted) throw referenceNotFound(`ServiceRequest/${at.ref.id} is not known`, at.expression);
        checkReferral(later, at, patient);
      });
    }
  }
  return deferred;
}

function checkReferral(stored: StoredResource, at: ReferralAt, patient: LocalRef): void {
  const referral = stored.resource as r4.ServiceRequest;
  if (referral.status !== 'active') throw ruleBroken(`ServiceRequest/${at.ref.id} is not active: only an active referral can be booked against`, at.expression);
  const subject = localRef(referral.subject?.reference);
  if (!subject || subject.type !== patient.type || subject.id !== patient.id) {
    throw ruleBroken(`ServiceRequest/${at.ref.id} is for another patient than the appointment's patient participant`, at.expression);
  }
}
