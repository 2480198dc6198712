// Reads Envelope's profiles (StructureDefinition, derivation constraint, differential only) and
// resolves each differential element against the R4 base: the path must exist, cardinality may only
// tighten, types and reference targets may only narrow, invariants must compile. Anything this
// validator would not enforce (maxLength, minValue, type profiles, ordered slicing...) is refused,
// so a profile never claims a rule that is silently skipped. A faulty file stops the server.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseElementAt } from './base-elements.js';
import { resourceInfo } from './definitions.js';
import { compileInvariant, type Constraint } from './invariants.js';
import type { Discriminator, Profile, ProfileNode } from './profile-model.js';
import { expandValueSet } from './terminology.js';

/** Canonical URLs of Envelope's own profiles start with this. */
export const PROFILE_BASE_URL = 'https://envelope.example/fhir/StructureDefinition/';
const R4_BASE_URL = 'http://hl7.org/fhir/StructureDefinition/';

/** Element properties that document and never constrain; anything else not handled below is refused. */
const DOCUMENTATION = new Set([
  'id', 'path', 'short', 'definition', 'comment', 'requirements', 'alias', 'label', 'mustSupport', 'example',
  'mapping', 'isSummary', 'meaningWhenMissing', 'orderMeaning', 'extension',
]);
const HANDLED = new Set(['sliceName', 'min', 'max', 'constraint', 'type', 'binding', 'slicing']);

export class ProfileError extends Error {
  constructor(file: string, message: string) {
    super(`profiles/${file}: ${message}`);
    this.name = 'ProfileError';
  }
}

interface RawElement extends Record<string, unknown> { id?: unknown; path?: unknown }

