// Reading the provision tree: how specific a provision is, and the references the access layer must
// load before compiling.
import type { r4 } from '../../domain/fhir.js';
import { localReference } from './codes.js';

const ELEMENTS = ['actor', 'action', 'securityLabel', 'purpose', 'class', 'code', 'dataPeriod', 'data', 'period'] as const;

/** How many condition elements the provision itself states (a list counts once, however long). */
export function statedElements(p: r4.ConsentProvision): number {
  return ELEMENTS.filter((e) => {
    const v = p[e];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  }).length;
}

function* allProvisions(p: r4.ConsentProvision | undefined): Generator<r4.ConsentProvision> {
  if (p === undefined) return;
  yield p;
  for (const child of p.provision ?? []) yield* allProvisions(child);
}

/** What the access layer must load for `related` meanings: the 'Type/id' of every provision.data reference with meaning related. */
export function relatedTargets(consents: readonly r4.Consent[]): string[] {
  const out = new Set<string>();
  for (const c of consents) {
    for (const p of allProvisions(c.provision)) {
      for (const d of p.data ?? []) {
        const ref = d.meaning === 'related' ? localReference(d.reference) : undefined;
        if (ref !== undefined) out.add(ref);
      }
    }
  }
  return [...out].sort();
}
