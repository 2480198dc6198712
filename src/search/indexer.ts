// createIndexer: extracts the IndexValue entries of a resource for every supported search parameter
// of its type, evaluating each parameter's FHIRPath expression (compiled once, at creation).
import type { Resource } from '../domain/fhir.js';
import type { IndexValue } from '../domain/search-types.js';
import { extractorForParam, type ExtractContext, type Extractor } from './extract.js';
import { compileFhirPath } from './fhirpath-values.js';
import { compileTrivialPath, type Emit } from './paths.js';
import { normalizeBase } from './references.js';
import type { SearchParamDef, SearchRegistry } from './registry.js';

export interface IndexerOptions {
  /** This server's base URL; absolute references under it are stored as local `Type/id`. */
  baseUrl?: string;
  /**
   * Evaluate trivial paths with the direct JSON walker (default true). False forces fhirpath.js for
   * every parameter; the tests use it to check both give identical entries.
   */
  fastPath?: boolean;
}

export type IndexFn = (resource: Resource) => IndexValue[];

interface Plan {
  code: string;
  values: (resource: Record<string, unknown>, emit: Emit) => void;
  extract: Extractor;
}

// The store keeps the id itself and `_id` compiles to Cond `id`, so indexing it would only cost space.
const NOT_INDEXED = new Set(['_id']);

function planFor(def: SearchParamDef, fastPath: boolean): Plan | undefined {
  if (!def.supported || NOT_INDEXED.has(def.code)) return undefined;
  const extract = extractorForParam(def);
  if (!extract) return undefined;
  const fast = fastPath ? compileTrivialPath(def.expression) : undefined;
  return { code: def.code, values: fast ? fast.run : compileFhirPath(def.expression), extract };
}

const FIELDS = ['sys', 'code', 'text', 's', 'exact', 'rt', 'lo', 'hi', 'n', 'nlo', 'nhi'] as const;

function same(a: IndexValue, b: IndexValue): boolean {
  if (a.p !== b.p) return false;
  for (const f of FIELDS) if (a[f] !== b[f]) return false;
  return true;
}

function keyOf(e: IndexValue): string {
  let k = e.p;
  for (const f of FIELDS) {
    const v = e[f];
    k += v === undefined ? '\u0001' : '\u0001=' + String(v);
  }
  return k;
}

/**
 * Removes repeated identical entries from out[from..], keeping the first of each. Entries of different
 * parameters never coincide, so de-duplicating each parameter's own (short) run is enough: pairwise
 * for a few entries, by key for many.
 */
export function dedupeFrom(out: IndexValue[], from: number): void {
  const n = out.length - from;
  if (n < 2) return;
  let w = from;
  if (n <= 16) {
    for (let i = from; i < out.length; i++) {
      const e = out[i]!;
      let dup = false;
      for (let j = from; j < w; j++) {
        if (same(out[j]!, e)) {
          dup = true;
          break;
        }
      }
      if (!dup) out[w++] = e;
    }
  } else {
    const seen = new Set<string>();
    for (let i = from; i < out.length; i++) {
      const e = out[i]!;
      const k = keyOf(e);
      if (!seen.has(k)) {
        seen.add(k);
        out[w++] = e;
      }
    }
  }
  out.length = w;
}

/**
 * Builds the indexer. Entries come in registry order, parameter by parameter, duplicates removed.
 * `_lastUpdated` is read from meta.lastUpdated, so the store should index the resource after setting
 * its meta. Composite parameters are supported through their components (see extractorFor).
 */
export function createIndexer(registry: SearchRegistry, options: IndexerOptions = {}): IndexFn {
  const fastPath = options.fastPath ?? true;
  const ctx: ExtractContext = { baseUrl: normalizeBase(options.baseUrl) };
  const plansByType = new Map<string, Plan[]>();
  for (const type of registry.types) {
    plansByType.set(type, registry.paramsFor(type).flatMap((d) => planFor(d, fastPath) ?? []));
  }
  const commonPlans = registry.commonParams().flatMap((d) => planFor(d, fastPath) ?? []);

  return (resource) => {
    const plans = plansByType.get(resource.resourceType) ?? commonPlans;
    const r = resource as unknown as Record<string, unknown>;
    const out: IndexValue[] = [];
    let plan: Plan;
    const emit: Emit = (v, t) => plan.extract(out, plan.code, v, t, ctx);
    for (plan of plans) {
      const from = out.length;
      plan.values(r, emit);
      dedupeFrom(out, from);
    }
    return out;
  };
}
