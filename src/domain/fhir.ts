// FHIR R4 type aliases used across Envelope. Types come from @types/fhir (R4).
import type * as r4 from 'fhir/r4.js';

export type { r4 };
export type Resource = r4.Resource & { resourceType: string; id?: string; meta?: r4.Meta };
export type Bundle = r4.Bundle;
export type BundleEntry = r4.BundleEntry;
export type OperationOutcome = r4.OperationOutcome;
export type OperationOutcomeIssue = r4.OperationOutcomeIssue;
export type Coding = r4.Coding;
export type Meta = r4.Meta;

/** The resource types Envelope serves. Order is the order they appear in the CapabilityStatement. */
export const RESOURCE_TYPES = [
  'Appointment',
  'AuditEvent',
  'Consent',
  'HealthcareService',
  'Location',
  'Organization',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Schedule',
  'ServiceRequest',
  'Slot',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export function isResourceType(t: string): t is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(t);
}

/** FHIR id: 1 to 64 of [A-Za-z0-9\-\.] */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
