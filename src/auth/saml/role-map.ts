// The role map: which Envelope role a national RBAC role profile acts in. Ordered rules, first match
// wins; a profile no rule matches is not usable here. Format: docs/sign-on.md.
import { readFileSync } from 'node:fs';

export const ROLE_MAP_FORMAT = 'envelope-saml-role-map/1';

export interface RoleMapRule {
  /** The job-role part of a national role code, e.g. `R8000` of `S8000:G8000:R8000`. */
  nationalRole: string;
  /** Whole-string match on the profile's ODS code; absent: any organisation. */
  odsCode?: RegExp;
  /** An Envelope role of the role policy. */
  role: string;
}

export interface RoleMap {
  rules: readonly RoleMapRule[];
}

export class RoleMapError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`role map ${path}: ${message}`);
    this.name = 'RoleMapError';
    this.path = path;
  }
}

const NATIONAL_ROLE = /^R\d{4,5}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('$') && !allowed.includes(k)) throw new RoleMapError(path, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function parseRule(v: unknown, path: string, roleExists: (role: string) => boolean): RoleMapRule {
  if (!isObject(v)) throw new RoleMapError(path, 'must be an object');
  checkKeys(v, ['nationalRole', 'odsCode', 'role', 'note'], path);
  const nationalRole = v['nationalRole'];
  if (typeof nationalRole !== 'string' || !NATIONAL_ROLE.test(nationalRole)) {
    throw new RoleMapError(`${path}.nationalRole`, `must be a national job-role code such as "R8000" (got ${JSON.stringify(nationalRole)})`);
  }
  const role = v['role'];
  if (typeof role !== 'string' || !roleExists(role)) {
    throw new RoleMapError(`${path}.role`, `${JSON.stringify(role)} is not a role of the role policy`);
  }
  if (v['note'] !== undefined && typeof v['note'] !== 'string') throw new RoleMapError(`${path}.note`, 'must be a string');
  const rule: RoleMapRule = { nationalRole, role };
  const ods = v['odsCode'];
  if (ods !== undefined) {
    if (typeof ods !== 'string' || ods === '' || ods.length > 200) throw new RoleMapError(`${path}.odsCode`, 'must be a non-empty regular expression');
    try {
      rule.odsCode = new RegExp(`^(?:${ods})$`);
    } catch {
      throw new RoleMapError(`${path}.odsCode`, `${JSON.stringify(ods)} is not a valid regular expression`);
    }
  }
  return rule;
}

/** Validates a parsed role map. Throws RoleMapError naming the JSON path of the first fault. */
export function parseRoleMap(json: unknown, roleExists: (role: string) => boolean): RoleMap {
  if (!isObject(json)) throw new RoleMapError('(root)', 'must be a JSON object');
  checkKeys(json, ['format', 'rules'], '(root)');
  if (json['format'] !== ROLE_MAP_FORMAT) throw new RoleMapError('format', `must be "${ROLE_MAP_FORMAT}" (got ${JSON.stringify(json['format'])})`);
  const rules = json['rules'];
  if (!Array.isArray(rules) || rules.length === 0) throw new RoleMapError('rules', 'must be a non-empty array');
  return { rules: rules.map((r, i) => parseRule(r, `rules[${i}]`, roleExists)) };
}

export function loadRoleMap(file: string, roleExists: (role: string) => boolean): RoleMap {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`SAML role map ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return parseRoleMap(json, roleExists);
  } catch (e) {
    throw new Error(`SAML role map ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The job-role code of a national role code: the one colon-separated part of the form R + digits.
 * None or several: undefined, so an odd code never maps by accident.
 */
export function nationalRoleOf(roleCode: string): string | undefined {
  const parts = roleCode.split(':').filter((p) => NATIONAL_ROLE.test(p));
  return parts.length === 1 ? parts[0] : undefined;
}

/** The Envelope role of a role profile, or undefined when no rule matches. */
export function mapRole(map: RoleMap, roleCode: string, orgCode: string): string | undefined {
  const national = nationalRoleOf(roleCode);
  if (national === undefined) return undefined;
  return map.rules.find((r) => r.nationalRole === national && (r.odsCode === undefined || r.odsCode.test(orgCode)))?.role;
}
