// The entities of an AuditEvent: the patient, each resource touched, the query, the request id and
// the policy's masking decisions. Which patient a resource belongs to decides which of the
// per-patient events lists it.
import type { r4 } from '../domain/fhir.js';
import {
  DETAIL, DOMAIN_RESOURCE, PATIENT_ROLE, PATIENT_SPECIFIC_TYPES, PERSON, QUERY_ROLE, REQUEST_ID,
  SECURITY_RESOURCE, SYSTEM_OBJECT, X_REQUEST_ID,
} from './codes.js';

type Entity = r4.AuditEventEntity;

/**
 * A resource as the access record lists it. `patient` (the id of the patient it belongs to) is
 * optional: the access layer may not know it, and then it is inferred where that is safe.
 */
export interface TouchedResource {
  type: string;
  id: string;
  versionId?: number | undefined;
  patient?: string | undefined;
}

const RELATIVE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** A Reference to `Type/id[/_history/v]`, or an identifier when the id is not a FHIR id. */
function referenceTo(type: string, id: string, versionId?: number): r4.Reference {
  const ref = versionId === undefined ? `${type}/${id}` : `${type}/${id}/_history/${versionId}`;
  return RELATIVE.test(ref) ? { reference: ref } : { type, identifier: { value: id } };
}

/**
 * Whose record a resource is part of. Explicit attribution wins; a Patient is its own patient; when
 * the interaction involved exactly one patient, its patient-specific resources are that patient's.
 * Otherwise (several patients, no attribution) nobody's, so that no patient is shown another's data.
 */
export function ownerOf(r: TouchedResource, onlyPatient: string | undefined): string | undefined {
  if (r.patient) return r.patient;
  if (r.type === 'Patient') return r.id;
  if (onlyPatient !== undefined && PATIENT_SPECIFIC_TYPES.has(r.type)) return onlyPatient;
  return undefined;
}

/** BALP entity[patient]: type 1 Person, role 1 Patient. */
export function patientEntity(patientId: string): Entity {
  return { what: referenceTo('Patient', patientId), type: PERSON, role: PATIENT_ROLE };
}

/** BALP entity[data]: type 2 System Object, role 4 Domain Resource; marked with its patient. */
export function dataEntity(r: TouchedResource, owner: string | undefined): Entity {
  const e: Entity = { what: referenceTo(r.type, r.id, r.versionId), type: SYSTEM_OBJECT, role: DOMAIN_RESOURCE };
  if (owner !== undefined) e.detail = [{ type: DETAIL.patient, valueString: `Patient/${owner}` }];
  return e;
}

/**
 * BALP entity[query]: the raw query string base64-encoded (exactly as received, so malformed or
 * malicious input stays visible), and the request line without it as the description.
 */
export function queryEntity(method: string, path: string, query: string | undefined): Entity {
  const e: Entity = { type: SYSTEM_OBJECT, role: QUERY_ROLE, description: `${method} ${path}` };
  if (query) e.query = Buffer.from(query, 'utf8').toString('base64');
  return e;
}

/** BALP entity[transaction]: the X-Request-ID, with the method, path and status of the request. */
export function requestEntity(requestId: string, method: string, path: string, status: number): Entity {
  return {
    what: { identifier: { system: REQUEST_ID, value: requestId } },
    type: X_REQUEST_ID,
    detail: [
      { type: DETAIL.method, valueString: method },
      { type: DETAIL.path, valueString: path },
      { type: DETAIL.status, valueString: String(status) },
    ],
  };
}

/** The access policy as a security resource, one detail per masking or withholding decision. */
export function policyEntity(masked: readonly string[]): Entity {
  return {
    type: SYSTEM_OBJECT,
    role: SECURITY_RESOURCE,
    description: 'Envelope access policy masked or withheld data',
    detail: masked.map((reason) => ({ type: DETAIL.masked, valueString: reason })),
  };
}

/** Break glass: sealed data opened in an emergency, with the reason the user gave. */
export function breakGlassEntity(reason: string): Entity {
  return {
    type: SYSTEM_OBJECT,
    role: SECURITY_RESOURCE,
    description: 'Envelope access policy: sealed data opened by break glass',
    detail: [{ type: DETAIL.breakGlassReason, valueString: reason }],
  };
}

// Parameters of sign-on requests whose values are credentials (a replayable client assertion, an
// authorisation code, a SAML response). They are dropped before the query is recorded.
const CREDENTIAL_PARAMS = new Set([
  'client_assertion', 'client_secret', 'code', 'code_verifier', 'password', 'refresh_token', 'assertion',
  'access_token', 'id_token', 'samlresponse', 'samlrequest', 'signature',
]);

/** The query without credential parameters; the rest keeps its raw form. */
export function withoutCredentials(query: string): string {
  return query
    .split('&')
    .filter((pair) => {
      const key = pair.split('=', 1)[0] ?? '';
      let name = key;
      try {
        name = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is recorded as it came
      }
      return !CREDENTIAL_PARAMS.has(name.trim().toLowerCase());
    })
    .join('&');
}
