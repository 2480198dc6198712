// The code systems and codes Envelope's AuditEvents use, in one place so the builders, the patient's
// view and the documentation (docs/audit.md, "What an AuditEvent holds") agree. Facts from FHIR R4,
// DICOM PS3.16 and IHE BALP; the Envelope systems are ours.
import type { Coding } from '../domain/fhir.js';

// --- Code systems ----------------------------------------------------------------------------
export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const DICOM = 'http://dicom.nema.org/resources/ontology/DCM';
export const IHE_EVENT_TYPE = 'urn:ihe:event-type-code';
export const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ROLE_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-RoleClass';
export const PROVENANCE_PARTICIPANT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
export const OBSERVATION_VALUE = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
export const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
export const BALP_USER_AGENT_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/UserAgentTypes';
export const BALP_ASSURANCE_LEVEL = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/ihe-assuranceLevel';
export const ODS_ORGANIZATION = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const SDS_ROLE_PROFILE = 'https://fhir.nhs.uk/Id/sds-role-profile-id';

/** Envelope's own event codes: `alert`, `claim-relationship` and the alert kinds. */
export const ENVELOPE_AUDIT = 'https://envelope.example/fhir/CodeSystem/audit-event';
/** Envelope role names (the role policy file's keys), as agent roles. */
export const ENVELOPE_ROLE = 'https://envelope.example/fhir/CodeSystem/role';
/** `$operation` names, as a second `subtype` coding next to restful-interaction#operation. */
export const ENVELOPE_OPERATION = 'https://envelope.example/fhir/CodeSystem/operation';
/** Identifier system of X-Request-ID values. */
export const REQUEST_ID = 'https://envelope.example/fhir/request-id';
/** Identifier system of registered system clients (client-credentials `client_id`). */
export const CLIENT_ID = 'https://envelope.example/fhir/client-id';

// --- Codings ---------------------------------------------------------------------------------
const c = (system: string, code: string, display: string): Coding => ({ system, code, display });

export const REST = c(AUDIT_EVENT_TYPE, 'rest', 'Restful Operation');
export const APPLICATION_ACTIVITY = c(DICOM, '110100', 'Application Activity');
export const USER_AUTHENTICATION = c(DICOM, '110114', 'User Authentication');
export const SECURITY_ALERT = c(DICOM, '110113', 'Security Alert');
export const LOGIN = c(DICOM, '110122', 'Login');
export const LOGOUT = c(DICOM, '110123', 'Logout');
export const EMERGENCY_OVERRIDE_STARTED = c(DICOM, '110127', 'Emergency Override Started');
export const GET_ACCESS_TOKEN = c(IHE_EVENT_TYPE, 'ITI-71', 'Get Access Token');
export const CLAIM_RELATIONSHIP = c(ENVELOPE_AUDIT, 'claim-relationship', 'Self-claimed legitimate relationship');
export const ALERT = c(ENVELOPE_AUDIT, 'alert', 'Privacy officer alert');

// Agent types. BALP names the client and server by the direction the request flows (DICOM Source
// and Destination Role ID), the user by how they take part (information recipient or author).
export const SOURCE_ROLE = c(DICOM, '110153', 'Source Role ID');
export const DESTINATION_ROLE = c(DICOM, '110152', 'Destination Role ID');
export const APPLICATION = c(DICOM, '110150', 'Application');
export const CUSTODIAN = c(PROVENANCE_PARTICIPANT, 'custodian', 'Custodian');
export const INFORMATION_RECIPIENT = c(PARTICIPATION_TYPE, 'IRCP', 'information recipient');
export const AUTHOR = c(PARTICIPATION_TYPE, 'AUT', 'author (originator)');
export const HEALTHCARE_PROVIDER = c(ROLE_CLASS, 'PROV', 'healthcare provider');
export const USER_SAML_AGENT = c(BALP_USER_AGENT_TYPE, 'UserSamlAgent', 'User SAML Agent participant');
export const USER_OAUTH_AGENT = c(BALP_USER_AGENT_TYPE, 'UserOauthAgent', 'User OAuth Agent participant');
export const AUTHZ_SERVER = c(BALP_USER_AGENT_TYPE, 'AuthzOauthService', 'OAuth Authorization Server');
export const HUMAN_USER = c('http://terminology.hl7.org/CodeSystem/extra-security-role-type', 'humanuser', 'human user');

// Entity types and roles.
export const PERSON = c(ENTITY_TYPE, '1', 'Person');
export const SYSTEM_OBJECT = c(ENTITY_TYPE, '2', 'System Object');
export const PATIENT_ROLE = c(OBJECT_ROLE, '1', 'Patient');
export const DOMAIN_RESOURCE = c(OBJECT_ROLE, '4', 'Domain Resource');
export const SECURITY_RESOURCE = c(OBJECT_ROLE, '13', 'Security Resource');
export const QUERY_ROLE = c(OBJECT_ROLE, '24', 'Query');
export const X_REQUEST_ID = c(BALP_ENTITY_TYPE, 'XrequestId', 'transport specific unique identifier where http X-Request-Id is used');

export const APPLICATION_SERVER = c(SECURITY_SOURCE_TYPE, '4', 'Application Server');
export const REDACTED = c(OBSERVATION_VALUE, 'REDACTED', 'redacted');

/** `entity.detail.type` values Envelope writes. */
export const DETAIL = {
  /** On a data entity: the patient the resource belongs to (`Patient/<id>`). */
  patient: 'patient',
  /** On the policy entity: one reason code per masking or withholding decision. */
  masked: 'masked',
  /** On the policy entity: the reason given for breaking the glass. */
  breakGlassReason: 'break-glass-reason',
  /** On the request-id entity: the HTTP method, path (without query) and status. */
  method: 'http-method',
  path: 'http-path',
  status: 'http-status',
} as const;

/**
 * Resource types whose instances belong to one patient (their Patient compartment, among the types
 * Envelope serves). Resources of other types (Slot, Practitioner, ...) are nobody's record.
 */
export const PATIENT_SPECIFIC_TYPES: ReadonlySet<string> = new Set(['Patient', 'Appointment', 'ServiceRequest', 'Consent', 'AuditEvent']);

export const purposeOfUse = (code: string): Coding => ({ system: ACT_REASON, code });
export const envelopeRole = (role: string): Coding => ({ system: ENVELOPE_ROLE, code: role });
