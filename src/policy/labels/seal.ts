// Seal levels and who sees what. Every decision here exists twice: once on a resource in memory
// (viewOf, for reads and writes) and once as a Cond over the `_security` search index (hiddenWhere,
// maskedWhere, for searches, counts, includes and chains). The two must agree exactly; the tests
// run both against a real store to keep them so.
import type { Coding, Resource } from '../../domain/fhir.js';
import { and, FALSE, not, or, type Cond, type FieldTest } from '../../domain/search-types.js';
import { isConfidentiality, isSealTeam, isSensitivity, securityOf } from './codings.js';
import {
  CONFIDENTIALITY_ORDER, CONFIDENTIALITY_SYSTEM, SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, confidentialityRank, sealingSensitivity,
  type LabellingPolicy,
} from './policy.js';

export type SealLevel = 'open' | 'sealed' | 'locked';

/** What a role may see of sealed data (policy/roles.json `clearance`). */
export interface Clearance {
  confidentiality: string;
  sensitivity: '*' | readonly string[];
}

export interface Viewer {
  /** ODS code of the organisation the principal acts for. */
  organization?: string;
  clearance: Clearance;
}

const hasCode = (codings: readonly Coding[], pred: (c: Coding) => boolean, codes: readonly string[]) =>
  codings.some((c) => pred(c) && codes.includes(c.code!));

function isLocked(codings: readonly Coding[], policy: LabellingPolicy): boolean {
  return hasCode(codings, isConfidentiality, policy.locked.confidentiality) || hasCode(codings, isSensitivity, policy.locked.sensitivity);
}

function isSealed(codings: readonly Coding[], policy: LabellingPolicy): boolean {
  return hasCode(codings, isConfidentiality, policy.sealed.confidentiality) || hasCode(codings, isSensitivity, sealingSensitivity(policy));
}

export function sealLevel(resource: Resource, policy: LabellingPolicy): SealLevel {
  const codings = securityOf(resource);
  if (isLocked(codings, policy)) return 'locked';
  return isSealed(codings, policy) ? 'sealed' : 'open';
}

/** Whether the viewer's organisation is the team that sealed the resource. */
export function inSealTeam(resource: Resource, viewer: Viewer): boolean {
  const org = viewer.organization;
  return org !== undefined && org !== '' && securityOf(resource).some((c) => isSealTeam(c) && c.code === org);
}

/** The confidentiality codes the clearance covers (an unknown clearance code covers none). */
function clearedConfidentiality(clearance: Clearance): readonly string[] {
  return CONFIDENTIALITY_ORDER.slice(0, confidentialityRank(clearance.confidentiality) + 1);
}

/** Recognised sensitivity codes the clearance does not cover. */
function uncleared(clearance: Clearance, policy: LabellingPolicy): string[] {
  if (clearance.sensitivity === '*') return [];
  const s = clearance.sensitivity;
  return policy.sensitivityCodes.filter((c) => !s.includes(c));
}

/**
 * Whether every label is within the clearance: each confidentiality code at most the cleared one
 * (an unknown code is never within), each recognised sensitivity code cleared.
 */
export function withinClearance(resource: Resource, clearance: Clearance, policy: LabellingPolicy): boolean {
  const codings = securityOf(resource);
  const conf = clearedConfidentiality(clearance);
  const sens = uncleared(clearance, policy);
  return codings.every((c) => !(isConfidentiality(c) && !conf.includes(c.code!)) && !(isSensitivity(c) && sens.includes(c.code!)));
}

/** Whether the viewer sees this version unmasked without break glass (team, or within clearance). Locked and not team → 'hidden'. */
export function viewOf(resource: Resource, viewer: Viewer, policy: LabellingPolicy): 'full' | 'masked' | 'hidden' {
  const level = sealLevel(resource, policy);
  if (level === 'open' || inSealTeam(resource, viewer)) return 'full';
  if (level === 'locked') return 'hidden';
  return withinClearance(resource, viewer.clearance, policy) ? 'full' : 'masked';
}

// ---- the same decisions as Conds over the `_security` index (sys = system, code = code) ----

function labelIn(system: string, codes: readonly string[]): Cond {
  return codes.length === 0 ? FALSE : { k: 'idx', p: '_security', tests: [{ f: 'sys', op: 'eq', v: system }, { f: 'code', op: 'in', v: [...codes] }] };
}

function lockedCond(policy: LabellingPolicy): Cond {
  return or(labelIn(CONFIDENTIALITY_SYSTEM, policy.locked.confidentiality), labelIn(SENSITIVITY_SYSTEM, policy.locked.sensitivity));
}

function sealedCond(policy: LabellingPolicy): Cond {
  return or(labelIn(CONFIDENTIALITY_SYSTEM, policy.sealed.confidentiality), labelIn(SENSITIVITY_SYSTEM, sealingSensitivity(policy)));
}

function teamCond(viewer: Viewer): Cond {
  if (viewer.organization === undefined || viewer.organization === '') return FALSE;
  return { k: 'idx', p: '_security', tests: [{ f: 'sys', op: 'eq', v: SEAL_TEAM_SYSTEM }, { f: 'code', op: 'eq', v: viewer.organization }] };
}

/** Some label lies outside the clearance (the negation of withinClearance). */
function beyondClearanceCond(clearance: Clearance, policy: LabellingPolicy): Cond {
  // "Not one of the cleared codes" as a conjunction of `ne` tests on the same index value, so an
  // unknown confidentiality code counts as beyond, exactly as in withinClearance.
  const conf: FieldTest[] = [{ f: 'sys', op: 'eq', v: CONFIDENTIALITY_SYSTEM }, { f: 'code', op: 'exists' },
    ...clearedConfidentiality(clearance).map((c): FieldTest => ({ f: 'code', op: 'ne', v: c }))];
  return or({ k: 'idx', p: '_security', tests: conf }, labelIn(SENSITIVITY_SYSTEM, uncleared(clearance, policy)));
}

/** The stored resources the viewer must not see at all (locked, not team), as a Cond over `_security`; FALSE when none can be. */
export function hiddenWhere(viewer: Viewer, policy: LabellingPolicy): Cond {
  return and(lockedCond(policy), not(teamCond(viewer)));
}

/** The resources the viewer would see masked (sealed, not locked, not open), as a Cond over `_security`. */
export function maskedWhere(viewer: Viewer, policy: LabellingPolicy): Cond {
  return and(sealedCond(policy), not(lockedCond(policy)), not(teamCond(viewer)), beyondClearanceCond(viewer.clearance, policy));
}
