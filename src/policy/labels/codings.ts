// Reading and comparing the security codings in meta.security. Only codings with the official
// systems count as labels; a bare code (no system) means nothing here.
import type { Coding, Resource } from '../../domain/fhir.js';
import {
  BREAK_GLASS_CODING, CONFIDENTIALITY_SYSTEM, REDACTED_CODING, SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, confidentialityRank,
} from './policy.js';

export function securityOf(resource: Resource): Coding[] {
  const s = resource.meta?.security;
  return Array.isArray(s) ? s : [];
}

export const isConfidentiality = (c: Coding): boolean => c.system === CONFIDENTIALITY_SYSTEM && typeof c.code === 'string';
export const isSensitivity = (c: Coding): boolean => c.system === SENSITIVITY_SYSTEM && typeof c.code === 'string';
export const isSealTeam = (c: Coding): boolean => c.system === SEAL_TEAM_SYSTEM;

export const sameCoding = (a: Coding, b: Coding): boolean => a.system === b.system && a.code === b.code;

/** Codings only the server writes: a client sending them is ignored, never trusted. */
export function isServerManaged(c: Coding): boolean {
  return isSealTeam(c) || sameCoding(c, REDACTED_CODING) || sameCoding(c, BREAK_GLASS_CODING);
}

/** The most confidential known v3-Confidentiality coding, if any. */
export function highWater(codings: readonly Coding[]): Coding | undefined {
  let best: Coding | undefined;
  for (const c of codings) {
    if (!isConfidentiality(c) || confidentialityRank(c.code) < 0) continue;
    if (best === undefined || confidentialityRank(c.code) > confidentialityRank(best.code)) best = c;
  }
  return best;
}

/** The organisation (ODS code) that sealed the resource, if one did. */
export function sealTeamOf(resource: Resource): string | undefined {
  const c = securityOf(resource).find((x) => isSealTeam(x) && typeof x.code === 'string' && x.code !== '');
  return c?.code;
}

export function confidentialityCoding(code: string): Coding {
  return { system: CONFIDENTIALITY_SYSTEM, code };
}
