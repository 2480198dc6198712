// Finds the base R4 element a profile path names, following the path from the resource into the
// datatypes its elements use (`Consent.scope.coding` is CodeableConcept.coding). Profiles are
// resolved against these when they are loaded, so a misspelt path stops the server at start-up.
import { datatypeInfo, resourceInfo, type ElementDef, type StructureInfo } from './definitions.js';

export interface BaseElement {
  def: ElementDef;
  /** Whether the element repeats (a JSON array). */
  repeats: boolean;
}

/** The base element at `path` (`Appointment.participant.actor`) in resource type `type`, or undefined. */
export function baseElementAt(type: string, path: string): BaseElement | undefined {
  const root = resourceInfo(type);
  if (!root || (path !== type && !path.startsWith(`${type}.`))) return undefined;
  if (path === type) return undefined; // the root is the resource itself, not an element
  const segments = path.slice(type.length + 1).split('.');
  let sd: StructureInfo = root;
  let prefix = type;
  let def: ElementDef | undefined;
  for (const seg of segments) {
    const wanted = `${prefix}.${seg}`;
    def = sd.elements.find((e) => e.path === wanted);
    if (!def) return undefined;
    if (def.contentRef) {
      // The children of a content reference are those of the element it names.
      prefix = def.contentRef;
      continue;
    }
    const hasInline = sd.elements.some((e) => e.path.startsWith(`${def!.path}.`));
    if (hasInline) {
      prefix = def.path;
      continue;
    }
    const next = def.types.length === 1 ? datatypeInfo(def.types[0]!.code) : undefined;
    if (next && next.kind === 'complex-type') {
      sd = next;
      prefix = next.name;
    } else {
      prefix = def.path; // a primitive or a choice: nothing below it can be named
    }
  }
  return def ? { def, repeats: def.max > 1 } : undefined;
}
