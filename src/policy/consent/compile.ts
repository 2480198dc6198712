// Compiling the patients' consents into one search condition over resources of a type: the rows
// consent lets this access touch. The store applies it inside every query (so counts and paging
// never see hidden rows) and the access layer applies the same condition to single reads.
// The algorithm, with worked examples: docs/consent.md.
import type { r4 } from '../../domain/fhir.js';
import { and, FALSE, or, TRUE, type Cond, type FieldTest } from '../../domain/search-types.js';
import { consentBase, consentPatientId, consentsInForce } from './active.js';
import { negate } from './negate.js';
import { accessPurposes, denialApplies, denialPurposesOf } from './denials.js';
import type { ConsentPolicy } from './policy.js';
import { statedElements } from './provisions.js';
import { requestMatches } from './request-match.js';
import { governedType, resourceCond, type GovernedType } from './resource-match.js';
import type { AccessContext, ConsentFacts, TypeParams } from './types.js';

/** One nested provision that can match this access, with the resources it matches (its ancestors' conditions included). */
interface Rule {
  decision: 'permit' | 'deny';
  depth: number;
  stated: number;
  match: Cond;
}

/** What one patient's consents say for this access. */
interface PatientView {
  rules: Rule[];
  /** Resources on which a consent whose root matches falls back to a base that denies (and bites) / permits. */
  denyBases: Cond[];
  permitBases: Cond[];
}

interface Env {
  type: string;
  governed: GovernedType;
  ctx: AccessContext;
  purposes: string[];
  policy: ConsentPolicy;
  facts: ConsentFacts;
  params: TypeParams;
}

function collect(consent: r4.Consent, env: Env, view: PatientView): void {
  const root: r4.ConsentProvision = consent.provision ?? {};
  // The root scopes the whole consent: where it does not match, the consent says nothing.
  if (!requestMatches(root, env.ctx, env.purposes)) return;
  const scope = resourceCond(root, env.type, env.governed, env.facts, env.params);
  if (scope.k === 'false') return;
  const bites = denialApplies(denialPurposesOf(consent, env.policy), env.purposes);
  // A root that carries a type (not allowed in R4, but some published examples do) is read as the
  // consent's decision where the root matches, rather than silently ignored.
  const base = root.type ?? consentBase(consent, env.policy);
  if (base === 'permit') view.permitBases.push(scope);
  else if (bites) view.denyBases.push(scope);
  walk(root.provision, 1, scope, bites, env, view);
}

function walk(children: r4.ConsentProvision[] | undefined, depth: number, ancestors: Cond, bites: boolean, env: Env, view: PatientView): void {
  for (const p of children ?? []) {
    // A provision is considered only where all its ancestors match; the same holds for its children.
    if (!requestMatches(p, env.ctx, env.purposes)) continue;
    const match = and(ancestors, resourceCond(p, env.type, env.governed, env.facts, env.params));
    if (match.k === 'false') continue;
    // A deny that does not bite for this access's purposes is skipped as if it did not match; a
    // provision without a type (invalid, rejected on write) decides nothing. Their children still apply.
    if (p.type === 'permit' || (p.type === 'deny' && bites)) {
      view.rules.push({ decision: p.type, depth, stated: statedElements(p), match });
    }
    walk(p.provision, depth + 1, match, bites, env, view);
  }
}

/** Most specific first: deeper, then more elements stated; at a tie deny comes first, so deny wins. */
function bySpecificity(a: Rule, b: Rule): number {
  return b.depth - a.depth || b.stated - a.stated || (a.decision === b.decision ? 0 : a.decision === 'deny' ? -1 : 1);
}

/**
 * The resources of one patient this access may touch, as an if-then-else chain over the ordered
 * rules: the first rule that matches decides; where none matches, the bases decide (deny if any
 * applicable base denies, else permit if any permits), and where no consent speaks, the deployment.
 */
function patientRule(view: PatientView, deploymentPermits: boolean): Cond {
  let result = and(negate(or(...view.denyBases)), or(...view.permitBases, deploymentPermits ? TRUE : FALSE));
  for (const rule of [...view.rules].sort(bySpecificity).reverse()) {
    result = rule.decision === 'permit' ? or(rule.match, result) : and(negate(rule.match), result);
  }
  return result;
}

const PATIENT_PREFIX = 'Patient/';

/** Resources about one of these patients (for a multi-patient resource: about at least one of them). */
function aboutAnyOf(g: GovernedType, patientIds: readonly string[]): Cond {
  if (g.patient === 'self') return { k: 'id', ids: [...patientIds] };
  const refs = patientIds.map((id) => PATIENT_PREFIX + id);
  const test: FieldTest = refs.length === 1 ? { f: 's', op: 'eq', v: refs[0]! } : { f: 's', op: 'in', v: refs };
  return { k: 'idx', p: g.patient, tests: [test] };
}

/**
 * Resources naming no patient outside `patientIds` (a resource naming no patient at all passes:
 * consent has nothing to say about it). Used when the deployment's base denies, so that a patient
 * without a consent is denied too.
 */
function aboutNoneBut(g: GovernedType, patientIds: readonly string[]): Cond {
  if (g.patient === 'self') return patientIds.length === 0 ? FALSE : { k: 'id', ids: [...patientIds] };
  const outside: FieldTest[] = patientIds.map((id) => ({ f: 's', op: 'ne', v: PATIENT_PREFIX + id }));
  // A patient reference the index holds without a `Type/id` (an identifier only) is outside too.
  const unnamed: Cond = { k: 'idx', p: g.patient, tests: [{ f: 's', op: 'absent' }] };
  return and(negate({ k: 'idx', p: g.patient, tests: outside }), patientIds.length === 0 ? TRUE : negate(unnamed));
}

/**
 * Which resources of `type` consent lets this access touch, as a Cond (TRUE when consent restricts
 * nothing for this access). Only Patient, ServiceRequest and Appointment are governed; every other
 * type gets TRUE. Patients whose consents compile to the same rule share one `patient in [...]` test.
 */
export function consentWhere(type: string, facts: ConsentFacts, ctx: AccessContext, policy: ConsentPolicy, params: TypeParams): Cond {
  const governed = governedType(type);
  if (governed === undefined) return TRUE;
  const purposes = accessPurposes(ctx, policy);
  const env: Env = { type, governed, ctx, purposes, policy, facts, params };
  const deploymentPermits = policy.base === 'permit' || !denialApplies(policy.denialPurposes, purposes);

  const byPatient = new Map<string, r4.Consent[]>();
  for (const c of consentsInForce(facts.consents, ctx.now)) {
    const pid = consentPatientId(c)!;
    byPatient.set(pid, [...(byPatient.get(pid) ?? []), c]);
  }
  const patients = [...byPatient.keys()].sort();

  const groups = new Map<string, { rule: Cond; patients: string[] }>();
  for (const pid of patients) {
    const view: PatientView = { rules: [], denyBases: [], permitBases: [] };
    for (const c of byPatient.get(pid)!) collect(c, env, view);
    const rule = patientRule(view, deploymentPermits);
    if (rule.k === 'true') continue;
    const key = JSON.stringify(rule);
    const group = groups.get(key);
    if (group) group.patients.push(pid);
    else groups.set(key, { rule, patients: [pid] });
  }

  // Every patient a resource is about must be permitted: for a resource about a patient of the
  // group, the group's rule must hold.
  const conditions = [...groups.values()].map((g) => or(negate(aboutAnyOf(governed, g.patients)), g.rule));
  if (!deploymentPermits) conditions.push(aboutNoneBut(governed, patients));
  return and(...conditions);
}
