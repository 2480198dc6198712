// NHS request-context headers for a registered system acting for a person (the NHSD-End-User-*
// headers of NHS application-restricted APIs). Trusted only from a client registered as allowed to
// assert them, and a role only if listed for that client; sent by anyone else they are refused
// (403), not ignored, so a caller never believes it acted as someone it did not.
import { errors } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { CredentialScheme } from './authenticate.js';

/** Header names as they arrive (lower case) and as they are named in errors. */
export const END_USER_HEADERS = {
  organisation: { key: 'nhsd-end-user-organisation-ods', name: 'NHSD-End-User-Organisation-ODS' },
  role: { key: 'nhsd-end-user-role', name: 'NHSD-End-User-Role' },
  id: { key: 'nhsd-end-user-id', name: 'NHSD-End-User-ID' },
} as const;

const ODS_CODE = /^[A-Za-z0-9]{3,10}$/;
const ROLE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
/** Printable ASCII; long enough for an SDS user id, a URID or a local identifier. */
const END_USER_ID = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

/** Which end-user roles a client may assert; undefined when it may assert no end-user context at all. */
export type EndUserRights = (clientId: string) => { roles: readonly string[] } | undefined;

interface Asserted {
  organisation?: string;
  role?: string;
  id?: string;
}

function malformed(header: { name: string }, what: string) {
  return errors.badRequest(`${header.name} must be ${what}`, `http.${header.name}`);
}

/** The headers' values, or undefined when none is sent. Throws 400 naming a malformed one. */
function readHeaders(headers: Readonly<Record<string, string | undefined>>): Asserted | undefined {
  const { organisation, role, id } = END_USER_HEADERS;
  const raw = { organisation: headers[organisation.key], role: headers[role.key], id: headers[id.key] };
  if (raw.organisation === undefined && raw.role === undefined && raw.id === undefined) return undefined;
  const out: Asserted = {};
  if (raw.organisation !== undefined) {
    if (!ODS_CODE.test(raw.organisation)) throw malformed(organisation, 'an ODS code: 3 to 10 letters and digits');
    out.organisation = raw.organisation.toUpperCase();
  }
  // Without the role the principal would mix the system's role with a person's organisation.
  if (raw.role === undefined) {
    throw errors.badRequest(`${role.name} is required with the other NHSD-End-User-* headers`, `http.${role.name}`);
  }
  if (!ROLE_NAME.test(raw.role)) throw malformed(role, 'an Envelope role name such as booking-clerk');
  out.role = raw.role;
  if (raw.id !== undefined) {
    if (!END_USER_ID.test(raw.id)) throw malformed(id, '1 to 128 printable ASCII characters');
    out.id = raw.id;
  }
  return out;
}

/** The principal acting for the asserted end user; 403 when this credential may not assert them. */
function actFor(principal: Principal, asserted: Asserted, rights: EndUserRights): Principal {
  // Only Envelope's own client-credentials tokens carry a clientId the registry vouches for.
  const allowed = principal.authMethod === 'client-credentials' && principal.clientId !== undefined ? rights(principal.clientId) : undefined;
  if (!allowed) throw errors.forbidden('This client is not registered to act for an end user (NHSD-End-User-* headers)');
  if (!allowed.roles.includes(asserted.role as string)) {
    throw errors.forbidden(`This client is not registered to assert end-user role '${asserted.role}'`);
  }
  const endUser: NonNullable<Principal['endUser']> = { role: asserted.role as string };
  if (asserted.organisation !== undefined) endUser.organization = asserted.organisation;
  if (asserted.id !== undefined) endUser.id = asserted.id;
  // Scopes stay the client's: policy intersects them with the end user's role grants.
  const acting: Principal = { ...principal, role: endUser.role as string, endUser };
  if (endUser.organization !== undefined) acting.organization = endUser.organization;
  return acting;
}

/** Wraps a credential scheme so the principal it yields acts for the end user the headers name. */
export function withEndUserContext(scheme: CredentialScheme, rights: EndUserRights): CredentialScheme {
  return async (req) => {
    const principal = await scheme(req);
    if (principal === undefined) return undefined;
    const asserted = readHeaders(req.headers);
    return asserted === undefined ? principal : actFor(principal, asserted, rights);
  };
}
