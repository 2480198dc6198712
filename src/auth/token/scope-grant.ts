// Which SMART scopes a client gets: what it asked for, if the client's registration and its role both
// cover all of it; otherwise nothing (invalid_scope). Asking for more is refused, never trimmed, so a
// client cannot probe for or drift into access it was not registered for. Pure.
import type { Scope } from '../../domain/principal.js';
import { formatScope, parseScope } from '../scopes.js';
import { OAuthError } from './oauth-error.js';

type Letter = 'c' | 'r' | 'u' | 'd' | 's';
const LETTERS: readonly Letter[] = ['c', 'r', 'u', 'd', 's'];
/** A scope parameter longer than this is refused before it is split. */
export const MAX_SCOPE_PARAM_LENGTH = 4096;

/** Parses one `system/Type.letters` scope (v1 `.read`/`.write` are accepted and normalised). */
export function parseSystemScope(token: string): Scope | undefined {
  const s = parseScope(token);
  return s && s.context === 'system' ? s : undefined;
}

/**
 * Whether `held` allows `letter` on `type`. A `*` request is covered only by a `*` scope: per-type
 * scopes for today's types do not cover types added tomorrow.
 */
function allows(held: readonly Scope[], type: string, letter: Letter): boolean {
  return held.some((h) => h.context === 'system' && (h.type === '*' || h.type === type) && h.permissions.has(letter));
}

export function covers(held: readonly Scope[], wanted: Scope): boolean {
  return [...wanted.permissions].every((p) => allows(held, wanted.type, p));
}

/** One scope per type (`*` first, then types alphabetically), letters merged, in canonical v2 text. */
function canonical(table: Map<string, Set<Letter>>): string[] {
  const types = [...table.keys()].sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return types
    .filter((t) => table.get(t)!.size > 0)
    .map((type) => formatScope({ context: 'system', type, permissions: table.get(type)! }));
}

/** The scopes both sets allow, per type and letter. */
export function intersectScopes(a: readonly Scope[], b: readonly Scope[]): string[] {
  const types = new Set([...a, ...b].map((s) => s.type));
  const table = new Map<string, Set<Letter>>();
  for (const type of types) {
    // For `*` both sides need a `*` scope; `allows` with type '*' matches only those.
    table.set(type, new Set(LETTERS.filter((p) => allows(a, type, p) && allows(b, type, p))));
  }
  const star = table.get('*');
  if (star) {
    // A per-type entry that adds nothing to `*` is noise in the granted scope string.
    for (const [type, letters] of table) {
      if (type !== '*' && [...letters].every((p) => star.has(p))) table.delete(type);
    }
  }
  return canonical(table);
}

/** Printable and short, so it can be named in an error description. */
function quoted(token: string): string {
  const clean = token.replace(/[^\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return `'${clean.length > 80 ? `${clean.slice(0, 80)}…` : clean}'`;
}

export interface ScopeLimits {
  /** The client's registered scopes. */
  allowed: readonly Scope[];
  /** The client's role grants, as system scopes. */
  role: readonly Scope[];
  roleName: string;
}

/**
 * The scope to grant, as canonical scope strings. `requested` is the raw `scope` parameter; absent
 * (or empty, RFC 6749 §3.1) means "what I am registered for", which is then cut to the role's grants.
 */
export function grantScopes(requested: string | undefined, limits: ScopeLimits): string[] {
  if (requested === undefined || requested.trim() === '') {
    const granted = intersectScopes(limits.allowed, limits.role);
    if (granted.length === 0) throw new OAuthError('invalid_scope', `The client's registered scopes grant nothing that role '${limits.roleName}' permits`);
    return granted;
  }
  if (requested.length > MAX_SCOPE_PARAM_LENGTH) throw new OAuthError('invalid_scope', 'The scope parameter is too long');
  const wanted: Scope[] = [];
  for (const token of requested.split(' ').filter((t) => t.length > 0)) {
    const s = parseSystemScope(token);
    if (!s) throw new OAuthError('invalid_scope', `Scope ${quoted(token)} is not a system/ SMART scope this server grants`);
    if (!covers(limits.allowed, s)) throw new OAuthError('invalid_scope', `Scope ${quoted(token)} is beyond the scopes registered for this client`);
    if (!covers(limits.role, s)) throw new OAuthError('invalid_scope', `Scope ${quoted(token)} is beyond what role '${limits.roleName}' grants`);
    wanted.push(s);
  }
  return intersectScopes(wanted, wanted);
}
