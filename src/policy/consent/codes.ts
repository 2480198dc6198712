// The code systems and identifier systems the consent engine reads, and the two small readers it
// needs everywhere: "does this Coding say system|code" and "which local resource does this
// Reference name". Codes are compared as system|code: a Coding without a system matches nothing,
// because a bare code means nothing on its own and guessing its system could widen a permit.
import type { r4 } from '../../domain/fhir.js';

export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
export const ENVELOPE_ROLE_SYSTEM = 'https://envelope.example/fhir/CodeSystem/role';
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** v3-Confidentiality from least to most restricted. */
export const CONFIDENTIALITY_ORDER = ['U', 'L', 'M', 'N', 'R', 'V'] as const;
/** What a resource without a confidentiality label counts as. */
export const DEFAULT_CONFIDENTIALITY = 'N';

export function codingIs(c: r4.Coding | undefined, system: string, code?: string): boolean {
  return c !== undefined && c.system === system && typeof c.code === 'string' && (code === undefined || c.code === code);
}

/** The codes of `system` among the codings (of a CodeableConcept or a list of Codings). */
export function codesOf(codings: readonly r4.Coding[] | undefined, system: string): string[] {
  return (codings ?? []).filter((c) => codingIs(c, system)).map((c) => c.code!);
}

const LOCAL_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * `Type/id` of a relative reference to a resource on this server (a version suffix is dropped), or
 * undefined. Absolute URLs are not read as local: the same `Type/id` on another server is another
 * resource, and the policy layer does not know this server's base URL.
 */
export function localReference(ref: r4.Reference | undefined): string | undefined {
  const m = LOCAL_REFERENCE.exec(ref?.reference ?? '');
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** The type of a `Type/id` string. */
export function typeOf(typeAndId: string): string {
  return typeAndId.slice(0, typeAndId.indexOf('/'));
}

/** The id of a `Type/id` string. */
export function idOf(typeAndId: string): string {
  return typeAndId.slice(typeAndId.indexOf('/') + 1);
}
