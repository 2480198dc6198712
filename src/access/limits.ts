// Enforces a decision's Limits (grants with conditions) on single resources: is this one visible,
// may this write happen. Searches need none of this: the guard hands the limits to the store as the
// request's visibility map, so counts, paging and includes are computed over visible rows only.
//
// Writes are judged on both sides of the write, inside its transaction:
//  - before: the current version, if any, must be visible (you may not overwrite what you may not
//    see). A relationship limit on a resource about a patient (a referral, an appointment) is
//    decided here too, on the patients the NEW content names, against the data as it stands before
//    the write: a referral or appointment is itself a relationship fact, so asking after the write
//    would let any write justify itself, while asking before lets a consultant still accept the
//    referral that is their only link to the patient. Deciding it before the workflow rules run
//    also keeps their messages (about referrals and slots) from principals with no relationship.
//  - after: the other limits (own organisation, own record, a new Patient registered with the
//    practice) are asked of the written version.
import { errors, type FhirError } from '../domain/errors.js';
import type { Resource } from '../domain/fhir.js';
import type { Cond, SearchRequest } from '../domain/search-types.js';
import { limitsWhere, type Limit } from '../policy/decide-interaction.js';
import type { PolicyFacts } from '../policy/conditions.js';
import type { StoreReader } from '../store/port.js';

const NEEDS: Record<string, string> = {
  'relationship': 'a legitimate relationship with the patient',
  'own-organization': 'that it belongs to your organisation',
  'own-patient': 'that it is your own record',
};

/**
 * The one refusal for a resource outside the limits, whether it exists or not: same status, same
 * text, so the answer reveals nothing about existence.
 */
export function hiddenError(type: string, id: string, limits: readonly Limit[]): FhirError {
  const needs = [...new Set(limits.flatMap((l) => l.conditions))].map((c) => NEEDS[c] ?? c).join(' or ');
  const msg = `Access denied: ${type}/${id} is not available to you; access needs ${needs} (or the resource does not exist)`;
  return limits.some((l) => l.patientParam !== undefined) ? errors.noRelationship(msg) : errors.forbidden(msg);
}

function byIds(type: string, ids: readonly string[], extra: Cond[] = []): SearchRequest {
  return { types: [type], where: [{ k: 'id', ids: [...ids] }, ...extra], sort: [], count: Math.max(ids.length, 1), total: 'none' };
}

/** Whether resource type/id is live and satisfies the limits. Runs the same query whether or not it exists. */
export async function isVisible(reader: StoreReader, type: string, id: string, limits: readonly Limit[], facts: PolicyFacts): Promise<boolean> {
  const where = limitsWhere(limits, facts)!;
  const page = await reader.search({ ...byIds(type, [id]), visibility: { [type]: where } });
  return page.matches.length > 0;
}

/** Extracts the patients (ids) a resource names through a reference search parameter. */
export type PatientsOf = (resource: Resource, param: string) => string[];

/** What remains to be checked after the write; undefined when a limit already covers it. */
export interface AfterWrite {
  limits: readonly Limit[];
  /** Whether the current version existed and was visible before the write. */
  wasVisible: boolean;
}

/**
 * Before writing `content` as type/id (exists: a live current version exists). Throws the hidden
 * error when the current version is not visible or no limit can cover the write.
 */
export async function checkBeforeWrite(
  reader: StoreReader, content: Resource, exists: boolean, limits: readonly Limit[], facts: PolicyFacts, patientsOf: PatientsOf,
): Promise<AfterWrite | undefined> {
  const type = content.resourceType;
  const id = content.id!;
  if (exists && !(await isVisible(reader, type, id, limits, facts))) throw hiddenError(type, id, limits);
  const later: Limit[] = [];
  for (const limit of limits) {
    if (limit.patientParam === undefined || type === 'Patient') {
      later.push(limit);
      continue;
    }
    const named = [...new Set(patientsOf(content, limit.patientParam))];
    if (named.length === 0) {
      // About no patient: nothing to disclose, so the workflow rules may say what is missing; the
      // check after the write then refuses it anyway (it is about no patient one is related to).
      later.push(limit);
      continue;
    }
    const related = await reader.search({ ...byIds('Patient', named), visibility: { Patient: patientWhere(limit, facts) } });
    if (related.matches.length === named.length) return undefined;
  }
  if (later.length === 0) throw hiddenError(type, id, limits);
  return { limits: later, wasVisible: exists };
}

/** After writing type/id (same transaction): one of the remaining limits must cover the written version. */
export async function checkAfterWrite(reader: StoreReader, type: string, id: string, pending: AfterWrite, facts: PolicyFacts): Promise<void> {
  for (const limit of pending.limits) {
    // A related principal may change the Patient it was related to (a practice system deregistering one).
    if (type === 'Patient' && limit.patientParam !== undefined && pending.wasVisible) return;
    const page = await reader.search({ ...byIds(type, [id]), visibility: { [type]: limit.where(facts) } });
    if (page.matches.length > 0) return;
  }
  throw hiddenError(type, id, pending.limits);
}

/** What the patients a relationship limit's resources name must satisfy (FALSE when it says nothing). */
function patientWhere(limit: Limit, facts: PolicyFacts): Cond {
  return limit.patientWhere?.(facts) ?? { k: 'false' };
}
