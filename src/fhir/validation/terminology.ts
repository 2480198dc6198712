// Expands value sets from the code systems and value sets shipped with the R4 definitions, so that
// required bindings can be enforced without a terminology server. Anything whose content is not
// fully shipped (SNOMED CT, UCUM, languages, filters, fragments) expands to `undefined`, and the
// caller then skips the check: refusing a code we cannot judge would reject valid data.
import { readR4Bundle } from './definitions.js';

/** The codes of an expanded value set, grouped by code system. */
export interface Expansion {
  /** system -> codes (lower-cased for case-insensitive systems). */
  bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  /** Systems whose codes compare case-insensitively. */
  caseInsensitive: ReadonlySet<string>;
}

interface CodeSystemInfo { complete: boolean; caseSensitive: boolean; codes: Set<string> }
interface ConceptRef { code?: string }
interface ComposeRule { system?: string; concept?: ConceptRef[]; filter?: unknown[]; valueSet?: string[] }
interface Compose { include?: ComposeRule[]; exclude?: ComposeRule[] }
interface TerminologyFile {
  codeSystems: Map<string, CodeSystemInfo>;
  valueSets: Map<string, Compose | undefined>;
}

// FHIR's own value sets and code systems (valuesets.json) serve nearly every required binding; the
// v3 file is read only when a lookup misses there, which few resources ever cause.
const FILES = ['valuesets.json', 'v3-codesystems.json'] as const;
const loaded: TerminologyFile[] = [];
const expansions = new Map<string, Expansion | undefined>();
let loadMs = 0;

/** Milliseconds spent reading terminology files so far, and how many of the two were needed. */
export function terminologyStats(): { ms: number; filesLoaded: number } {
  return { ms: loadMs, filesLoaded: loaded.length };
}

/** Loads every terminology file now (for warm-up). */
export function loadAllTerminology(): void {
  while (loadNext());
}

function loadNext(): boolean {
  const file = FILES[loaded.length];
  if (!file) return false;
  const t0 = performance.now();
  loaded.push(loadFile(file));
  loadMs += performance.now() - t0;
  return true;
}

function lookup<T>(pick: (f: TerminologyFile) => Map<string, T>, url: string): T | undefined {
  for (let i = 0; ; i++) {
    if (i === loaded.length && !loadNext()) return undefined;
    const map = pick(loaded[i]!);
    if (map.has(url)) return map.get(url);
  }
}

function loadFile(file: string): TerminologyFile {
  const codeSystems = new Map<string, CodeSystemInfo>();
  const valueSets = new Map<string, Compose | undefined>();
  for (const entry of readR4Bundle(file).entry ?? []) {
    const r = entry.resource;
    const url = typeof r?.url === 'string' ? r.url : undefined;
    if (!r || !url) continue;
    if (r.resourceType === 'CodeSystem') {
      const codes = new Set<string>();
      const caseSensitive = r.caseSensitive !== false;
      collectConcepts(r.concept as NestedConcept[] | undefined, codes, caseSensitive);
      codeSystems.set(url, { complete: r.content === 'complete', caseSensitive, codes });
    } else if (r.resourceType === 'ValueSet') {
      valueSets.set(url, r.compose as Compose | undefined);
    }
  }
  return { codeSystems, valueSets };
}

interface NestedConcept { code?: string; concept?: NestedConcept[] }
function collectConcepts(list: NestedConcept[] | undefined, into: Set<string>, caseSensitive: boolean): void {
  for (const c of list ?? []) {
    if (c.code) into.add(caseSensitive ? c.code : c.code.toLowerCase());
    collectConcepts(c.concept, into, caseSensitive);
  }
}

/** The expansion of a value set (canonical URL, version ignored), or undefined when it cannot be computed from what ships. */
export function expandValueSet(url: string): Expansion | undefined {
  const key = url.split('|')[0]!;
  if (expansions.has(key)) return expansions.get(key);
  expansions.set(key, undefined); // guards against value sets that import each other
  const result = compute(key);
  expansions.set(key, result);
  return result;
}

function compute(url: string): Expansion | undefined {
  const compose = lookup((f) => f.valueSets, url);
  if (!compose?.include?.length) return undefined;
  const bySystem = new Map<string, Set<string>>();
  const caseInsensitive = new Set<string>();
  for (const rule of compose.include) {
    const part = expandRule(rule);
    if (!part) return undefined;
    for (const [sys, codes] of part.bySystem) {
      let set = bySystem.get(sys);
      if (!set) bySystem.set(sys, (set = new Set()));
      for (const c of codes) set.add(c);
    }
    for (const s of part.caseInsensitive) caseInsensitive.add(s);
  }
  for (const rule of compose.exclude ?? []) {
    // Only explicit code lists can be subtracted exactly; anything else leaves the set unknown.
    if (!rule.system || !rule.concept || rule.filter?.length || rule.valueSet?.length) return undefined;
    const set = bySystem.get(rule.system);
    for (const c of rule.concept) if (c.code) set?.delete(caseInsensitive.has(rule.system) ? c.code.toLowerCase() : c.code);
  }
  return { bySystem, caseInsensitive };
}

function expandRule(rule: ComposeRule): Expansion | undefined {
  if (rule.filter?.length) return undefined;
  if (rule.valueSet?.length) {
    // An include naming both value sets and a system is their intersection; R4 core never uses it.
    if (rule.system || rule.valueSet.length !== 1) return undefined;
    return expandValueSet(rule.valueSet[0]!);
  }
  if (!rule.system) return undefined;
  const cs = lookup((f) => f.codeSystems, rule.system);
  const caseSensitive = cs?.caseSensitive ?? true;
  let codes: Set<string>;
  if (rule.concept?.length) {
    codes = new Set(rule.concept.flatMap((c) => (c.code ? [caseSensitive ? c.code : c.code.toLowerCase()] : [])));
  } else {
    if (!cs?.complete) return undefined;
    codes = cs.codes;
  }
  return { bySystem: new Map([[rule.system, codes]]), caseInsensitive: new Set(caseSensitive ? [] : [rule.system]) };
}

/** Whether `code` (optionally from `system`) is in the expansion. Without a system, any system counts. */
export function expansionHas(exp: Expansion, code: string, system?: string): boolean {
  const probe = (sys: string, codes: ReadonlySet<string>) => codes.has(exp.caseInsensitive.has(sys) ? code.toLowerCase() : code);
  if (system !== undefined) {
    const codes = exp.bySystem.get(system);
    return codes !== undefined && probe(system, codes);
  }
  for (const [sys, codes] of exp.bySystem) if (probe(sys, codes)) return true;
  return false;
}
