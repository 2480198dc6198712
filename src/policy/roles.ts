// The role policy document: which SMART permissions each role holds on which resource types.
// Pure: the composition root reads the file and hands the parsed JSON to parseRolePolicy.
// Format and default grants: docs/policy.md.
import { RESOURCE_TYPES, isPlainObject, isResourceType } from '../domain/fhir.js';
import type { ResourceType } from '../domain/fhir.js';

export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
export const PERMISSION_ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];

/**
 * Instance-level conditions a grant may carry (all must hold); src/policy/conditions.ts turns each
 * into a search condition over the data:
 *  - own-patient: the resource is the Patient that is the principal's fhirUser, or about it
 *  - own-organization: the resource belongs to the principal's organisation (by ODS code)
 *  - relationship: the principal's organisation has a legitimate relationship with the patient
 */
export const CONDITIONS = ['own-patient', 'own-organization', 'relationship'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const POLICY_FORMAT = 'envelope-role-policy/1';

export interface Grant {
  resources: readonly (ResourceType | '*')[];
  permissions: ReadonlySet<Permission>;
  /** All must hold. Empty means unconditional. */
  when: readonly Condition[];
}

export interface RoleDefinition {
  name: string;
  description: string;
  grants: readonly Grant[];
  /**
   * Whether a person may act in this role after a sign-on below smartcard strength (the SAML
   * AuthnContextClassRef is not one of the configured strong classes). False unless the policy
   * file says `"weakAuthenticationAllowed": true`: clinical roles need smartcard-strength sign-on.
   */
  weakAuthenticationAllowed: boolean;
  /**
   * Whether a principal in this role may claim a legitimate relationship with a patient themselves,
   * stating a reason (`POST /fhir/Patient/{id}/$claim-relationship`); each claim alerts the privacy
   * officer. False unless the policy file says `"mayClaimRelationship": true`.
   */
  mayClaimRelationship: boolean;
  /**
   * Which sealed data (security labels, docs/sealed-envelopes.md) the role sees unmasked: data whose
   * confidentiality is at most `confidentiality` and whose sensitivity labels are all listed (`*`:
   * any). Default N and none: every sealed resource is masked. Never opens sealed-and-locked data.
   */
  clearance: RoleClearance;
  /**
   * Whether a principal in this role may open sealed data in an emergency (break glass: a stated
   * reason, a time window per patient, an alert to the privacy officer). False unless the policy file
   * says `"mayBreakGlass": true`.
   */
  mayBreakGlass: boolean;
  /**
   * Whether a PUT by a principal in this role may create a resource at an id it chose where some
   * resources of the type are hidden from its reads (limits, consents). Such a principal can tell an
   * id taken by a hidden resource from a free one, so this is for system integrations that keep
   * their own ids (a GP system's patients, a PAS's slots), never for people. False unless the policy
   * file says `"mayChooseIds": true`.
   */
  mayChooseIds: boolean;
}

/** v3-Confidentiality codes in increasing order of protection. */
export const CONFIDENTIALITY_ORDER = ['U', 'L', 'M', 'N', 'R', 'V'] as const;

export interface RoleClearance {
  confidentiality: (typeof CONFIDENTIALITY_ORDER)[number];
  sensitivity: '*' | readonly string[];
}

export const NO_CLEARANCE: RoleClearance = Object.freeze({ confidentiality: 'N', sensitivity: Object.freeze([]) as readonly string[] });

export interface RolePolicy {
  format: typeof POLICY_FORMAT;
  /** A Map, not an object: a token's role string must never reach Object.prototype (`constructor`). */
  roles: ReadonlyMap<string, RoleDefinition>;
}

export class RolePolicyError extends Error {
  /** JSON path of the fault, e.g. `roles.gp-admin.grants[2].permissions`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`role policy ${path}: ${message}`);
    this.name = 'RolePolicyError';
    this.path = path;
  }
}

export const ROLE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Keys starting with `$` (`$schema`, `$comment`) are ignored everywhere; JSON has no comments. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('$') && !allowed.includes(k)) {
      throw new RolePolicyError(path, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** Permission letters in SMART v2 order (c r u d s), each at most once, at least one. */
export function parsePermissions(v: unknown, path: string): Set<Permission> {
  if (typeof v !== 'string' || !/^c?r?u?d?s?$/.test(v) || v.length === 0) {
    throw new RolePolicyError(path, `must be SMART v2 permission letters in the order c r u d s, such as "rs" or "crus" (got ${JSON.stringify(v)})`);
  }
  return new Set(PERMISSION_ORDER.filter((p) => v.includes(p)));
}

function parseResources(v: unknown, path: string): (ResourceType | '*')[] {
  if (!Array.isArray(v) || v.length === 0) throw new RolePolicyError(path, 'must be a non-empty array of resource types');
  const out: (ResourceType | '*')[] = [];
  v.forEach((t, i) => {
    if (t === '*') out.push('*');
    else if (typeof t === 'string' && isResourceType(t)) out.push(t);
    else throw new RolePolicyError(`${path}[${i}]`, `${JSON.stringify(t)} is not "*" or one of ${RESOURCE_TYPES.join(', ')}`);
  });
  return out;
}

function parseWhen(v: unknown, path: string): Condition[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new RolePolicyError(path, 'must be an array of condition names');
  return v.map((c, i) => {
    if (typeof c !== 'string' || !(CONDITIONS as readonly string[]).includes(c)) {
      throw new RolePolicyError(`${path}[${i}]`, `${JSON.stringify(c)} is not one of ${CONDITIONS.join(', ')}`);
    }
    return c as Condition;
  });
}

function parseGrant(v: unknown, path: string): Grant {
  if (!isPlainObject(v)) throw new RolePolicyError(path, 'must be an object');
  checkKeys(v, ['resources', 'permissions', 'when', 'note'], path);
  if (v['note'] !== undefined && typeof v['note'] !== 'string') throw new RolePolicyError(`${path}.note`, 'must be a string');
  return {
    resources: parseResources(v['resources'], `${path}.resources`),
    permissions: parsePermissions(v['permissions'], `${path}.permissions`),
    when: parseWhen(v['when'], `${path}.when`),
  };
}

function parseClearance(v: unknown, path: string): RoleClearance {
  if (v === undefined) return NO_CLEARANCE;
  if (!isPlainObject(v)) throw new RolePolicyError(path, 'must be an object with confidentiality and sensitivity');
  checkKeys(v, ['confidentiality', 'sensitivity'], path);
  const c = v['confidentiality'] ?? 'N';
  if (typeof c !== 'string' || !(CONFIDENTIALITY_ORDER as readonly string[]).includes(c)) {
    throw new RolePolicyError(`${path}.confidentiality`, `must be one of ${CONFIDENTIALITY_ORDER.join(', ')} (v3-Confidentiality)`);
  }
  const s = v['sensitivity'] ?? [];
  if (s !== '*' && !(Array.isArray(s) && s.every((x) => typeof x === 'string' && /^[A-Z][A-Z0-9]{1,15}$/.test(x)))) {
    throw new RolePolicyError(`${path}.sensitivity`, 'must be "*" or an array of v3-ActCode sensitivity codes such as ["HIV", "PSY"]');
  }
  return { confidentiality: c as RoleClearance['confidentiality'], sensitivity: s === '*' ? '*' : [...(s as string[])] };
}

function parseRole(name: string, v: unknown, path: string): RoleDefinition {
  if (!isPlainObject(v)) throw new RolePolicyError(path, 'must be an object');
  checkKeys(v, ['description', 'grants', 'weakAuthenticationAllowed', 'mayClaimRelationship', 'mayBreakGlass', 'mayChooseIds', 'clearance'], path);
  const weak = v['weakAuthenticationAllowed'];
  if (weak !== undefined && typeof weak !== 'boolean') throw new RolePolicyError(`${path}.weakAuthenticationAllowed`, 'must be true or false');
  const claims = v['mayClaimRelationship'];
  if (claims !== undefined && typeof claims !== 'boolean') throw new RolePolicyError(`${path}.mayClaimRelationship`, 'must be true or false');
  const glass = v['mayBreakGlass'];
  if (glass !== undefined && typeof glass !== 'boolean') throw new RolePolicyError(`${path}.mayBreakGlass`, 'must be true or false');
  const ids = v['mayChooseIds'];
  if (ids !== undefined && typeof ids !== 'boolean') throw new RolePolicyError(`${path}.mayChooseIds`, 'must be true or false');
  const description = v['description'];
  if (typeof description !== 'string' || description.trim() === '') {
    throw new RolePolicyError(`${path}.description`, 'must be a non-empty string');
  }
  const grants = v['grants'];
  if (!Array.isArray(grants)) throw new RolePolicyError(`${path}.grants`, 'must be an array (possibly empty)');
  return { name, description, grants: grants.map((g, i) => parseGrant(g, `${path}.grants[${i}]`)), weakAuthenticationAllowed: weak === true, mayClaimRelationship: claims === true,
    mayBreakGlass: glass === true, mayChooseIds: ids === true, clearance: parseClearance(v['clearance'], `${path}.clearance`) };
}

/** Validates a parsed JSON document. Throws RolePolicyError naming the first fault's path. */
export function parseRolePolicy(json: unknown): RolePolicy {
  if (!isPlainObject(json)) throw new RolePolicyError('(root)', 'must be a JSON object');
  checkKeys(json, ['format', 'roles'], '(root)');
  if (json['format'] !== POLICY_FORMAT) {
    throw new RolePolicyError('format', `must be "${POLICY_FORMAT}" (got ${JSON.stringify(json['format'])})`);
  }
  const roles = json['roles'];
  if (!isPlainObject(roles)) throw new RolePolicyError('roles', 'must be an object keyed by role name');
  const map = new Map<string, RoleDefinition>();
  for (const [name, def] of Object.entries(roles)) {
    if (name.startsWith('$')) continue;
    if (!ROLE_NAME.test(name)) {
      throw new RolePolicyError(`roles.${name}`, 'role names are lower-case letters, digits and hyphens, starting with a letter');
    }
    map.set(name, parseRole(name, def, `roles.${name}`));
  }
  if (map.size === 0) throw new RolePolicyError('roles', 'defines no roles');
  return { format: POLICY_FORMAT, roles: map };
}

/** Whether sign-on below smartcard strength may act in `role` (false for a role the policy does not define). */
export function roleAllowsWeakAuthentication(policy: RolePolicy, role: string): boolean {
  return policy.roles.get(role)?.weakAuthenticationAllowed ?? false;
}

/** The role's clearance for sealed data (none for a role the policy does not define). */
export function roleClearance(policy: RolePolicy, role: string): RoleClearance {
  return policy.roles.get(role)?.clearance ?? NO_CLEARANCE;
}

/** Whether `role` may break the glass (false for a role the policy does not define). */
export function roleMayBreakGlass(policy: RolePolicy, role: string): boolean {
  return policy.roles.get(role)?.mayBreakGlass ?? false;
}

export function roleNames(policy: RolePolicy): string[] {
  return [...policy.roles.keys()];
}
