// Narrowing a released resource for _summary and _elements. It only ever removes content, so the
// result may be released again; it is marked SUBSETTED as the specification asks.
import type { Resource } from '../domain/fhir.js';
import { brand, type Released } from './released.js';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
/** Elements every subset keeps so the result is still a usable resource. */
const ALWAYS = new Set(['resourceType', 'id', 'meta']);

export function subset(resource: Released<Resource>, keep: (element: string) => boolean): Released<Resource> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const base = k.startsWith('_') ? k.slice(1) : k;
    if (ALWAYS.has(k) || keep(base)) out[k] = v;
  }
  const meta = (out.meta ?? {}) as Resource['meta'] & object;
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return brand(out as unknown as Resource);
}
