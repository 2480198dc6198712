// The instance-level conditions a role grant may carry, as search conditions over the data. Pure:
// the policy states WHICH resources a principal may touch as a Cond; the store evaluates it inside
// the query (so counts, paging and includes never see the rest) and the access layer evaluates it
// for single reads and writes. The facts the data cannot hold (self-claimed relationships) arrive in
// PolicyFacts, loaded by the access layer.
//
//  - own-organization: the resource belongs to the principal's organisation, matched to Organization
//    resources by their ODS identifier (directly, through PractitionerRole/HealthcareService/Location
//    .organization, through a Schedule's actors, through a Slot's schedule).
//  - relationship: a legitimate relationship to the patient the resource is about — the patient is
//    registered with the organisation (generalPractitioner / managingOrganization), or the
//    organisation is requester or performer of an ACTIVE referral for the patient, or takes part in
//    an appointment for the patient (any status but entered-in-error), or the principal claimed one.
//  - own-patient: the resource is the principal's own Patient record (fhirUser Patient/x) or about it.
import { and, FALSE, not, or, type Cond } from '../domain/search-types.js';
import type { Principal } from '../domain/principal.js';
import type { Condition } from './roles.js';

export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** The search parameter that names the patient a resource of this type is about. */
export const PATIENT_PARAM: Readonly<Record<string, string>> = {
  ServiceRequest: 'patient',
  Appointment: 'patient',
  Consent: 'patient',
  AuditEvent: 'patient',
};

export interface PolicyFacts {
  /** Patients (ids) this principal has an unexpired self-claimed relationship with. */
  claimedPatients: readonly string[];
}

export const NO_FACTS: PolicyFacts = Object.freeze({ claimedPatients: [] });

const token = (p: string, sys: string | undefined, code: string): Cond => ({
  k: 'idx', p, tests: sys === undefined ? [{ f: 'code', op: 'eq', v: code }] : [{ f: 'sys', op: 'eq', v: sys }, { f: 'code', op: 'eq', v: code }],
});
const chain = (p: string, types: string[], where: Cond): Cond => ({ k: 'chain', p, types, where });
const has = (type: string, p: string, where: Cond): Cond => ({ k: 'has', type, p, where });
const ids = (list: readonly string[]): Cond => (list.length === 0 ? FALSE : { k: 'id', ids: [...list] });

/** An Organization whose ODS code is `ods`. */
export function organizationIs(ods: string): Cond {
  return token('identifier', ODS_SYSTEM, ods);
}

/** Reference parameter `p` points at the organisation, or at a PractitionerRole/HealthcareService/Location of it. */
function memberOf(p: string, ods: string, via: string[], direct = true): Cond {
  const parts: Cond[] = [];
  if (direct) parts.push(chain(p, ['Organization'], organizationIs(ods)));
  if (via.length > 0) parts.push(chain(p, via, chain('organization', ['Organization'], organizationIs(ods))));
  return or(...parts);
}

/** The Patient resources the organisation has a legitimate relationship with (see the top). */
export function relatedPatient(ods: string, facts: PolicyFacts): Cond {
  return or(
    memberOf('general-practitioner', ods, ['PractitionerRole']),
    chain('organization', ['Organization'], organizationIs(ods)),
    has('ServiceRequest', 'patient', and(
      token('status', undefined, 'active'),
      or(memberOf('requester', ods, ['PractitionerRole']), memberOf('performer', ods, ['PractitionerRole', 'HealthcareService'])),
    )),
    has('Appointment', 'patient', and(
      not(token('status', undefined, 'entered-in-error')),
      memberOf('actor', ods, ['PractitionerRole', 'HealthcareService', 'Location'], false),
    )),
    ids(facts.claimedPatients),
  );
}

/** Resources of `type` that belong to organisation `ods`; FALSE for types that belong to no organisation. */
export function ownedBy(type: string, ods: string): Cond {
  const viaOrganization = chain('organization', ['Organization'], organizationIs(ods));
  const scheduleOwned = chain('actor', ['HealthcareService', 'Location', 'PractitionerRole'], viaOrganization);
  switch (type) {
    case 'Organization': return or(organizationIs(ods), chain('partof', ['Organization'], organizationIs(ods)));
    case 'Location': case 'HealthcareService': case 'PractitionerRole': return viaOrganization;
    case 'Practitioner': return has('PractitionerRole', 'practitioner', viaOrganization);
    case 'Schedule': return scheduleOwned;
    case 'Slot': return chain('schedule', ['Schedule'], scheduleOwned);
    case 'Appointment': return memberOf('actor', ods, ['PractitionerRole', 'HealthcareService', 'Location'], false);
    case 'ServiceRequest': return or(memberOf('requester', ods, ['PractitionerRole']), memberOf('performer', ods, ['PractitionerRole', 'HealthcareService']));
    default: return FALSE;
  }
}

/** The principal's own patient id, when its fhirUser is a Patient. */
export function ownPatientId(principal: Principal): string | undefined {
  const m = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(principal.fhirUser ?? '');
  return m?.[1];
}

/** Reference parameter of `type` naming the patient, or undefined when the type is not about one patient. */
function patientLink(type: string, patient: Cond): Cond | undefined {
  if (type === 'Patient') return patient;
  const p = PATIENT_PARAM[type];
  return p === undefined ? undefined : chain(p, ['Patient'], patient);
}

/**
 * The resources of `type` a condition lets this principal touch. FALSE when the principal lacks what
 * the condition needs (no organisation, not a patient) or the condition cannot apply to the type:
 * deny by default, never "everything".
 */
export function conditionCond(condition: Condition, type: string, principal: Principal, facts: PolicyFacts): Cond {
  switch (condition) {
    case 'own-organization':
      return principal.organization ? ownedBy(type, principal.organization) : FALSE;
    case 'relationship': {
      if (!principal.organization) return type === 'Patient' ? ids(facts.claimedPatients) : patientLink(type, ids(facts.claimedPatients)) ?? FALSE;
      return patientLink(type, relatedPatient(principal.organization, facts)) ?? FALSE;
    }
    case 'own-patient': {
      const me = ownPatientId(principal);
      return me === undefined ? FALSE : patientLink(type, ids([me])) ?? FALSE;
    }
  }
}
