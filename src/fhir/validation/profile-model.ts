// A profile as the validator uses it: the differential of a StructureDefinition resolved against the
// R4 base into a tree of rules, one node per constrained element (and per slice).
import type { BaseElement } from './base-elements.js';
import type { BindingStrength } from './bindings.js';
import type { Constraint } from './invariants.js';

export interface Profile {
  url: string;
  name: string;
  /** The resource type it constrains. */
  type: string;
  /** The resource itself: root invariants, and the elements below it. */
  root: ProfileNode;
  /** Where it was read from, for messages about the file. */
  file: string;
}

/** How the instances of a sliced element are told apart (ElementDefinition.slicing.discriminator). */
export interface Discriminator {
  type: 'value' | 'pattern' | 'type' | 'exists';
  /** Relative to the sliced element: `$this`, `code`, `actor` (for `actor.resolve()`). */
  path: string;
}

export interface ProfileNode {
  /** ElementDefinition.id, e.g. `Appointment.participant:patient.actor`. */
  id: string;
  /** Path without slice names, e.g. `Appointment.participant.actor`; the type name for the root. */
  path: string;
  /** The element's JSON name (`actor`), or `name[x]` for a choice element. */
  name: string;
  /** The base element (undefined for the root). */
  base?: BaseElement;
  /** Cardinality, each only where the profile tightens the base (so base faults are not reported twice). */
  min?: number;
  max?: number;
  fixed?: { key: string; value: unknown };
  pattern?: { key: string; value: unknown };
  constraints: Constraint[];
  binding?: { strength: BindingStrength; valueSet: string };
  /** For Reference elements: the resource types a reference may point at. */
  targets?: string[];
  /** For choice elements: the types allowed (type codes). */
  types?: string[];
  slicing?: { discriminators: Discriminator[]; closed: boolean };
  /** Set on a slice: the name after the colon in its id. */
  sliceName?: string;
  /** The slices of this element, in order. */
  slices: ProfileNode[];
  children: ProfileNode[];
}