/** Every `*.json` in `dir`, as profiles; throws a ProfileError naming the file and the fault. */
export function readProfiles(dir: string): Profile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const raws = files.map((file) => {
    let sd: unknown;
    try {
      sd = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      throw new ProfileError(file, `not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    return { file, sd: header(file, sd) };
  });
  // Reference targets may name other profiles: their types are known once every header is read.
  const typeOfProfile = new Map(raws.map(({ sd }) => [sd.url, sd.type]));
  const seen = new Set<string>();
  return raws.map(({ file, sd }) => {
    if (seen.has(sd.url)) throw new ProfileError(file, `a second profile with url ${sd.url}`);
    seen.add(sd.url);
    return { url: sd.url, name: sd.name, type: sd.type, file, root: resolveTree(file, sd.type, sd.elements, typeOfProfile) };
  });
}

interface Header { url: string; name: string; type: string; elements: RawElement[] }

function header(file: string, sd: unknown): Header {
  const fail = (m: string) => new ProfileError(file, m);
  if (!isObject(sd) || sd.resourceType !== 'StructureDefinition') throw fail('not a StructureDefinition');
  const { url, name, type, derivation, kind, baseDefinition, differential, snapshot } = sd;
  if (typeof url !== 'string' || !url.startsWith(PROFILE_BASE_URL) || url.length === PROFILE_BASE_URL.length) throw fail(`url must start with ${PROFILE_BASE_URL}`);
  if (typeof name !== 'string' || !/^[A-Z][A-Za-z0-9_]{0,254}$/.test(name)) throw fail('name must be a computable name (A-Z first, then letters, digits, _)');
  if (derivation !== 'constraint') throw fail('derivation must be constraint');
  if (kind !== 'resource') throw fail('kind must be resource');
  if (typeof type !== 'string' || !resourceInfo(type)) throw fail(`type ${JSON.stringify(type)} is not an R4 resource type`);
  if (baseDefinition !== R4_BASE_URL + type) throw fail(`baseDefinition must be ${R4_BASE_URL}${type} (profiles of profiles are not supported)`);
  if (snapshot !== undefined) throw fail('only a differential is read; remove the snapshot');
  const elements = isObject(differential) ? differential.element : undefined;
  if (!Array.isArray(elements) || elements.length === 0 || !elements.every(isObject)) throw fail('differential.element must be a non-empty array of elements');
  return { url, name, type, elements: elements as RawElement[] };
}

function resolveTree(file: string, type: string, elements: RawElement[], typeOfProfile: ReadonlyMap<string, string>): ProfileNode {
  const root: ProfileNode = { id: type, path: type, name: type, constraints: [], slices: [], children: [] };
  const byId = new Map<string, ProfileNode>([[type, root]]);
  const listed = new Set<string>();
  for (const raw of elements) {
    const id = raw.id;
    if (typeof id !== 'string' || id === '') throw new ProfileError(file, 'every element needs an id');
    const fail = (m: string) => new ProfileError(file, `${id}: ${m}`);
    if (listed.has(id)) throw fail('appears twice');
    listed.add(id);
    const path = pathOfId(id);
    if (raw.path !== path) throw fail(`path must be ${path} (the id without slice names)`);
    const node = id === type ? root : nodeFor(file, type, id, path, byId);
    for (const key of Object.keys(raw)) {
      if (DOCUMENTATION.has(key) || HANDLED.has(key) || key.startsWith('fixed') || key.startsWith('pattern')) continue;
      throw fail(`${key} is not enforced by Envelope's validator; remove it or extend the validator`);
    }
    applyElement(node, raw, fail, typeOfProfile);
  }
  for (const node of byId.values()) checkSlicing(node, (m) => new ProfileError(file, `${node.id}: ${m}`));
  return root;
}

/** `Appointment.participant:patient.actor` -> `Appointment.participant.actor`. */
function pathOfId(id: string): string {
  return id.split('.').map((seg) => seg.split(':')[0]).join('.');
}

/** The node for `id`, created with any missing ancestors (a differential need not list them). */
function nodeFor(file: string, type: string, id: string, path: string, byId: Map<string, ProfileNode>): ProfileNode {
  const existing = byId.get(id);
  if (existing) return existing;
  const fail = (m: string) => new ProfileError(file, `${id}: ${m}`);
  const dot = id.lastIndexOf('.');
  if (dot < 0) throw fail(`must start with ${type}`);
  const parentId = id.slice(0, dot);
  const parent = nodeFor(file, type, parentId, pathOfId(parentId), byId);
  const segment = id.slice(dot + 1);
  const [name, sliceName, extra] = segment.split(':');
  if (extra !== undefined || sliceName === '' || (sliceName !== undefined && !/^[A-Za-z0-9_-]+$/.test(sliceName))) throw fail('malformed slice name');
  const base = baseElementAt(type, path);
  if (!base) throw fail(`${path} is not an element of ${type}`);
  const node: ProfileNode = { id, path, name: name!, base, constraints: [], slices: [], children: [] };
  if (sliceName !== undefined) {
    const sliced = byId.get(id.slice(0, id.length - sliceName.length - 1));
    if (!sliced?.slicing) throw fail('a slice must follow the element that declares its slicing');
    node.sliceName = sliceName;
    sliced.slices.push(node);
  } else {
    parent.children.push(node);
  }
  byId.set(id, node);
  return node;
}

function applyElement(node: ProfileNode, raw: RawElement, fail: (m: string) => Error, typeOfProfile: ReadonlyMap<string, string>): void {
  const base = node.base;
  if (!base && Object.keys(raw).some((k) => HANDLED.has(k) && k !== 'constraint')) throw fail('on the root only invariants (constraint) are supported');
  if (base) {
    cardinality(node, raw, fail);
    values(node, raw, fail);
    types(node, raw, fail, typeOfProfile);
    binding(node, raw, fail);
    slicing(node, raw, fail);
  }
  node.constraints.push(...constraints(raw.constraint, fail));
}

function cardinality(node: ProfileNode, raw: RawElement, fail: (m: string) => Error): void {
  const def = node.base!.def;
  const slice = node.sliceName !== undefined;
  // A slice not stating its minimum may match nothing.
  let min = slice ? 0 : def.min;
  let max = def.max;
  if (raw.min !== undefined) {
    if (!Number.isInteger(raw.min) || (raw.min as number) < 0) throw fail('min must be a whole number');
    min = raw.min as number;
    // A slice counts only the instances it matches, so its minimum may be below the element's.
    if (!slice && min < def.min) throw fail(`min ${min} loosens the base minimum ${def.min}`);
  }
  if (raw.max !== undefined) {
    if (typeof raw.max !== 'string' || !/^(\*|\d+)$/.test(raw.max)) throw fail('max must be "*" or a whole number as a string');
    max = raw.max === '*' ? Infinity : Number(raw.max);
    if (max > def.max) throw fail(`max ${raw.max} loosens the base maximum ${def.max === Infinity ? '*' : def.max}`);
  }
  if (min > max) throw fail(`min ${min} is above max ${max}`);
  // Only what the profile adds is checked here; the base cardinality is the structural walk's.
  if (slice || min > def.min) node.min = min;
  if (slice || max < def.max) node.max = max;
}

function values(node: ProfileNode, raw: RawElement, fail: (m: string) => Error): void {
  const typeNames = node.base!.def.types.map((t) => t.code[0]!.toUpperCase() + t.code.slice(1));
  for (const kind of ['fixed', 'pattern'] as const) {
    const keys = Object.keys(raw).filter((k) => k.startsWith(kind));
    if (keys.length === 0) continue;
    const key = keys[0]!;
    if (keys.length > 1 || !typeNames.includes(key.slice(kind.length))) throw fail(`${key} does not name a type of this element (${typeNames.join(', ')})`);
    node[kind] = { key, value: raw[key] };
  }
  if (node.fixed && node.pattern) throw fail('fixed and pattern cannot both be given');
}

function types(node: ProfileNode, raw: RawElement, fail: (m: string) => Error, typeOfProfile: ReadonlyMap<string, string>): void {
  if (raw.type === undefined) return;
  if (!Array.isArray(raw.type) || raw.type.length === 0 || !raw.type.every(isObject)) throw fail('type must be a non-empty array');
  const baseTypes = node.base!.def.types;
  const codes: string[] = [];
  let targets: string[] | undefined;
  for (const t of raw.type as Record<string, unknown>[]) {
    const code = t.code;
    const baseType = baseTypes.find((b) => b.code === code);
    if (typeof code !== 'string' || !baseType) throw fail(`type ${JSON.stringify(code)} is not a type of the base element`);
    const unsupported = Object.keys(t).filter((k) => k !== 'code' && k !== 'targetProfile');
    if (unsupported.length) throw fail(`type.${unsupported[0]} is not enforced by Envelope's validator`);
    codes.push(code);
    if (t.targetProfile === undefined) continue;
    if (code !== 'Reference' || !Array.isArray(t.targetProfile)) throw fail('targetProfile is supported on Reference types, as an array');
    targets = [];
    for (const p of t.targetProfile) {
      const target = typeof p === 'string' ? (p.startsWith(R4_BASE_URL) ? p.slice(R4_BASE_URL.length) : typeOfProfile.get(p)) : undefined;
      if (!target || !resourceInfo(target)) throw fail(`targetProfile ${JSON.stringify(p)} is neither an R4 resource type nor one of Envelope's profiles`);
      if (baseType.targets && !baseType.targets.includes(target)) throw fail(`targetProfile ${target} is not allowed by the base (${baseType.targets.join(', ')})`);
      targets.push(target);
    }
  }
  if (targets) node.targets = targets;
  if (codes.length < baseTypes.length) node.types = codes;
}

function binding(node: ProfileNode, raw: RawElement, fail: (m: string) => Error): void {
  const b = raw.binding;
  if (b === undefined) return;
  if (!isObject(b) || typeof b.strength !== 'string') throw fail('binding needs a strength');
  if (b.strength !== 'required' && b.strength !== 'extensible') return; // preferred and example bindings constrain nothing
  const vs = typeof b.valueSet === 'string' ? b.valueSet.split('|')[0]! : undefined;
  if (!vs || !expandValueSet(vs)) throw fail(`binding.valueSet ${JSON.stringify(b.valueSet)} cannot be expanded from the R4 definitions`);
  node.binding = { strength: b.strength, valueSet: vs };
}

function slicing(node: ProfileNode, raw: RawElement, fail: (m: string) => Error): void {
  const s = raw.slicing;
  if (s === undefined) return;
  if (node.sliceName !== undefined) throw fail('re-slicing a slice is not supported');
  if (!isObject(s) || !Array.isArray(s.discriminator) || s.discriminator.length === 0) throw fail('slicing needs discriminators');
  if (s.ordered === true) throw fail('ordered slicing is not supported');
  if (s.rules !== 'open' && s.rules !== 'closed' && s.rules !== 'openAtEnd') throw fail('slicing.rules must be open, closed or openAtEnd');
  if (!node.base!.repeats) throw fail('only a repeating element can be sliced');
  const discriminators = s.discriminator.map((d): Discriminator => {
    if (!isObject(d) || typeof d.path !== 'string') throw fail('each discriminator needs a type and a path');
    if (d.type === 'type') {
      const m = /^(?:(.+)\.)?resolve\(\)$/.exec(d.path);
      if (!m) throw fail('a type discriminator is supported as <path>.resolve() on a reference');
      return { type: 'type', path: m[1] ?? '$this' };
    }
    if (d.type !== 'value' && d.type !== 'pattern' && d.type !== 'exists') throw fail(`discriminator type ${JSON.stringify(d.type)} is not supported`);
    if (d.path !== '$this' && !/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/.test(d.path)) throw fail(`discriminator path ${d.path} is not a simple path`);
    return { type: d.type, path: d.path };
  });
  // openAtEnd only constrains order, which is not checked (ordered slicing is refused above).
  node.slicing = { discriminators, closed: s.rules === 'closed' };
}

/** Each slice must state, at each discriminator's path, what tells its instances apart. */
function checkSlicing(node: ProfileNode, fail: (m: string) => Error): void {
  if (!node.slicing) return;
  if (node.slices.length === 0) throw fail('declares slicing but no slices');
  for (const slice of node.slices) {
    for (const d of node.slicing.discriminators) {
      const at = nodeAtPath(slice, d.path);
      const ok = d.type === 'type' ? at?.targets !== undefined
        : d.type === 'exists' ? at !== undefined && ((at.min ?? 0) >= 1 || at.max === 0)
          : at !== undefined && (at.fixed !== undefined || at.pattern !== undefined);
      if (!ok) throw fail(`slice ${slice.sliceName} does not state its ${d.type} at ${d.path}`);
    }
  }
}

/** The node at a discriminator path below a slice (`$this` is the slice). */
export function nodeAtPath(node: ProfileNode, path: string): ProfileNode | undefined {
  if (path === '$this') return node;
  let at: ProfileNode | undefined = node;
  for (const seg of path.split('.')) at = at?.children.find((c) => c.name === seg);
  return at;
}

function constraints(raw: unknown, fail: (m: string) => Error): Constraint[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw fail('constraint must be an array');
  return raw.map((c) => {
    if (!isObject(c) || typeof c.key !== 'string' || typeof c.expression !== 'string' || typeof c.human !== 'string') {
      throw fail('each constraint needs key, human and expression');
    }
    if (c.severity !== 'error' && c.severity !== 'warning') throw fail(`constraint ${c.key}: severity must be error or warning`);
    try {
      compileInvariant(undefined, c.expression);
    } catch (e) {
      throw fail(`constraint ${c.key} does not compile: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { key: c.key, severity: c.severity, human: c.human, expression: c.expression };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
