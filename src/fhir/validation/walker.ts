// Walks a JSON resource against the element tables and collects every problem with the FHIRPath-ish
// location of the fault (`Appointment.participant[0].actor.reference`). Locations use JSON property
// names, so a choice element reads `Observation.valueQuantity`, which a client can find in its body.
import type { Issue, IssueCode, IssueSeverity } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import { checkBinding } from './bindings.js';
import { LocalReferences } from './contained-references.js';
import { resourceInfo } from './definitions.js';
import type { InvariantSite } from './invariants.js';
import { rootRules, slotRules } from './invariant-rules.js';
import {
  datatypeTable, isPrimitiveType, isResourceValuedType, lastSegment, resourceTable, tableForSlot,
  type ElementTable, type Slot,
} from './elements.js';
import { checkPrimitive, jsonKind } from './primitives.js';
import { parseReference } from './references.js';

export interface WalkOptions {
  expectedType?: string;
  /** Accept `Type?search` references; only a transaction, which resolves them first, should set this. */
  allowConditionalReferences?: boolean;
}

/**
 * Deepest object nesting walked. Real resources stay far below it (a deeply nested Questionnaire
 * reaches ~20); the limit keeps a hostile body from exhausting the stack with recursion.
 */
export const MAX_DEPTH = 100;

/** The resource that owns `contained`: local `#id` references resolve against its contained ids. */
interface Container {
  containedIds: ReadonlySet<string>;
  /** Every local reference made within it, for dom-3. */
  refs: LocalReferences;
}

/** Primitive types whose `#id` values refer to a contained resource (dom-3 counts canonical, uri and url). */
const URI_TYPES: ReadonlySet<string> = new Set(['canonical', 'uri', 'url']);

export interface WalkResult {
  issues: Issue[];
  /** Every element instance with invariants to evaluate, in document order (see invariants.ts). */
  sites: InvariantSite[];
}

export function walk(body: unknown, opts: WalkOptions): WalkResult {
  const w = new Walker(opts);
  w.resource(body, undefined, opts.expectedType, undefined);
  return { issues: w.issues, sites: w.sites };
}

/** The resources an element belongs to, as FHIRPath's %resource and %rootResource name them. */
interface Scope { resource: Record<string, unknown>; root: Record<string, unknown> }

class Walker {
  readonly issues: Issue[] = [];
  readonly sites: InvariantSite[] = [];
  private depth = 0;
  private errorCount = 0;
  private scope: Scope | undefined;
  constructor(private readonly opts: WalkOptions) {}

  /**
   * Walks one instance with `walkInside`, and keeps its invariants for evaluation only when nothing
   * inside it was a structural error: on a broken structure an invariant would report the same fault
   * again (ext-1 for an unknown valueFoo) or a misleading one.
   */
  private withSite(at: string, value: unknown, rules: InvariantSite['rules'], walkInside: () => void): void {
    if (rules.length === 0 || !this.scope) {
      walkInside();
      return;
    }
    const site: InvariantSite = { at, value, rules, resource: this.scope.resource, rootResource: this.scope.root };
    this.sites.push(site);
    const before = this.errorCount;
    walkInside();
    if (this.errorCount > before) this.sites.splice(this.sites.lastIndexOf(site), 1);
  }

  private add(severity: IssueSeverity, code: IssueCode, diagnostics: string, expression: string): void {
    this.issues.push({ severity, code, diagnostics, expression: [expression] });
    if (severity === 'error') this.errorCount++;
  }
  private error(code: IssueCode, diagnostics: string, expression: string): void {
    this.add('error', code, diagnostics, expression);
  }

