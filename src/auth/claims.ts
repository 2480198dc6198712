// Verified claims → Principal. Shared by every way a token can arrive (bearer JWT now; client
// credentials and SAML later), so the mapping and its checks live in exactly one place.
import type { AuthMethod, Principal } from '../domain/principal.js';
import type { ClaimNames } from './config.js';
import { parseScopes } from './scopes.js';
import { unauthorized } from './unauthorized.js';

const MAX_CLAIM_LENGTH = 1024;

/**
 * Looks a claim up by its configured name. The exact key wins (namespaced claims such as
 * `https://idp.example/role` contain dots); otherwise a dotted name walks nested objects, which is
 * how IHE IUA carries `extensions.ihe_iua.purpose_of_use`.
 */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  if (!name.includes('.')) return undefined;
  let cur: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function optionalString(payload: Record<string, unknown>, name: string, label: string): string | undefined {
  const v = claimAt(payload, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > MAX_CLAIM_LENGTH) throw unauthorized(`Token claim '${label}' must be a string`);
  const t = v.trim();
  return t.length ? t : undefined;
}

/**
 * Purpose of use arrives as a code (`TREAT`), a Coding (`{system, code}`, IHE IUA), or a one-element
 * array of either. Several purposes are refused: picking one would silently change the request's basis.
 */
function purposeOfUse(payload: Record<string, unknown>, name: string): string | undefined {
  let v = claimAt(payload, name);
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    if (v.length > 1) throw unauthorized('Token claim purpose of use must hold a single value');
    v = v[0];
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) v = (v as Record<string, unknown>)['code'];
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 64) {
    throw unauthorized('Token claim purpose of use must be a code or a Coding');
  }
  return v.trim();
}

/** Builds the Principal; throws 401 when a claim needed to act is missing or malformed. */
export function principalFromClaims(payload: Record<string, unknown>, names: ClaimNames, authMethod: AuthMethod): Principal {
  const sub = optionalString(payload, names.sub, names.sub);
  if (sub === undefined) throw unauthorized('Token has no subject');
  const roleClaim = claimAt(payload, names.role);
  if (Array.isArray(roleClaim)) {
    // A Principal acts in exactly one selected role (national RBAC); a list means none was selected.
    throw unauthorized(`Token claim '${names.role}' must be a single selected role`);
  }
  const role = optionalString(payload, names.role, names.role);
  if (role === undefined) throw unauthorized(`Token has no '${names.role}' claim`);

  const principal: Principal = {
    sub,
    authMethod,
    role,
    scopes: parseScopes(claimAt(payload, names.scope)),
  };
  const organization = optionalString(payload, names.organization, names.organization);
  if (organization !== undefined) principal.organization = organization;
  // fhirUser is kept as sent. A relative `Practitioner/123` can match local references; an absolute
  // URL of another server never will, which fails closed for the relationship checks that use it.
  const fhirUser = optionalString(payload, names.fhirUser, names.fhirUser);
  if (fhirUser !== undefined) principal.fhirUser = fhirUser;
  const pou = purposeOfUse(payload, names.purposeOfUse);
  if (pou !== undefined) principal.purposeOfUse = pou;
  const jti = optionalString(payload, 'jti', 'jti');
  if (jti !== undefined) principal.tokenId = jti;
  const iss = optionalString(payload, 'iss', 'iss');
  if (iss !== undefined) principal.issuer = iss;
  if (authMethod === 'client-credentials') {
    // Only Envelope's own tokens are read this way; client_id is what request-context rights hang on.
    const clientId = optionalString(payload, 'client_id', 'client_id');
    if (clientId === undefined) throw unauthorized('Token has no client_id');
    principal.clientId = clientId;
  }
  return principal;
}
