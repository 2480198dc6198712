// The provision elements decided per resource — class, code, securityLabel, data and dataPeriod — as
// conditions over the search index, so the store applies them inside the query. Which index
// parameters stand for "the resource's code", "its clinical date" and "its author" depends on the
// type; an element a type has no counterpart for (a code on a Patient) makes the provision not match.
import type { r4 } from '../../domain/fhir.js';
import { and, FALSE, not, or, TRUE, type Cond, type FieldTest } from '../../domain/search-types.js';
import { CONFIDENTIALITY_ORDER, CONFIDENTIALITY_SYSTEM, DEFAULT_CONFIDENTIALITY, RESOURCE_TYPES_SYSTEM, codingIs, idOf, localReference, typeOf } from './codes.js';
import { instantBounds } from './dates.js';
import type { ConsentFacts, TypeParams } from './types.js';

/** How a type consent governs relates to its patient and to the resource-level provision elements. */
export interface GovernedType {
  /** 'self' for Patient; otherwise the reference parameter naming the patient (value `Patient/<id>`). */
  patient: 'self' | string;
  /** Token parameters that hold the resource's code(s). */
  codeParams: readonly string[];
  /** Date parameter of the resource's clinical or operational date. */
  dateParam?: string;
  /** Reference parameter of the resource's author. */
  authorParam?: string;
}

/** The types consent governs. Every other type (Consent, AuditEvent, Slot ...) is not patient data it restricts. */
export const GOVERNED_TYPES: Readonly<Record<string, GovernedType>> = Object.freeze({
  Patient: { patient: 'self', codeParams: [] },
  ServiceRequest: { patient: 'patient', codeParams: ['code'], dateParam: 'authored', authorParam: 'requester' },
  Appointment: { patient: 'patient', codeParams: ['service-type', 'specialty', 'appointment-type', 'reason-code'], dateParam: 'date' },
});

export function governedType(type: string): GovernedType | undefined {
  return Object.prototype.hasOwnProperty.call(GOVERNED_TYPES, type) ? GOVERNED_TYPES[type] : undefined;
}

const idx = (p: string, tests: FieldTest[]): Cond => ({ k: 'idx', p, tests });
const ids = (list: readonly string[]): Cond => (list.length === 0 ? FALSE : { k: 'id', ids: [...new Set(list)] });
const security = (code: FieldTest): Cond => idx('_security', [{ f: 'sys', op: 'eq', v: CONFIDENTIALITY_SYSTEM }, code]);

/**
 * A confidentiality label is a high-water mark: label X covers data whose confidentiality is X or
 * lower. Data's confidentiality is its highest label, or N when it has none.
 */
function confidentialityAtMost(code: string): Cond {
  const rank = (CONFIDENTIALITY_ORDER as readonly string[]).indexOf(code);
  if (rank < 0) return FALSE;
  const higher = CONFIDENTIALITY_ORDER.slice(rank + 1);
  const noneHigher = higher.length === 0 ? TRUE : not(security({ f: 'code', op: 'in', v: [...higher] }));
  const coversUnlabelled = rank >= CONFIDENTIALITY_ORDER.indexOf(DEFAULT_CONFIDENTIALITY);
  if (coversUnlabelled) return noneHigher;
  return and(security({ f: 'code', op: 'in', v: [...CONFIDENTIALITY_ORDER.slice(0, rank + 1)] }), noneHigher);
}

/** Any label: confidentiality by high-water mark, any other label (sensitivity, handling) by exact system|code. */
function securityLabelCond(labels: readonly r4.Coding[]): Cond {
  return or(...labels.map((l) => {
    if (codingIs(l, CONFIDENTIALITY_SYSTEM)) return confidentialityAtMost(l.code!);
    if (typeof l.system !== 'string' || typeof l.code !== 'string') return FALSE;
    return idx('_security', [{ f: 'sys', op: 'eq', v: l.system }, { f: 'code', op: 'eq', v: l.code }]);
  }));
}

function codeCond(codes: readonly r4.CodeableConcept[], g: GovernedType): Cond {
  const codings = codes.flatMap((cc) => cc.coding ?? []).filter((c) => typeof c.system === 'string' && typeof c.code === 'string');
  return or(...codings.flatMap((c) => g.codeParams.map((p) => idx(p, [{ f: 'sys', op: 'eq', v: c.system! }, { f: 'code', op: 'eq', v: c.code! }]))));
}

/** The resource is `ref` itself. */
function isInstance(ref: string, type: string): Cond {
  return typeOf(ref) === type ? ids([idOf(ref)]) : FALSE;
}

function dataCond(entry: r4.ConsentProvisionData, type: string, g: GovernedType, facts: ConsentFacts, params: TypeParams): Cond {
  const ref = localReference(entry.reference);
  if (ref === undefined) return FALSE;
  switch (entry.meaning) {
    case 'instance':
      return isInstance(ref, type);
    case 'related': {
      // The resource and those it refers to, as loaded by the access layer.
      const held = (facts.related.get(ref) ?? []).filter((r) => typeOf(r) === type).map(idOf);
      return or(isInstance(ref, type), ids(held));
    }
    case 'dependents':
      // The resource and the resources of this type that refer to it.
      return or(isInstance(ref, type), ...params.referenceParams(type).map((p) => idx(p, [{ f: 's', op: 'eq', v: ref }])));
    case 'authoredby':
      return g.authorParam === undefined ? FALSE : idx(g.authorParam, [{ f: 's', op: 'eq', v: ref }]);
    default:
      return FALSE;
  }
}

/** Some clinical date of the resource overlaps the period. */
function dataPeriodCond(period: r4.Period, g: GovernedType): Cond {
  if (g.dateParam === undefined) return FALSE;
  const tests: FieldTest[] = [];
  if (period.start !== undefined) {
    const b = instantBounds(period.start);
    if (b === undefined) return FALSE;
    tests.push({ f: 'hi', op: 'ge', v: b.lo });
  }
  if (period.end !== undefined) {
    const b = instantBounds(period.end);
    if (b === undefined) return FALSE;
    tests.push({ f: 'lo', op: 'le', v: b.hi });
  }
  return idx(g.dateParam, tests);
}

const stated = <T>(v: readonly T[] | undefined): v is readonly T[] => v !== undefined && v.length > 0;

/** The provision's resource-level elements (each absent one matches anything) as a condition on resources of `type`. */
export function resourceCond(p: r4.ConsentProvision, type: string, g: GovernedType, facts: ConsentFacts, params: TypeParams): Cond {
  // A class that is not this type (a CDA document type, a profile, another resource type) takes the provision off this type.
  if (stated(p.class) && !p.class.some((c) => codingIs(c, RESOURCE_TYPES_SYSTEM, type))) return FALSE;
  const parts: Cond[] = [];
  if (stated(p.securityLabel)) parts.push(securityLabelCond(p.securityLabel));
  if (stated(p.code)) parts.push(codeCond(p.code, g));
  if (stated(p.data)) parts.push(or(...p.data.map((d) => dataCond(d, type, g, facts, params))));
  if (p.dataPeriod !== undefined) parts.push(dataPeriodCond(p.dataPeriod, g));
  return and(...parts);
}