  /**
   * A whole resource: the request body, a contained resource or one held by an element such as
   * Bundle.entry.resource. `at` is undefined for the body, whose location starts at its type name.
   * `container` is set for contained resources, which share their container's local ids.
   */
  resource(value: unknown, at: string | undefined, expected: string | undefined, container: Container | undefined): void {
    const where = at ?? expected ?? '';
    const dot = where ? `${where}.` : '';
    if (!isPlainObject(value)) {
      this.error('structure', `A resource must be a JSON object, found ${jsonKind(value)}`, where || 'resourceType');
      return;
    }
    const rt = value.resourceType;
    if (typeof rt !== 'string') {
      this.error('structure', 'resourceType is missing or not a string', `${dot}resourceType`);
      return;
    }
    const table = resourceTable(rt);
    if (!table) {
      this.error('structure', `${JSON.stringify(rt)} is not an R4 resource type`, `${dot}resourceType`);
      return;
    }
    if (expected !== undefined && rt !== expected) {
      this.error('structure', `Expected a ${expected} resource, found ${rt}`, `${dot}resourceType`);
      return;
    }
    const expr = at ?? rt;
    const outer = this.scope;
    // A contained resource's %rootResource is its container; any other resource is its own root.
    this.scope = { resource: value, root: container && outer ? outer.root : value };
    const own = container ?? { containedIds: containedIdsOf(value), refs: new LocalReferences() };
    const before = this.errorCount;
    try {
      this.withSite(expr, value, rootRules(rt, container !== undefined), () => {
        if (container && value.contained !== undefined) {
          this.error('structure', 'A contained resource cannot contain other resources', `${expr}.contained`);
        }
        this.object(value, table, expr, own, true);
      });
    } finally {
      this.scope = outer;
    }
    // dom-3, like every invariant, only on a resource whose structure is sound.
    if (!container && this.errorCount === before) this.issues.push(...own.refs.unreferenced(value, expr));
  }

  private object(obj: Record<string, unknown>, table: ElementTable, expr: string, container: Container, isResource: boolean): void {
    if (this.depth >= MAX_DEPTH) {
      this.error('structure', `Nesting deeper than ${MAX_DEPTH} levels is not accepted`, expr);
      return;
    }
    this.depth++;
    try {
      this.members(obj, table, expr, container, isResource);
    } finally {
      this.depth--;
    }
  }

