// Which consents are in force, whose they are, and what each says when none of its provisions
// matches (its base).
import type { r4 } from '../../domain/fhir.js';
import { ACT_CODE_SYSTEM, CONSENT_SCOPE_SYSTEM, codingIs, idOf, localReference, typeOf } from './codes.js';
import { instantBounds, periodContains } from './dates.js';
import type { ConsentPolicy } from './policy.js';

/** The id of the Patient the consent is about, when it names one by a local reference. */
export function consentPatientId(consent: r4.Consent): string | undefined {
  const ref = localReference(consent.patient);
  return ref !== undefined && typeOf(ref) === 'Patient' ? idOf(ref) : undefined;
}

function isPatientPrivacy(consent: r4.Consent): boolean {
  return (consent.scope?.coding ?? []).some((c) => codingIs(c, CONSENT_SCOPE_SYSTEM, 'patient-privacy'));
}

/**
 * Whether a consent governs access at `now`: status active, scope patient-privacy, about a patient
 * named by a local reference, issued (dateTime) no later than now, and now within the root
 * provision's period. A dateTime or period Envelope cannot read keeps the consent out of force.
 */
export function isInForce(consent: r4.Consent, now: Date): boolean {
  if (consent.resourceType !== 'Consent' || consent.status !== 'active' || !isPatientPrivacy(consent)) return false;
  if (consentPatientId(consent) === undefined) return false;
  if (consent.dateTime !== undefined) {
    const issued = instantBounds(consent.dateTime);
    if (issued === undefined || issued.lo > now.toISOString()) return false;
  }
  return periodContains(consent.provision?.period, now);
}

/** The consents in force at `now` (see isInForce), in their given order. */
export function consentsInForce(consents: readonly r4.Consent[], now: Date): r4.Consent[] {
  return consents.filter((c) => isInForce(c, now));
}

/** OPTIN / OPTINR permit by default, OPTOUT / OPTOUTE deny by default; anything else takes the deployment's base. */
export function consentBase(consent: r4.Consent, policy: ConsentPolicy): 'permit' | 'deny' {
  const codings = consent.policyRule?.coding ?? [];
  const has = (code: string) => codings.some((c) => codingIs(c, ACT_CODE_SYSTEM, code));
  const permits = has('OPTIN') || has('OPTINR');
  const denies = has('OPTOUT') || has('OPTOUTE');
  // A rule that says both is contradictory; the safer reading wins.
  if (denies) return 'deny';
  if (permits) return 'permit';
  return policy.base;
}
