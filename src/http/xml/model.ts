// What the FHIR XML format needs to know about one place in one type, derived from the R4 element
// tables the validator already builds (src/fhir/validation/elements.ts): which children exist and
// in which order (XML order is definition order), which of them repeat, whether a value is a
// primitive (a `value` attribute, typed in JSON from its definition), narrative XHTML, a nested
// resource (wrapped in an element named by its type) or an object, and which JSON properties are
// XML attributes (`id` on every element except a resource's own, `url` on an extension).
// Shapes are built on first use and cached per table, so only the types requests touch are indexed.
import {
  datatypeTable, isPrimitiveType, isResourceValuedType, resourceTable, tableForSlot,
  type ElementTable, type Slot,
} from '../../fhir/validation/elements.js';

export const FHIR_NS = 'http://hl7.org/fhir';

export type ValueForm = 'primitive' | 'xhtml' | 'resource' | 'complex';
/** How a primitive value is typed in JSON. */
export type JsonKind = 'string' | 'number' | 'boolean';

const NUMBER_TYPES = new Set(['integer', 'unsignedInt', 'positiveInt', 'decimal']);

export class XmlElementInfo {
  /** The JSON property name, which is also the XML element name (`valueString` for a choice). */
  readonly name: string;
  readonly form: ValueForm;
  readonly json: JsonKind;
  readonly repeats: boolean;
  /** Position among its object's child elements, for writing in definition order (-1 for attributes). */
  index = -1;
  readonly #slot: Slot;
  #shape: XmlShape | null | undefined;

  constructor(name: string, slot: Slot) {
    this.name = name;
    this.#slot = slot;
    const code = slot.type.code;
    this.form = code === 'xhtml' ? 'xhtml'
      : isPrimitiveType(code) ? 'primitive'
        : isResourceValuedType(code) ? 'resource'
          : 'complex';
    this.json = code === 'boolean' ? 'boolean' : NUMBER_TYPES.has(code) ? 'number' : 'string';
    this.repeats = slot.def.max > 1;
  }

  /** The FHIR type name, for messages. */
  get typeName(): string {
    return this.#slot.type.code;
  }

  /** The children of an object value (complex form); undefined when the definitions describe none. */
  get shape(): XmlShape | undefined {
    if (this.#shape === undefined) {
      const table = this.form === 'complex' ? tableForSlot(this.#slot) : undefined;
      this.#shape = table ? shapeOf(table) : null;
    }
    return this.#shape ?? undefined;
  }
}

export interface XmlShape {
  /** The element path the shape describes the children of, e.g. `Appointment.participant`. */
  readonly path: string;
  /** Child elements in definition order, without the ones written as attributes. */
  readonly elements: readonly XmlElementInfo[];
  /** Every JSON property name of the object, attributes included. */
  readonly byName: ReadonlyMap<string, XmlElementInfo>;
  /** JSON properties written as XML attributes: `id` (Element.id) and, on an extension, `url`. */
  readonly attributes: ReadonlySet<string>;
  readonly isResource: boolean;
}

const shapes = new WeakMap<ElementTable, XmlShape>();

function shapeOf(table: ElementTable): XmlShape {
  let shape = shapes.get(table);
  if (shape) return shape;
  const isResource = table.owner.kind === 'resource' && table.path === table.owner.name;
  const isExtension = table.owner.name === 'Extension' && table.path === 'Extension';
  const attributes = new Set<string>();
  // A resource's id is an element (<id value=".."/>); every other element's id is an attribute.
  if (!isResource && table.bySlotName.has('id')) attributes.add('id');
  if (isExtension) attributes.add('url');
  const byName = new Map<string, XmlElementInfo>();
  const elements: XmlElementInfo[] = [];
  // bySlotName is in snapshot order, which is the order XML requires; a choice's forms sit together.
  for (const [name, slot] of table.bySlotName) {
    const info = new XmlElementInfo(name, slot);
    byName.set(name, info);
    if (!attributes.has(name)) info.index = elements.push(info) - 1;
  }
  shape = { path: table.path, elements, byName, attributes, isResource };
  shapes.set(table, shape);
  return shape;
}

const resourceShapes = new Map<string, XmlShape>();
let elementShape: XmlShape | undefined;

/** The shape of a resource type's root, or undefined when R4 has no such concrete resource. */
export function resourceShape(type: string): XmlShape | undefined {
  let shape = resourceShapes.get(type);
  if (shape) return shape;
  const table = resourceTable(type);
  if (!table) return undefined; // names come from clients: only real types are remembered
  shape = shapeOf(table);
  resourceShapes.set(type, shape);
  return shape;
}

/** The shape of a primitive's id and extensions (JSON's `_name` object): the Element type. */
export function primitiveExtrasShape(): XmlShape {
  return (elementShape ??= shapeOf(datatypeTable('Element')!));
}
