// Shared helpers for the validation tests: the official R4 examples and issue filters.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Issue } from '../../../src/domain/errors.js';

/** The twelve resource types Envelope serves, whose every official example must validate. */
export const SERVED_TYPES = [
  'Appointment', 'Slot', 'Schedule', 'ServiceRequest', 'Consent', 'AuditEvent',
  'Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService', 'Location',
] as const;

const examplesDir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

export interface Example { file: string; resource: Record<string, unknown> }

/** Every `<Type>-<id>.json` example whose content really is a `type` (the name alone can mislead). */
export function examplesOf(type: string): Example[] {
  return readdirSync(examplesDir)
    .filter((f) => f.startsWith(`${type}-`) && f.endsWith('.json'))
    .map((file) => ({ file, resource: JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Record<string, unknown> }))
    .filter((e) => e.resource.resourceType === type);
}

export function example(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Record<string, unknown>;
}

export function errorsOf(issues: Issue[]): Issue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** Compact `code expression` strings, which make assertion failures readable. */
export function summary(issues: Issue[]): string[] {
  return errorsOf(issues).map((i) => `${i.code} ${(i.expression ?? []).join(',')}`);
}
