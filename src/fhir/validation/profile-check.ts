// Checks a resource against one of Envelope's profiles: the rules the profile adds to the base
// (tightened cardinality, fixed and pattern values, narrowed types and reference targets, bindings,
// slices and invariants). The base rules are the structural walk's; nothing is reported twice.
import type { Issue, IssueCode, IssueSeverity } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import { checkBinding } from './bindings.js';
import { checkInvariants, type InvariantSite } from './invariants.js';
import { equalsFixed, matchesPattern } from './json-match.js';
import type { Discriminator, Profile, ProfileNode } from './profile-model.js';
import { nodeAtPath } from './profile-loader.js';
import { parseReference } from './references.js';

/** One value of an element in the resource, with where it is. */
interface Instance {
  /** Undefined for a primitive that has only an id or extensions (`_name`). */
  value: unknown;
  at: string;
  /** The JSON property it came from (`valueQuantity` for `value[x]`). */
  key: string;
}

export function checkProfile(profile: Profile, resource: Record<string, unknown>): Issue[] {
  return new ProfileCheck(profile, resource).run();
}

class ProfileCheck {
  private readonly issues: Issue[] = [];
  private readonly sites: InvariantSite[] = [];
  constructor(private readonly profile: Profile, private readonly resource: Record<string, unknown>) {}

  run(): Issue[] {
    const type = this.profile.type;
    this.visit(this.profile.root, [{ value: this.resource, at: type, key: type }]);
    return [...this.issues, ...checkInvariants(this.sites)];
  }

  /** The element as the profile names it, below the resource: `participant:patient.required`. */
  private label(node: ProfileNode): string {
    return node.id.slice(this.profile.type.length + 1) || node.id;
  }

  private report(severity: IssueSeverity, code: IssueCode, message: string, at: string): void {
    this.issues.push({ severity, code, diagnostics: `Profile ${this.profile.name}: ${message}`, expression: [at] });
  }

  /** The rules of `node` on each of its instances, then its children under each instance. */
  private visit(node: ProfileNode, instances: readonly Instance[]): void {
    for (const inst of instances) {
      this.values(node, inst);
      if (node.constraints.length) {
        this.sites.push({
          at: inst.at, value: inst.value, resource: this.resource, rootResource: this.resource,
          rules: node.constraints.map((constraint) => ({ base: node.base ? baseFor(node, inst) : undefined, constraint })),
        });
      }
      if (!isPlainObject(inst.value)) continue;
      for (const child of node.children) this.element(child, inst);
    }
  }

  /** One child element under one parent instance: its cardinality, its slices, then its own rules. */
  private element(node: ProfileNode, parent: Instance): void {
    const values = valuesOf(parent, node.name);
    const tooFew = this.cardinality(node, this.label(node), values.length, parent.at);
    if (node.slicing) this.slices(node, values, parent, tooFew);
    this.visit(node, values);
  }

  /** `tooFew`: the element itself is below its minimum, which already says its slices are missing. */
  private slices(node: ProfileNode, values: Instance[], parent: Instance, tooFew: boolean): void {
    const { discriminators, closed } = node.slicing!;
    const matched = new Map<ProfileNode, Instance[]>(node.slices.map((s) => [s, []]));
    for (const v of values) {
      const slice = node.slices.find((s) => discriminators.every((d) => this.matches(s, d, v)));
      if (slice) matched.get(slice)!.push(v);
      else if (closed) this.report('error', 'structure', `${this.label(node)} matches none of the slices ${node.slices.map((s) => s.sliceName).join(', ')} (the slicing is closed)`, v.at);
    }
    for (const [slice, vs] of matched) {
      if (!(tooFew && vs.length === 0)) this.cardinality(slice, this.label(slice), vs.length, parent.at);
      this.visit(slice, vs);
    }
  }

  /** Reports a count outside the profile's cardinality; answers whether it was below the minimum. */
  private cardinality(node: ProfileNode, label: string, count: number, parentAt: string): boolean {
    const at = `${parentAt}.${node.name.replace('[x]', '')}`;
    const tooFew = node.min !== undefined && count < node.min;
    if (tooFew) this.report('error', 'required', `${label} needs at least ${node.min} (found ${count})`, at);
    if (node.max !== undefined && count > node.max) {
      this.report('error', 'structure', node.max === 0 ? `${label} is not allowed` : `${label} allows at most ${node.max} (found ${count})`, at);
    }
    return tooFew;
  }

