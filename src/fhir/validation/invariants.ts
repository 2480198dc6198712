// FHIRPath invariants (ElementDefinition.constraint) evaluated with fhirpath.js on each element
// instance. Expressions are compiled once per (base path, expression) and kept; evaluating one is a
// function call on the instance, with %resource and %rootResource set as FHIR defines them. Those
// whose outcome follows from which elements the instance has are not evaluated (invariant-shortcut.ts).
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { Issue } from '../../domain/errors.js';
import { holds } from './invariant-result.js';
import { decideWithoutEvaluating } from './invariant-shortcut.js';

/** One invariant of an element, as the definitions (or a profile) state it. */
export interface Constraint {
  key: string;
  severity: 'error' | 'warning';
  /** The human statement of the rule, used in the diagnostics. */
  human: string;
  expression: string;
  /**
   * A best-practice recommendation (the R4 elementdefinition-bestpractice extension: dom-6, "should
   * have narrative"). Reported by $validate, not evaluated on writes, where no one would see it.
   */
  bestPractice?: true;
}

/**
 * Invariants of the R4 definitions that are never evaluated, and why. Anything listed here is
 * either checked elsewhere by Envelope (so each rule has one implementation) or cannot be evaluated
 * correctly; docs/validation.md repeats this list.
 */
export const SKIPPED_CONSTRAINTS: Readonly<Record<string, string>> = {
  'ele-1': 'on every element; its R4 expression miscounts primitives that carry only extensions, and the structural walk already refuses empty objects, empty arrays and nulls',
  'ref-1': 'local references are resolved against the contained resources by the structural walk (references.ts), which points at the reference itself',
  'dom-3': 'checked by the structural walk in one pass (contained-references.ts); R4\'s expression scans the whole resource once per contained resource, which a hostile body turns into minutes of CPU (it also applies as() to collections, which fhirpath.js refuses)',
  'ppc-1': 'checked in consent-invariants.ts, which owns the Consent rules (it evaluates the official expression)',
  'ppc-2': 'published with the placeholder system \'something\' (always true); consent-invariants.ts checks the intended rule',
  'ppc-3': 'as ppc-2',
  'ppc-4': 'as ppc-2',
  'ppc-5': 'as ppc-2',
  'eld-16': 'its regular expression is written for Java; JavaScript\'s Unicode mode, which fhirpath.js uses, refuses it (ElementDefinition only)',
  'eld-19': 'as eld-16',
  'eld-20': 'as eld-16',
  'ras-1': 'fhirpath.js 5.2.0 fails on a decimal evaluated as the context element (RiskAssessment only)',
};

/** Functions that need something this server does not have locally (other resources, other profiles, a terminology server). */
const NOT_LOCAL = /\b(resolve|conformsTo|memberOf|subsumes|subsumedBy)\s*\(/;

/** Whether an invariant of the base definitions is evaluated: not when listed above, or when it needs more than the resource. */
export function isEvaluated(c: Constraint): boolean {
  return !(c.key in SKIPPED_CONSTRAINTS) && !NOT_LOCAL.test(c.expression);
}

/** An invariant whose expression uses a function that needs more than the resource (skipped, listed in docs). */
export function needsMoreThanTheResource(expression: string): boolean {
  return NOT_LOCAL.test(expression);
}

type Compiled = (data: unknown, env: Record<string, unknown>) => unknown[];
const compiled = new Map<string, Compiled>();
const quiet = { resolveInternalTypes: false, traceFn: () => undefined } as const;

/**
 * The compiled form of `expression` evaluated on instances of `base` (an element path such as
 * `Appointment.participant`, or a type name such as `Period`): the base gives fhirpath.js the
 * types of the instance's children, which choice elements and `is`/`as` need. Without a base the
 * instance is a resource, whose `resourceType` tells fhirpath.js its type (and costs less).
 */
export function compileInvariant(base: string | undefined, expression: string): Compiled {
  const key = `${base ?? ''}\u0000${expression}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = (base === undefined ? fhirpath.compile(expression, r4model, quiet) : fhirpath.compile({ base, expression }, r4model, quiet)) as unknown as Compiled;
    compiled.set(key, fn);
  }
  return fn;
}

/** How many distinct expressions have been compiled (for tests of the cache). */
export function compiledInvariantCount(): number {
  return compiled.size;
}

let evaluations = 0;

/** How many invariants fhirpath.js has evaluated on an instance so far (for tests of the shortcut). */
export function invariantEvaluationCount(): number {
  return evaluations;
}

/** One place to evaluate invariants: an element instance with the rules that apply to it. */
export interface InvariantSite {
  /** Where the instance is, for the issue's expression (`Appointment.participant[0]`). */
  at: string;
  value: unknown;
  rules: readonly BoundConstraint[];
  /** The resource holding the instance (%resource) and the one at the root of the body (%rootResource). */
  resource: unknown;
  rootResource: unknown;
}

/** A constraint with the base path it is evaluated from (none for a resource), compiled on first use. */
export interface BoundConstraint {
  base: string | undefined;
  constraint: Constraint;
}

/**
 * Most invariant evaluations one resource may need (about 100 ms of fhirpath.js). Real resources of
 * this domain need tens; a body built to need millions would hold a CPU for minutes, so beyond this
 * the resource is refused as too costly rather than half-checked.
 */
export const MAX_INVARIANT_EVALUATIONS = 10_000;

/** The issue for a resource whose invariants would cost more than MAX_INVARIANT_EVALUATIONS, or undefined. */
export function tooCostly(sites: readonly InvariantSite[], at: string): Issue | undefined {
  let n = 0;
  for (const s of sites) n += s.rules.length;
  if (n <= MAX_INVARIANT_EVALUATIONS) return undefined;
  return {
    severity: 'error', code: 'too-costly', expression: [at],
    diagnostics: `The resource has ${n} invariant checks to make, more than the ${MAX_INVARIANT_EVALUATIONS} a resource may need: split it into smaller resources`,
  };
}

/**
 * Every invariant of every site that fails, as an issue at the site. An expression that fhirpath.js
 * cannot evaluate on this data is reported as a warning: the rule could not be checked, which must
 * neither pass silently nor refuse data over a fault of the evaluator.
 */
export function checkInvariants(sites: readonly InvariantSite[], which: (c: Constraint) => boolean = (c) => !c.bestPractice): Issue[] {
  const out: Issue[] = [];
  for (const site of sites) {
    const env = { resource: site.resource, rootResource: site.rootResource };
    for (const { base, constraint: c } of site.rules) {
      if (!which(c)) continue;
      // Most invariants test which elements the instance has: their outcome is known without fhirpath.js.
      const known = decideWithoutEvaluating(base, c.expression, site.value, (part, bare) => compileInvariant(base, part)(bare, {}));
      if (known !== undefined) {
        if (!known) out.push({ severity: c.severity, code: 'invariant', diagnostics: `${c.key}: ${c.human}`, expression: [site.at] });
        continue;
      }
      let ok: boolean;
      try {
        evaluations++;
        ok = holds(compileInvariant(base, c.expression)(site.value, env));
      } catch (e) {
        out.push({
          severity: 'warning', code: 'invariant', expression: [site.at],
          diagnostics: `${c.key}: could not be evaluated (${e instanceof Error ? e.message : String(e)})`,
        });
        continue;
      }
      if (!ok) out.push({ severity: c.severity, code: 'invariant', diagnostics: `${c.key}: ${c.human}`, expression: [site.at] });
    }
  }
  return out;
}
