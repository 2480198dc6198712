// Self-claimed legitimate relationships: a principal whose role allows it states a reason and gains
// a relationship with one patient for a limited time. Kept as expiring records (RecordStore), owned
// by the principal acting in its organisation, so a claim never carries over to another user or to
// the same user acting for another organisation.
import type { Principal } from '../domain/principal.js';
import type { RecordStore } from '../domain/records.js';

export const CLAIM_KIND = 'relationship-claim';

/** Whose claim it is: the credential's issuer and subject, and the organisation acted for. */
export function claimOwner(p: Principal): string {
  return JSON.stringify([p.issuer ?? '', p.sub, p.organization ?? '']);
}

/** The patients (ids) the principal holds an unexpired claim for. */
export async function claimedPatients(records: RecordStore, p: Principal, now: Date): Promise<string[]> {
  if (!p.organization) return [];
  const found = await records.list(CLAIM_KIND, claimOwner(p), now.toISOString());
  return [...new Set(found.map((r) => r.data['patient']).filter((x): x is string => typeof x === 'string'))];
}

export const MAX_REASON_LENGTH = 1000;

export interface Claim {
  id: string;
  patient: string;
  reason: string;
  expiresAt: string;
}

/** Stores a claim. The caller has checked the role, the patient and the reason, and raised the alert. */
export async function recordClaim(records: RecordStore, p: Principal, claim: Claim, now: Date): Promise<void> {
  const who = { sub: p.sub, issuer: p.issuer ?? null, role: p.role, organization: p.organization ?? null, ...(p.roleProfileId ? { roleProfileId: p.roleProfileId } : {}) };
  await records.put({
    kind: CLAIM_KIND, id: claim.id, owner: claimOwner(p), expiresAt: claim.expiresAt,
    data: { patient: claim.patient, reason: claim.reason, claimedAt: now.toISOString(), ...who },
  });
}
