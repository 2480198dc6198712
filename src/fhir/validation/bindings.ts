// Checks bindings: the coded value of an element against the bound value set. The caller decides what
// a problem means (an error for `required`, a warning for `extensible`). Value sets that cannot be
// expanded from the shipped files are skipped rather than enforced.
import { isPlainObject } from '../../domain/fhir.js';
import { expandValueSet, expansionHas, type Expansion } from './terminology.js';

export interface BindingProblem {
  /** Relative to the bound element: '' for the element itself, or e.g. `.coding[0].code`. */
  at: string;
  message: string;
}

export type BindingStrength = 'required' | 'extensible';

/**
 * Checks one value of an element typed `type` against the value set `valueSet`. Codes, Codings and
 * CodeableConcepts are checked; other types (Quantity units, strings bound to MIME types) are not.
 * Under an extensible binding a concept given as text alone, or a Coding without a code, is no
 * problem: only a code that is present and outside the value set is.
 */
export function checkBinding(type: string, value: unknown, valueSet: string, strength: BindingStrength = 'required'): BindingProblem | undefined {
  if (type !== 'code' && type !== 'Coding' && type !== 'CodeableConcept' && type !== 'string' && type !== 'uri') return undefined;
  const exp = expandValueSet(valueSet);
  if (!exp) return undefined;
  const vsName = valueSet.slice(valueSet.lastIndexOf('/') + 1);

  if (typeof value === 'string') {
    return expansionHas(exp, value) ? undefined : { at: '', message: `${JSON.stringify(value)} is not a code of value set ${vsName}` };
  }
  const strict = strength === 'required';
  if (type === 'Coding' && isPlainObject(value)) return strict || typeof value.code === 'string' ? checkCoding(exp, value, '', vsName) : undefined;
  if (type === 'CodeableConcept' && isPlainObject(value)) {
    const all: unknown[] = Array.isArray(value.coding) ? value.coding : [];
    const codings = all.flatMap((c, i) => (isPlainObject(c) && (strict || typeof c.code === 'string') ? [{ c, i }] : []));
    if (codings.length === 0) return strict ? { at: '', message: `A coded value from value set ${vsName} is required` } : undefined;
    const problems = codings.map(({ c, i }) => checkCoding(exp, c, `.coding[${i}]`, vsName));
    if (problems.some((p) => p === undefined)) return undefined; // one coding from the set suffices
    return problems.length === 1 ? problems[0] : { at: '', message: `None of the codings is from value set ${vsName}` };
  }
  return undefined; // wrong JSON shapes are reported by the structural walk
}

function checkCoding(exp: Expansion, c: Record<string, unknown>, at: string, vsName: string): BindingProblem | undefined {
  if (typeof c.code !== 'string') return { at, message: `A code from value set ${vsName} is required` };
  const system = typeof c.system === 'string' ? c.system : undefined;
  if (expansionHas(exp, c.code, system)) return undefined;
  const what = system ? `${system}#${c.code}` : JSON.stringify(c.code);
  return { at: `${at}.code`, message: `${what} is not in value set ${vsName}` };
}
