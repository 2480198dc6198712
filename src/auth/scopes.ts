// SMART on FHIR scope parsing (v2 `context/Type.cruds`, v1 `.read`/`.write`/`.*`, bare `read`/`write`).
// Anything this server cannot honour exactly is dropped rather than widened: dropping a scope can only
// take access away, never grant it.
import type { Scope } from '../domain/principal.js';

export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
const ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];

/** Mirrors the FHIR resource-type name rule; the type need not be one Envelope serves. */
const TYPE = /^(?:[A-Z][A-Za-z]{0,63}|\*)$/;
const CONTEXTED = /^(patient|user|system)\/([^./]+)\.([^.]+)$/;

function letters(s: string): Set<Permission> | undefined {
  // SMART v2 requires the letters in c-r-u-d-s order with no repeats; anything else is not a v2 scope.
  if (!/^c?r?u?d?s?$/.test(s) || s.length === 0) return undefined;
  return new Set(ORDER.filter((p) => s.includes(p)));
}

function permissionsOf(suffix: string): Set<Permission> | undefined {
  switch (suffix) {
    case 'read': return new Set<Permission>(['r', 's']);
    case 'write': return new Set<Permission>(['c', 'u', 'd']);
    case '*': return new Set<Permission>(ORDER);
    default: return letters(suffix);
  }
}

/** One scope string → a Scope, or undefined when it grants no FHIR data access (openid, launch/patient, …). */
export function parseScope(token: string): Scope | undefined {
  // Bare SMART v1 / GP Connect style `read` and `write` cover every type in every context.
  if (token === 'read') return { context: '*', type: '*', permissions: new Set<Permission>(['r', 's']) };
  if (token === 'write') return { context: '*', type: '*', permissions: new Set<Permission>(['c', 'u', 'd']) };
  // v2 search-parameter restrictions (`?category=…`) narrow a scope in ways we do not enforce yet,
  // so honouring the rest of the scope would widen it: drop the whole scope.
  if (token.includes('?')) return undefined;
  const m = CONTEXTED.exec(token);
  if (!m) return undefined;
  const [, context, type, suffix] = m as unknown as [string, Scope['context'], string, string];
  if (!TYPE.test(type)) return undefined;
  const permissions = permissionsOf(suffix);
  if (!permissions) return undefined;
  return { context, type, permissions };
}

/** Parses a `scope` claim: a space-separated string (RFC 6749) or an array of strings (some IdPs). */
export function parseScopes(claim: unknown): Scope[] {
  let tokens: string[];
  if (typeof claim === 'string') tokens = claim.split(/\s+/);
  else if (Array.isArray(claim)) tokens = claim.filter((t): t is string => typeof t === 'string').flatMap((t) => t.split(/\s+/));
  else return [];
  const out: Scope[] = [];
  for (const t of tokens) {
    if (t.length === 0 || t.length > 256) continue;
    const s = parseScope(t);
    if (s) out.push(s);
  }
  return out;
}

/** Canonical text of a Scope (v2 form), for logs and audit. */
export function formatScope(s: Scope): string {
  const p = ORDER.filter((x) => s.permissions.has(x)).join('');
  return s.context === '*' ? `*/${s.type}.${p}` : `${s.context}/${s.type}.${p}`;
}
