// Which top-level elements of a resource masking withholds, shared by masking (remove them), label
// protection on update (the client may not send them; the stored ones are carried over) and search
// (a parameter reading them must not match a masked resource).
import type { Resource } from '../../domain/fhir.js';
import { sensitiveElementsOf, type LabellingPolicy } from './policy.js';

/**
 * The element(s) naming the patient, kept when a type without a configured list is masked, so the
 * skeleton still says whose record exists. The Patient itself is named by its id.
 */
const PATIENT_ELEMENTS: Readonly<Record<string, readonly string[]>> = Object.freeze(Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  ServiceRequest: ['subject'],
  Appointment: ['participant'],
  Consent: ['patient'],
}));

/** Always kept: without them the resource would not say what it is, or carry its labels. */
const ALWAYS_KEPT = ['resourceType', 'id', 'meta'];

/**
 * Always withheld: the narrative restates the content and cannot be masked in part. `contained` is
 * not listed: contained resources go with the elements that reference them (see splitContained).
 */
const ALWAYS_WITHHELD = ['text'];

/** Whether JSON key `key` (`reasonCode`, `_status`, `valueQuantity`) belongs to element `name` (`reasonCode`, `status`, `value[x]`). */
export function isElementKey(key: string, name: string): boolean {
  const k = key.startsWith('_') ? key.slice(1) : key;
  if (!name.endsWith('[x]')) return k === name;
  const base = name.slice(0, -3);
  return k.length > base.length && k.startsWith(base) && /[A-Z]/.test(k[base.length]!);
}

/** The FHIRPath name of a configured element (`value[x]` → `value`). */
export function fhirPathName(name: string): string {
  return name.endsWith('[x]') ? name.slice(0, -3) : name;
}

export function skeletonOf(type: string): readonly string[] {
  return [...ALWAYS_KEPT, ...(PATIENT_ELEMENTS[type] ?? [])];
}

/**
 * The element names masking withholds for `type`: the configured list plus the narrative; undefined
 * when the type has no list (then everything but the skeleton is withheld).
 */
export function withheldNames(type: string, policy: LabellingPolicy): readonly string[] | undefined {
  const list = sensitiveElementsOf(policy, type);
  return list === undefined ? undefined : [...list, ...ALWAYS_WITHHELD];
}

/** The JSON keys of `resource` that masking withholds (never `contained`, see splitContained). */
export function withheldKeys(resource: Resource, policy: LabellingPolicy): string[] {
  const names = withheldNames(resource.resourceType, policy);
  const keys = Object.keys(resource).filter((k) => k !== 'contained' || names?.includes('contained'));
  if (names !== undefined) return keys.filter((k) => names.some((n) => isElementKey(k, n)));
  const skeleton = skeletonOf(resource.resourceType);
  return keys.filter((k) => !skeleton.some((n) => isElementKey(k, n)));
}

/** The resource as a plain JSON object, to read and write its elements by name. */
export function fieldsOf(resource: Resource): Record<string, unknown> {
  return resource as unknown as Record<string, unknown>;
}

export function containedOf(resource: Resource): Resource[] {
  const c = fieldsOf(resource)['contained'];
  return Array.isArray(c) ? (c as Resource[]) : [];
}

/** `Type.element` for a JSON key (`_status` → `Appointment.status`). */
export function elementPath(type: string, key: string): string {
  return `${type}.${key.startsWith('_') ? key.slice(1) : key}`;
}

function collectLocalReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectLocalReferences(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && v.startsWith('#') && v.length > 1) into.add(v.slice(1));
      else collectLocalReferences(v, into);
    }
  }
}

/**
 * Splits `contained` into what the kept content references (directly or through other kept
 * contained resources) and the rest, which belongs to the withheld elements.
 */
export function splitContained(contained: readonly Resource[], keptContent: Record<string, unknown>): { kept: Resource[]; withheld: Resource[] } {
  const wanted = new Set<string>();
  collectLocalReferences(keptContent, wanted);
  const kept = new Set<Resource>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of contained) {
      if (kept.has(r) || r.id === undefined || !wanted.has(r.id)) continue;
      kept.add(r);
      collectLocalReferences(r, wanted);
      grew = true;
    }
  }
  return { kept: contained.filter((r) => kept.has(r)), withheld: contained.filter((r) => !kept.has(r)) };
}
