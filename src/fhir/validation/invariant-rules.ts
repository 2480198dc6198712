// Which invariants apply to an instance of an element: those its definition states, plus those of
// its datatype's root (a Period anywhere carries per-1). Worked out once per element and kept.
import { datatypeInfo, resourceInfo, type ElementDef } from './definitions.js';
import type { Slot } from './elements.js';
import type { BoundConstraint, Constraint } from './invariants.js';

const NONE: readonly BoundConstraint[] = [];
const bySlot = new WeakMap<Slot, readonly BoundConstraint[]>();
const byResource = new Map<string, readonly BoundConstraint[]>();
const byContained = new Map<string, readonly BoundConstraint[]>();

/**
 * The invariants of a resource type's root element (dom-2.., app-2, ...), evaluated on each resource.
 * A contained resource is spared dom-6 ("should have narrative"): R4 says contained resources do not
 * have narrative (DomainResource.contained).
 */
export function rootRules(type: string, contained = false): readonly BoundConstraint[] {
  const cache = contained ? byContained : byResource;
  let rules = cache.get(type);
  if (!rules) {
    const info = resourceInfo(type);
    if (!info) return NONE; // not cached: the name comes from a client
    rules = bind([[undefined, info.constraints?.filter((c) => !(contained && c.key === 'dom-6'))]]);
    cache.set(type, rules);
  }
  return rules;
}

/** The invariants of the element a JSON property resolved to, evaluated on each of its values. */
export function slotRules(slot: Slot): readonly BoundConstraint[] {
  let rules = bySlot.get(slot);
  if (!rules) {
    rules = bind(sourcesOf(slot));
    bySlot.set(slot, rules);
  }
  return rules;
}

type Source = [base: string | undefined, constraints: readonly Constraint[] | undefined];

function sourcesOf(slot: Slot): Source[] {
  const { owner, type } = slot;
  // A content reference (Consent.provision.provision) reuses the referenced element, invariants included.
  const def: ElementDef = (slot.def.contentRef && owner.elements.find((e) => e.path === slot.def.contentRef)) || slot.def;
  // A choice element's path names no single type; its instance is evaluated as the type it has.
  const base = def.path.endsWith('[x]') ? type.code : def.path;
  const sources: Source[] = [[base, def.constraints]];
  const datatype = datatypeInfo(type.code);
  if (datatype) sources.push([datatype.name, datatype.constraints]);
  return sources;
}

/**
 * One rule per key: a datatype invariant copied onto the element (ext-1 on every extension) is
 * evaluated once. Invariants R4 states with one and the same expression (txt-1 and txt-2 are both
 * `htmlChecks()`) are one check, so one failure is one issue naming both.
 */
function bind(sources: Source[]): readonly BoundConstraint[] {
  const seen = new Set<string>();
  const out: BoundConstraint[] = [];
  for (const [base, constraints] of sources) {
    for (const constraint of constraints ?? []) {
      if (seen.has(constraint.key)) continue;
      seen.add(constraint.key);
      const twin = out.findIndex((o) => o.base === base && o.constraint.expression === constraint.expression && o.constraint.severity === constraint.severity);
      if (twin < 0) {
        out.push({ base, constraint });
        continue;
      }
      const first = out[twin]!.constraint;
      out[twin] = { base, constraint: { ...first, key: `${first.key}/${constraint.key}`, human: `${first.human}; ${constraint.human}` } };
    }
  }
  return out.length ? out : NONE;
}
