// Per-object element tables: for one place in one type (a resource root, a backbone element, a
// datatype), which JSON property names are allowed and what each one means. Built on first use and
// cached, so only the shapes that requests actually exercise are ever indexed.
import { datatypeInfo, resourceInfo, type ElementDef, type StructureInfo, type TypeRef } from './definitions.js';

/** What one JSON property name of an object resolves to. */
export interface Slot {
  def: ElementDef;
  /** The element name as FHIRPath sees it: `value` for `valueString`, `status` for `status`. */
  name: string;
  /** The type of the value: for a choice element the one its suffix selects, otherwise the element's only type. */
  type: TypeRef;
  /** The structure whose elements describe this element's children when they are declared inline. */
  owner: StructureInfo;
}

export interface ElementTable {
  owner: StructureInfo;
  /** Element path this table describes the children of. */
  path: string;
  bySlotName: ReadonlyMap<string, Slot>;
  /** Direct child elements with min >= 1, each with every JSON name that can satisfy it. */
  required: readonly { def: ElementDef; names: readonly string[] }[];
  /** Choice elements (`value[x]`) with all their JSON names; at most one may be present. */
  choices: readonly { def: ElementDef; names: readonly string[] }[];
}

const tables = new Map<string, ElementTable>();
const childIndex = new WeakMap<StructureInfo, Map<string, ElementDef[]>>();

/** The last path segment, e.g. `value[x]` for `Observation.value[x]`. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function childrenByParent(sd: StructureInfo): Map<string, ElementDef[]> {
  let idx = childIndex.get(sd);
  if (!idx) {
    idx = new Map();
    for (const el of sd.elements) {
      const parent = el.path.slice(0, el.path.lastIndexOf('.'));
      let list = idx.get(parent);
      if (!list) idx.set(parent, (list = []));
      list.push(el);
    }
    childIndex.set(sd, idx);
  }
  return idx;
}

/** The table for the children of `path` inside `sd` (the root when `path` is the type name). */
export function tableAt(sd: StructureInfo, path: string): ElementTable {
  const key = `${sd.kind}:${sd.name}:${path}`;
  let t = tables.get(key);
  if (t) return t;
  const children = childrenByParent(sd).get(path) ?? [];
  const bySlotName = new Map<string, Slot>();
  for (const def of children) {
    const seg = lastSegment(def.path);
    if (seg.endsWith('[x]')) {
      const base = seg.slice(0, -3);
      for (const type of def.types) {
        bySlotName.set(base + type.code[0]!.toUpperCase() + type.code.slice(1), { def, name: base, type, owner: sd });
      }
    } else {
      bySlotName.set(seg, { def, name: seg, type: def.types[0] ?? { code: 'BackboneElement' }, owner: sd });
    }
  }
  const withNames = (def: ElementDef) => ({ def, names: [...bySlotName].filter(([, s]) => s.def === def).map(([n]) => n) });
  const required = children.filter((def) => def.min >= 1).map(withNames);
  const choices = children.filter((def) => def.path.endsWith('[x]')).map(withNames);
  t = { owner: sd, path, bySlotName, required, choices };
  tables.set(key, t);
  return t;
}

/** Whether `path` has its children declared inline in `sd` (backbone elements, Timing.repeat, ...). */
export function hasInlineChildren(sd: StructureInfo, path: string): boolean {
  return childrenByParent(sd).has(path);
}

/** Table for a resource type's root, or undefined when R4 has no such concrete resource. */
export function resourceTable(type: string): ElementTable | undefined {
  const sd = resourceInfo(type);
  return sd ? tableAt(sd, sd.name) : undefined;
}

/** Table for a complex datatype's root (`HumanName`, `Element`, ...). */
export function datatypeTable(type: string): ElementTable | undefined {
  const sd = datatypeInfo(type);
  return sd && sd.kind !== 'primitive-type' ? tableAt(sd, sd.name) : undefined;
}

/**
 * The table describing the object held by `slot`: inline children (backbone elements), a content
 * reference to another element of the same structure, or the datatype's own definition.
 */
export function tableForSlot(slot: Slot): ElementTable | undefined {
  const { def, owner } = slot;
  if (def.contentRef) return tableAt(owner, def.contentRef);
  if (hasInlineChildren(owner, def.path)) return tableAt(owner, def.path);
  return datatypeTable(slot.type.code);
}

export function isPrimitiveType(code: string): boolean {
  return datatypeInfo(code)?.kind === 'primitive-type';
}

/** A type that holds a whole resource: the abstract `Resource` (contained, Bundle.entry.resource) or a concrete one. */
export function isResourceValuedType(code: string): boolean {
  return code === 'Resource' || resourceInfo(code) !== undefined;
}

/** Top-level JSON property names of a resource type, choice elements expanded; [] for an unknown type. */
export function elementNamesOf(type: string): string[] {
  const t = resourceTable(type);
  return t ? [...t.bySlotName.keys()] : [];
}

/**
 * Top-level JSON property names the R4 definition marks as summary elements (choice elements
 * expanded); [] for an unknown type. Mandatory elements are not added: R4 flags what it means.
 */
export function summaryElementsOf(type: string): string[] {
  const t = resourceTable(type);
  return t ? [...t.bySlotName].filter(([, s]) => s.def.isSummary).map(([n]) => n) : [];
}
