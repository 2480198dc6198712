// dom-3 ("a contained resource SHALL be referred to from elsewhere in the resource or SHALL refer to
// the containing resource"), checked while the structural walk passes each local reference. R4's
// FHIRPath form scans every descendant of the resource once per contained resource, which is
// quadratic: a body with a few hundred contained resources would hold a CPU for minutes. This is
// one pass, and the one implementation of dom-3 (invariants.ts skips the key).
import type { Issue } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';

export const DOM_3_HUMAN = 'If the resource is contained in another resource, it SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource';

/** The local references (`#id`, `#`) seen within one container resource, its contained resources included. */
export class LocalReferences {
  private readonly ids = new Set<string>();
  private readonly toContainer = new Set<unknown>();

  /** A reference, canonical or uri `#id` made from `from` (the resource holding it); `#` alone names the container. */
  note(id: string, from: unknown): void {
    if (id === '') this.toContainer.add(from);
    else this.ids.add(id);
  }

  /** A dom-3 issue at `at` for each contained resource (with an id) that nothing refers to and that does not refer to its container. */
  unreferenced(resource: Record<string, unknown>, at: string): Issue[] {
    const contained = Array.isArray(resource.contained) ? resource.contained : [];
    const out: Issue[] = [];
    contained.forEach((c, i) => {
      if (!isPlainObject(c) || typeof c.id !== 'string' || this.ids.has(c.id) || this.toContainer.has(c)) return;
      out.push({
        severity: 'error', code: 'invariant', expression: [at],
        diagnostics: `dom-3: ${DOM_3_HUMAN} (contained[${i}], id ${JSON.stringify(c.id)}, is not referred to)`,
      });
    });
    return out;
  }
}