  private members(obj: Record<string, unknown>, table: ElementTable, expr: string, container: Container, isResource: boolean): void {
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      this.error('structure', 'Objects must not be empty; omit the element instead', expr);
      return;
    }
    for (const key of keys) {
      if (isResource && key === 'resourceType') continue;
      if (key.startsWith('_')) {
        this.primitiveExtension(obj, key, table, expr, container);
        continue;
      }
      const slot = table.bySlotName.get(key);
      if (!slot) {
        this.error('structure', unknownElementMessage(key, table), `${expr}.${key}`);
        continue;
      }
      this.element(obj[key], slot, `${expr}.${key}`, container, obj[`_${key}`]);
    }
    for (const { def, names } of table.choices) {
      // Bases in the body's own order (`_valueString` counts as valueString), so the extra form is the one pointed at.
      const forms = [...new Set(keys.map((k) => k.replace(/^_/, '')).filter((k) => names.includes(k)))];
      if (forms.length > 1) {
        this.error('structure', `${lastSegment(def.path)} takes one type at a time, found ${forms.join(' and ')}`, `${expr}.${forms[1]}`);
      }
    }
    for (const { def, names } of table.required) {
      const present = names.filter((n) => obj[n] !== undefined || obj[`_${n}`] !== undefined);
      if (present.length === 0) {
        this.error('required', `${lastSegment(def.path)} is required (minimum ${def.min})`, `${expr}.${lastSegment(def.path)}`);
      } else if (def.min > 1) {
        const v = obj[present[0]!];
        if (Array.isArray(v) && v.length < def.min) {
          this.error('required', `${present[0]} needs at least ${def.min} items`, `${expr}.${present[0]}`);
        }
      }
    }
  }

  /** All values of one property, with the shape (single or array) its maximum cardinality demands. */
  private element(value: unknown, slot: Slot, expr: string, container: Container, ext: unknown): void {
    const { def } = slot;
    if (def.max > 1) {
      if (!Array.isArray(value)) {
        this.error('structure', `${lastSegment(expr)} repeats, so it must be a JSON array, found ${jsonKind(value)}`, expr);
        return;
      }
      if (value.length === 0) {
        this.error('structure', 'Arrays must not be empty; omit the element instead', expr);
        return;
      }
      if (value.length > def.max) this.error('structure', `At most ${def.max} values are allowed`, expr);
      const extItems = Array.isArray(ext) ? ext : [];
      value.forEach((item, i) => {
        // A null keeps positions aligned with the `_name` array when only an extension is present.
        if (item === null && isPrimitiveType(slot.type.code) && isPlainObject(extItems[i])) return;
        this.single(item, slot, `${expr}[${i}]`, container);
      });
      return;
    }
    if (Array.isArray(value)) {
      this.error('structure', `${lastSegment(expr)} has at most one value, so it must not be a JSON array`, expr);
      return;
    }
    this.single(value, slot, expr, container);
  }

  private single(value: unknown, slot: Slot, expr: string, container: Container): void {
    const code = slot.type.code;
    if (value === null) {
      this.error('structure', 'null is not a value; omit the element instead', expr);
      return;
    }
    if (isPrimitiveType(code)) {
      const p = checkPrimitive(code, value);
      if (p) this.add(p.severity, p.code, p.message, expr);
      if (!p || p.severity !== 'error') this.withSite(expr, value, slotRules(slot), () => this.binding(slot, value, expr));
      if (URI_TYPES.has(code) && typeof value === 'string' && value.startsWith('#')) container.refs.note(value.slice(1), this.scope?.resource);
      return;
    }
    if (isResourceValuedType(code)) {
      const contained = lastSegment(slot.def.path) === 'contained' && slot.owner.kind === 'resource';
      if (contained) this.resource(value, expr, undefined, container);
      else this.resource(value, expr, code === 'Resource' ? undefined : code, undefined);
      return;
    }
    if (!isPlainObject(value)) {
      this.error('structure', `Expected a JSON object (${code}), found ${jsonKind(value)}`, expr);
      return;
    }
    const table = tableForSlot(slot);
    if (!table) return; // a type the definitions do not describe; nothing to check against
    this.withSite(expr, value, slotRules(slot), () => {
      this.object(value, table, expr, container, false);
      if (code === 'Reference') this.reference(value, slot, expr, container);
      this.binding(slot, value, expr);
    });
  }

  /** `_name`: the id and extensions of a primitive `name`, aligned item by item when it repeats. */
  private primitiveExtension(obj: Record<string, unknown>, key: string, table: ElementTable, expr: string, container: Container): void {
    const baseKey = key.slice(1);
    const slot = table.bySlotName.get(baseKey);
    if (!slot || !isPrimitiveType(slot.type.code)) {
      this.error('structure', `${key} is not allowed: ${baseKey} is not a primitive element of ${table.path}`, `${expr}.${key}`);
      return;
    }
    const elementTable = datatypeTable('Element')!;
    const at = `${expr}.${baseKey}`;
    const ext = obj[key];
    const base = obj[baseKey];
    if (slot.def.max > 1) {
      if (!Array.isArray(ext) || ext.length === 0) {
        this.error('structure', `${key} must be a non-empty JSON array aligned with ${baseKey}`, `${expr}.${key}`);
        return;
      }
      if (Array.isArray(base) && base.length !== ext.length) {
        this.error('structure', `${key} must have as many items as ${baseKey}`, `${expr}.${key}`);
      }
      ext.forEach((item, i) => {
        if (item === null) {
          // A null on both sides is reported once, by the walk of the value array.
          if (!Array.isArray(base) || base[i] === undefined) {
            this.error('structure', `Item ${i} of ${baseKey} has neither a value nor an extension`, `${at}[${i}]`);
          }
          return;
        }
        if (!isPlainObject(item)) this.error('structure', `Expected a JSON object, found ${jsonKind(item)}`, `${expr}.${key}[${i}]`);
        else this.object(item, elementTable, `${at}[${i}]`, container, false);
      });
      return;
    }
    if (!isPlainObject(ext)) {
      this.error('structure', `Expected a JSON object, found ${jsonKind(ext)}`, `${expr}.${key}`);
      return;
    }
    this.object(ext, elementTable, at, container, false);
  }

  /** Required bindings refuse a code outside their value set; extensible ones only warn (another code may be needed). */
  private binding(slot: Slot, value: unknown, expr: string): void {
    const { requiredValueSet, extensibleValueSet } = slot.def;
    if (requiredValueSet) {
      const p = checkBinding(slot.type.code, value, requiredValueSet, 'required');
      if (p) this.error('code-invalid', p.message, expr + p.at);
    } else if (extensibleValueSet) {
      const p = checkBinding(slot.type.code, value, extensibleValueSet, 'extensible');
      if (p) this.add('warning', 'code-invalid', `${p.message} (extensible binding: use a code from it when one applies)`, expr + p.at);
    }
  }

  private reference(ref: Record<string, unknown>, slot: Slot, expr: string, container: Container): void {
    const text = ref.reference;
    if (typeof text !== 'string' || text === '') return; // shape problems are reported by the primitive check
    const at = `${expr}.reference`;
    const parsed = parseReference(text);
    if (typeof parsed === 'string') {
      this.error('value', `${JSON.stringify(text)}: ${parsed}`, at);
      return;
    }
    if (parsed.kind === 'local') {
      container.refs.note(parsed.id, this.scope?.resource);
      if (parsed.id !== '' && !container.containedIds.has(parsed.id)) {
        this.error('value', `No contained resource has id ${JSON.stringify(parsed.id)}`, at);
      }
      return;
    }
    if (parsed.kind === 'urn' || !('type' in parsed) || parsed.type === undefined) return;
    const known = resourceInfo(parsed.type) !== undefined;
    if (!known) {
      // An absolute URL may belong to any system; only FHIR-shaped local references must name a real type.
      if (parsed.kind !== 'absolute') this.error('value', `${parsed.type} is not an R4 resource type`, at);
      return;
    }
    if (parsed.kind === 'conditional' && !this.opts.allowConditionalReferences) {
      this.error('value', 'Conditional references are only resolved inside a transaction', at);
      return;
    }
    const targets = slot.type.targets;
    if (targets && !targets.includes(parsed.type)) {
      this.error('value', `${parsed.type} is not an allowed target here (allowed: ${targets.join(', ')})`, at);
    }
    if (typeof ref.type === 'string' && ref.type !== parsed.type) {
      this.error('value', `Reference.type ${ref.type} contradicts the reference, which points at ${parsed.type}`, `${expr}.type`);
    }
  }
}

function containedIdsOf(resource: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  if (Array.isArray(resource.contained)) {
    for (const c of resource.contained) if (isPlainObject(c) && typeof c.id === 'string') ids.add(c.id);
  }
  return ids;
}

function unknownElementMessage(key: string, table: ElementTable): string {
  // A near miss on a choice element (valueFoo) deserves a hint about which types are allowed.
  for (const [name, slot] of table.bySlotName) {
    if (slot.def.path.endsWith('[x]') && key.startsWith(slot.name) && key !== name && /^[A-Z]/.test(key.slice(slot.name.length))) {
      const allowed = slot.def.types.map((t) => t.code).join(', ');
      return `${key} is not a valid form of ${slot.name}[x] in ${table.path} (types allowed: ${allowed})`;
    }
  }
  return `Unknown element ${key} in ${table.path}`;
}
