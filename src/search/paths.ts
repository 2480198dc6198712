// A fast evaluator for the "trivial" FHIRPath expressions that make up nearly all search parameters:
// `Type.a.b.c`, unions of such paths, a trailing `where(field = 'literal')`, `where(resolve() is T)`
// and `ofType(T)` on a choice element. It walks the JSON directly, using the element types of the same
// R4 model fhirpath.js uses, and yields what fhirpath.js would (value and FHIR type) without building
// its node objects. Anything else is left to fhirpath.js; the tests check both agree.
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { Model } from 'fhirpath';
import { splitTopLevel, splitUnion, stripOuterParens } from './expression.js';
import { referenceIs } from './references.js';

type Step =
  /** Child element; for a choice element, the first variant present wins (as in fhirpath.js). */
  | { k: 'field'; keys: { key: string; t: string }[] }
  | { k: 'whereEq'; field: string; value: string }
  | { k: 'refIs'; type: string };

interface PathPlan {
  root: string;
  steps: Step[];
  /** The FHIR types the path can produce. */
  types: string[];
}

/** Receives each value an expression yields, with its FHIR type. */
export type Emit = (v: unknown, t: string) => void;

export interface TrivialPath {
  run(resource: Record<string, unknown>, emit: Emit): void;
  /** The FHIR types of the values it produces. */
  types: string[];
}

const FIELD = /^[a-z][A-Za-z0-9]*$/;
const WHERE_EQ = /^where\(\s*([a-z][A-Za-z0-9]*)\s*=\s*'([^'\\]*)'\s*\)$/;
const WHERE_RESOLVE = /^where\(\s*resolve\(\)\s+is\s+([A-Z][A-Za-z]*)\s*\)$/;
const OF_TYPE = /^ofType\(\s*([A-Za-z]+)\s*\)$/;

/** Splits a path at dots outside parentheses and quotes. */
function segments(path: string): string[] {
  return splitTopLevel(path, '.');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function analyse(part: string, model: Model): PathPlan | undefined {
  const segs = segments(stripOuterParens(part));
  const root = segs[0]!;
  if (!/^[A-Z][A-Za-z]+$/.test(root)) return undefined;
  const steps: Step[] = [];
  // Where element types are looked up: a BackboneElement's own path, otherwise its datatype's name.
  let ctx: string | undefined = root;
  let last: { key: string; t: string }[] | undefined;
  for (const seg of segs.slice(1)) {
    let m: RegExpExecArray | null;
    if (FIELD.test(seg)) {
      if (ctx === undefined) return undefined;
      let path: string = `${ctx}.${seg}`;
      path = model.pathsDefinedElsewhere[path] ?? path;
      const choices = model.choiceTypePaths[path];
      if (choices) {
        last = choices.map((sfx) => ({ key: seg + sfx, t: model.path2Type[path + sfx] ?? lowerFirst(sfx) }));
        ctx = undefined; // navigating below a choice needs ofType first
      } else {
        const t: string | undefined = model.path2Type[path];
        if (t === undefined) return undefined;
        last = [{ key: seg, t }];
        ctx = t === 'BackboneElement' || t === 'Element' ? path : t;
      }
      steps.push({ k: 'field', keys: last });
    } else if ((m = OF_TYPE.exec(seg))) {
      const prev = steps[steps.length - 1];
      if (!prev || prev.k !== 'field' || prev.keys.length < 2) return undefined;
      const wanted = m[1]!;
      const keep = prev.keys.filter((k) => k.t === wanted);
      if (keep.length !== 1) return undefined;
      prev.keys = last = keep;
      const t = keep[0]!.t;
      ctx = t.charAt(0) === t.charAt(0).toUpperCase() ? t : undefined;
    } else if ((m = WHERE_EQ.exec(seg))) {
      steps.push({ k: 'whereEq', field: m[1]!, value: m[2]! });
    } else if ((m = WHERE_RESOLVE.exec(seg))) {
      steps.push({ k: 'refIs', type: m[1]! });
    } else {
      return undefined;
    }
  }
  if (!last) return undefined;
  return { root, steps, types: [...new Set(last.map((k) => k.t))] };
}

function pushField(obj: Record<string, unknown>, keys: { key: string; t: string }[], vals: unknown[], types: string[]): void {
  for (const { key, t } of keys) {
    const val = obj[key];
    if (val === undefined && obj['_' + key] === undefined) continue;
    if (Array.isArray(val)) {
      for (const x of val) {
        if (x !== null && x !== undefined) {
          vals.push(x);
          types.push(t);
        }
      }
    } else if (val !== null && val !== undefined) {
      vals.push(val);
      types.push(t);
    }
    break;
  }
}

// Values and their types travel in two parallel arrays, so no wrapper object is made per value.
function runPlan(plan: PathPlan, resource: Record<string, unknown>, emit: Emit): void {
  if (plan.root !== 'Resource' && plan.root !== 'DomainResource' && resource.resourceType !== plan.root) return;
  let vals: unknown[] = [resource];
  let types: string[] = [plan.root];
  for (const step of plan.steps) {
    const nextVals: unknown[] = [];
    const nextTypes: string[] = [];
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (step.k === 'field') {
        if (typeof v === 'object' && v !== null) pushField(v as Record<string, unknown>, step.keys, nextVals, nextTypes);
      } else if (
        step.k === 'whereEq'
          ? typeof v === 'object' && v !== null && (v as Record<string, unknown>)[step.field] === step.value
          : referenceIs(v, step.type)
      ) {
        nextVals.push(v);
        nextTypes.push(types[i]!);
      }
    }
    if (nextVals.length === 0) return;
    vals = nextVals;
    types = nextTypes;
  }
  for (let i = 0; i < vals.length; i++) emit(vals[i], types[i]!);
}

/**
 * Compiles `expression` (a union of trivial paths) or returns undefined when any part is not trivial.
 * Union members are concatenated; FHIRPath's `|` also removes duplicates, which the indexer's final
 * de-duplication makes irrelevant.
 */
export function compileTrivialPath(expression: string, model: Model = r4model): TrivialPath | undefined {
  const plans: PathPlan[] = [];
  for (const part of splitUnion(expression)) {
    const plan = analyse(part, model);
    if (!plan) return undefined;
    plans.push(plan);
  }
  if (plans.length === 0) return undefined;
  const types = [...new Set(plans.flatMap((p) => p.types))];
  if (plans.length === 1) {
    const only = plans[0]!;
    return { types, run: (resource, emit) => runPlan(only, resource, emit) };
  }
  return {
    types,
    run(resource, emit) {
      for (const plan of plans) runPlan(plan, resource, emit);
    },
  };
}
