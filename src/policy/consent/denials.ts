// Which purposes a denial applies to. A deny — a provision's, a consent's base or the deployment's
// base — only bites when the access carries one of them; for any other purpose it is inert (see
// docs/consent.md, "Denials and purposes"). This is how the national data opt-out leaves direct care
// (TREAT: referrals, bookings) alone while still blocking research.
import type { r4 } from '../../domain/fhir.js';
import type { AccessContext } from './types.js';
import type { ConsentPolicy } from './policy.js';

/** The keys a consent's policies are listed under in ConsentPolicy.policies. */
export function policyKeys(consent: r4.Consent): string[] {
  const keys: string[] = [];
  for (const p of consent.policy ?? []) if (typeof p.uri === 'string') keys.push(p.uri);
  for (const c of consent.policyRule?.coding ?? []) {
    if (typeof c.system === 'string' && typeof c.code === 'string') keys.push(`${c.system}|${c.code}`);
  }
  return keys;
}

/**
 * The purposes the consent's denials apply to: those of every listed policy it cites (together), or
 * the deployment's `denialPurposes` when it cites none that is listed.
 */
export function denialPurposesOf(consent: r4.Consent, policy: ConsentPolicy): string[] {
  const listed = policyKeys(consent)
    .filter((k) => Object.prototype.hasOwnProperty.call(policy.policies, k))
    .flatMap((k) => policy.policies[k]!.denialPurposes);
  return listed.length > 0 ? [...new Set(listed)] : policy.denialPurposes;
}

/** Whether a denial for these purposes bites on an access carrying `purposes`. */
export function denialApplies(denialPurposes: readonly string[], purposes: readonly string[]): boolean {
  return denialPurposes.includes('*') || purposes.some((p) => denialPurposes.includes(p));
}

/** The purposes of the access: the asserted ones, or the deployment's default when none was asserted. */
export function accessPurposes(ctx: AccessContext, policy: ConsentPolicy): string[] {
  return ctx.purposes.length > 0 ? [...ctx.purposes] : [policy.defaultPurpose];
}