  /** Fixed and pattern values, narrowed types, reference targets and bindings of one instance. */
  private values(node: ProfileNode, inst: Instance): void {
    if (node.fixed && !equalsFixed(inst.value, node.fixed.value)) {
      this.report('error', 'value', `${this.label(node)} must be exactly ${JSON.stringify(node.fixed.value)} (${node.fixed.key})`, inst.at);
    }
    if (node.pattern && !matchesPattern(inst.value, node.pattern.value)) {
      this.report('error', 'value', `${this.label(node)} must contain ${JSON.stringify(node.pattern.value)} (${node.pattern.key})`, inst.at);
    }
    const code = typeOf(node, inst);
    if (node.types && !node.types.includes(code)) {
      this.report('error', 'structure', `${inst.key} is not allowed here: ${this.label(node)} takes ${node.types.join(', ')}`, inst.at);
    }
    if (node.targets && isPlainObject(inst.value)) this.target(this.label(node), node.targets, inst.value, inst.at);
    if (node.binding && inst.value !== undefined) {
      const p = checkBinding(code, inst.value, node.binding.valueSet, node.binding.strength);
      if (p) {
        const required = node.binding.strength === 'required';
        this.report(required ? 'error' : 'warning', 'code-invalid', p.message, inst.at + p.at);
      }
    }
  }

  private target(label: string, targets: readonly string[], ref: Record<string, unknown>, at: string): void {
    const type = referencedType(ref, this.resource);
    if (type !== undefined && !targets.includes(type)) {
      this.report('error', 'value', `${label} must reference ${targets.join(' or ')}, not ${type}`, typeof ref.reference === 'string' ? `${at}.reference` : at);
    }
  }

  /** Whether instance `v` belongs to `slice` by discriminator `d`. */
  private matches(slice: ProfileNode, d: Discriminator, v: Instance): boolean {
    const rule = nodeAtPath(slice, d.path)!;
    const found = valuesAtPath(v, d.path);
    switch (d.type) {
      case 'exists':
        return (rule.min ?? 0) >= 1 ? found.length > 0 : found.length === 0;
      case 'type':
        return found.some((f) => isPlainObject(f.value) && rule.targets!.includes(referencedType(f.value, this.resource) ?? ''));
      default:
        return found.some((f) => (rule.fixed ? equalsFixed(f.value, rule.fixed.value) : matchesPattern(f.value, rule.pattern!.value)));
    }
  }
}

/** The values of child `name` (`value[x]` for a choice) of one object, each with its location. */
function valuesOf(parent: Instance, name: string): Instance[] {
  const obj = parent.value as Record<string, unknown>;
  const keys = name.endsWith('[x]')
    ? Object.keys(obj).filter((k) => k.startsWith(name.slice(0, -3)) && /^[A-Z]/.test(k.slice(name.length - 3)))
    : [name];
  const out: Instance[] = [];
  for (const key of keys) {
    const value = obj[key];
    const ext = obj[`_${key}`];
    if (Array.isArray(value) || Array.isArray(ext)) {
      const items = Array.isArray(value) ? value : [];
      const exts = Array.isArray(ext) ? ext : [];
      for (let i = 0; i < Math.max(items.length, exts.length); i++) {
        const item = items[i] ?? undefined;
        if (item !== undefined || (exts[i] !== undefined && exts[i] !== null)) out.push({ value: item, at: `${parent.at}.${key}[${i}]`, key });
      }
    } else if (value !== undefined || ext !== undefined) {
      out.push({ value, at: `${parent.at}.${key}`, key });
    }
  }
  return out;
}

/** The values at a simple path below an instance (`$this`, `code`, `coding.code`). */
function valuesAtPath(inst: Instance, path: string): Instance[] {
  if (path === '$this') return [inst];
  let level = [inst];
  for (const seg of path.split('.')) level = level.flatMap((i) => (isPlainObject(i.value) ? valuesOf(i, seg) : []));
  return level;
}

/** The resource type a Reference points at: from its literal reference, a contained resource, or its `type`. */
function referencedType(ref: Record<string, unknown>, resource: Record<string, unknown>): string | undefined {
  if (typeof ref.reference === 'string') {
    const parsed = parseReference(ref.reference);
    if (typeof parsed !== 'string') {
      if (parsed.kind === 'local') {
        const contained = Array.isArray(resource.contained) ? resource.contained : [];
        const hit = contained.find((c) => isPlainObject(c) && c.id === parsed.id) as Record<string, unknown> | undefined;
        return typeof hit?.resourceType === 'string' ? hit.resourceType : undefined;
      }
      if ('type' in parsed && parsed.type !== undefined) return parsed.type;
    }
  }
  return typeof ref.type === 'string' ? ref.type : undefined;
}

/** The type of an instance: the suffix of a choice key, else the base element's type. */
function typeOf(node: ProfileNode, inst: Instance): string {
  if (node.name.endsWith('[x]')) {
    const suffix = inst.key.slice(node.name.length - 3);
    const code = node.base!.def.types.find((t) => t.code.toLowerCase() === suffix.toLowerCase())?.code;
    return code ?? suffix;
  }
  return node.base?.def.types[0]?.code ?? node.path;
}

/** FHIRPath base for an instance's invariants: the element path, or its type for a choice. */
function baseFor(node: ProfileNode, inst: Instance): string {
  return node.name.endsWith('[x]') ? typeOf(node, inst) : node.path;
}
