// The session credential scheme: a browser's sign-on session cookie becomes the Principal of its
// FHIR calls. It applies only when there is no Authorization header, so a request is never judged
// by both a token and a cookie.
import { errors } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { AuthRequest, CredentialScheme } from '../authenticate.js';
import { parseScopes } from '../scopes.js';
import { unauthorized } from '../unauthorized.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { checkCsrf } from './csrf.js';
import type { Session, Sessions } from './sessions.js';

export interface SessionSchemeDeps {
  sessions: Sessions;
  /** PUBLIC_BASE_URL's origin, when configured. */
  publicOrigin?: string;
  /** The full SMART scopes of an Envelope role; undefined for a role the policy no longer has. */
  scopesFor(role: string): readonly string[] | undefined;
}

export function sessionSecretOf(headers: AuthRequest['headers']): string | undefined {
  return readCookie(headers['cookie'], SESSION_COOKIE);
}

/** The principal a session acts as; 403 while no role profile is selected. */
export function principalOf(session: Session, scopesFor: SessionSchemeDeps['scopesFor']): Principal {
  const d = session.data;
  const profile = d.profiles.find((p) => p.id === d.selectedProfileId);
  if (!profile) throw errors.forbidden('Select a role profile first: POST /auth/session/role (see GET /auth/session)');
  const scopes = scopesFor(profile.role);
  if (scopes === undefined) throw errors.forbidden('The session\'s role is no longer defined; sign in again');
  const principal: Principal = {
    sub: d.userId,
    authMethod: 'saml',
    role: profile.role,
    organization: profile.orgCode,
    scopes: parseScopes(scopes.join(' ')),
    sessionId: session.id,
    roleProfileId: profile.id,
    authnContext: d.authnContext,
  };
  if (d.fhirUser !== undefined) principal.fhirUser = d.fhirUser;
  if (d.issuer !== undefined) principal.issuer = d.issuer;
  if (d.assertionId !== undefined) principal.assertionId = d.assertionId;
  return principal;
}

export function sessionScheme(deps: SessionSchemeDeps): CredentialScheme {
  return async (req) => {
    const authorization = req.headers['authorization'];
    if (authorization !== undefined && authorization.trim() !== '') return undefined;
    const secret = sessionSecretOf(req.headers);
    if (secret === undefined) return undefined;
    const session = await deps.sessions.resume(secret);
    // A cookie that names no live session is a bad credential, not an absent one.
    if (!session) throw unauthorized('The sign-on session has expired or was signed out; sign in again at /auth/saml/login', false);
    checkCsrf(req, session.data.csrfToken, deps.publicOrigin);
    return principalOf(session, deps.scopesFor);
  };
}
