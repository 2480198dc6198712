// The registered system clients (`AUTH_CLIENTS_FILE`): who may ask /auth/token for a token, with which
// keys, for which scopes, in which role and organisation. Parsed strictly, like the role policy: an
// unknown key, an unknown role or a key set that could only be there by mistake stops the server,
// and the error names the JSON path of the fault. Format: README "Sign-on".
import type { JSONWebKeySet } from 'jose';
import { isPlainObject } from '../../domain/fhir.js';
import type { Scope } from '../../domain/principal.js';
import { intersectScopes, parseSystemScope } from '../token/scope-grant.js';
import { checkClientJwks } from './client-keys.js';
import { ClientRegistryError } from './registry-error.js';

export const CLIENTS_FORMAT = 'envelope-clients/1';

/** Letters, digits and `. _ : -`; no spaces, so `client_id + " " + jti` is unambiguous. */
export const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** ODS organisation codes are upper-case letters and digits. */
export const ODS_CODE = /^[A-Z0-9]{3,10}$/;
const MAX_SCOPES = 200;

export interface RegisteredClient {
  clientId: string;
  /** Public keys the client signs its assertions with. */
  jwks: JSONWebKeySet;
  /** What the client may be granted (system/ scopes). */
  scopes: readonly Scope[];
  /** The client's role's grants, as system/ scopes (from the role policy at start-up). */
  roleScopes: readonly Scope[];
  role: string;
  /** ODS code of the organisation the client acts for. */
  organization: string;
  /** Present when the client may assert the end user's context (NHSD-End-User-* headers). */
  endUserContext?: { roles: readonly string[] };
  /**
   * A registered audit source: it may append AuditEvents of its own (`POST /fhir/AuditEvent`),
   * which are chained like the server's. Only a system client can be one.
   */
  auditSource: boolean;
}

export interface ClientRegistry {
  get(clientId: string): RegisteredClient | undefined;
  readonly size: number;
}

/** A role's grants as system/ scope strings, or undefined when the role policy does not define it. */
export type RoleScopes = (role: string) => readonly string[] | undefined;

/** No clients: the token endpoint then answers every client as unknown. */
export const NO_CLIENTS: ClientRegistry = Object.freeze({ get: () => undefined, size: 0 });

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('$') && !allowed.includes(k)) throw new ClientRegistryError(path, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function parseScopeList(v: unknown, path: string): Scope[] {
  if (typeof v !== 'string' || v.trim() === '') throw new ClientRegistryError(path, 'must be a space-separated string of system/ SMART scopes');
  const tokens = v.trim().split(/ +/);
  if (tokens.length > MAX_SCOPES) throw new ClientRegistryError(path, `holds more than ${MAX_SCOPES} scopes`);
  return tokens.map((t) => {
    const s = parseSystemScope(t);
    if (!s) throw new ClientRegistryError(path, `${JSON.stringify(t)} is not a system/ SMART scope such as system/Slot.rs`);
    return s;
  });
}

function knownRole(v: unknown, path: string, roleScopes: RoleScopes): string {
  if (typeof v !== 'string' || roleScopes(v) === undefined) {
    throw new ClientRegistryError(path, `${JSON.stringify(v)} is not a role of the role policy`);
  }
  return v;
}

function parseEndUserContext(v: unknown, path: string, roleScopes: RoleScopes): { roles: string[] } {
  if (!isPlainObject(v)) throw new ClientRegistryError(path, 'must be an object such as {"roles": ["booking-clerk"]}');
  checkKeys(v, ['roles'], path);
  const roles = v['roles'];
  if (!Array.isArray(roles) || roles.length === 0) throw new ClientRegistryError(`${path}.roles`, 'must be a non-empty array of role names');
  const out = roles.map((r, i) => knownRole(r, `${path}.roles[${i}]`, roleScopes));
  if (new Set(out).size !== out.length) throw new ClientRegistryError(`${path}.roles`, 'lists a role twice');
  return { roles: out };
}

function parseClient(v: unknown, path: string, roleScopes: RoleScopes): RegisteredClient {
  if (!isPlainObject(v)) throw new ClientRegistryError(path, 'must be an object');
  checkKeys(v, ['client_id', 'description', 'jwks', 'jwks_uri', 'scope', 'organization', 'role', 'endUserContext', 'auditSource'], path);
  if (v['auditSource'] !== undefined && typeof v['auditSource'] !== 'boolean') throw new ClientRegistryError(`${path}.auditSource`, 'must be true or false');
  const clientId = v['client_id'];
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new ClientRegistryError(`${path}.client_id`, 'must be 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
  }
  if (v['description'] !== undefined && typeof v['description'] !== 'string') throw new ClientRegistryError(`${path}.description`, 'must be a string');
  if (v['jwks_uri'] !== undefined) {
    // Fetching keys from a client-controlled URL is not implemented; inline keys are.
    throw new ClientRegistryError(`${path}.jwks_uri`, 'is not supported by this version; put the public keys inline in "jwks"');
  }
  const jwks = checkClientJwks(v['jwks'], `${path}.jwks`);
  const scopes = parseScopeList(v['scope'], `${path}.scope`);
  const organization = v['organization'];
  if (typeof organization !== 'string' || !ODS_CODE.test(organization)) {
    throw new ClientRegistryError(`${path}.organization`, 'must be an ODS code: 3 to 10 upper-case letters and digits, such as RXX or A81001');
  }
  const role = knownRole(v['role'], `${path}.role`, roleScopes);
  const roleScopeList = (roleScopes(role) ?? []).map((s) => parseSystemScope(s)).filter((s): s is Scope => s !== undefined);
  if (intersectScopes(scopes, roleScopeList).length === 0) {
    // Such a client could never get a token; saying so now beats a puzzling invalid_scope later.
    throw new ClientRegistryError(`${path}.scope`, `grants nothing that role '${role}' permits`);
  }
  const client: RegisteredClient = { clientId, jwks, scopes, roleScopes: roleScopeList, role, organization, auditSource: v['auditSource'] === true };
  if (v['endUserContext'] !== undefined) client.endUserContext = parseEndUserContext(v['endUserContext'], `${path}.endUserContext`, roleScopes);
  return client;
}

/** Validates a parsed clients document. Throws ClientRegistryError naming the first fault's path. */
export function parseClientRegistry(json: unknown, roleScopes: RoleScopes): ClientRegistry {
  if (!isPlainObject(json)) throw new ClientRegistryError('(root)', 'must be a JSON object');
  checkKeys(json, ['format', 'clients'], '(root)');
  if (json['format'] !== CLIENTS_FORMAT) throw new ClientRegistryError('format', `must be "${CLIENTS_FORMAT}" (got ${JSON.stringify(json['format'])})`);
  const list = json['clients'];
  if (!Array.isArray(list)) throw new ClientRegistryError('clients', 'must be an array of clients');
  // A Map, so a client_id such as `constructor` can never reach Object.prototype.
  const byId = new Map<string, RegisteredClient>();
  list.forEach((c, i) => {
    const client = parseClient(c, `clients[${i}]`, roleScopes);
    if (byId.has(client.clientId)) throw new ClientRegistryError(`clients[${i}].client_id`, `"${client.clientId}" is registered twice`);
    byId.set(client.clientId, client);
  });
  return { get: (id) => byId.get(id), size: byId.size };
}
