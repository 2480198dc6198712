// One request, one principal: tries each credential scheme the server accepts, in order. A scheme
// answers undefined when the request carries none of its credentials, and throws (401) when it
// carries a bad one — a bad bearer token is never retried as a session, so a request is judged by
// the first credential it presents.
import type { Principal } from '../domain/principal.js';
import { unauthorized } from './unauthorized.js';

/**
 * What an authenticator sees of a request: its method (a session must defend state-changing calls
 * against CSRF) and its headers, names in lower case (Authorization, Cookie, request context headers).
 */
export interface AuthRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
}

export type Authenticator = (req: AuthRequest) => Promise<Principal>;

/** One way of authenticating; undefined when the request does not use it. */
export type CredentialScheme = (req: AuthRequest) => Promise<Principal | undefined>;

export function authenticateWith(schemes: readonly CredentialScheme[]): Authenticator {
  return async (req) => {
    for (const scheme of schemes) {
      const principal = await scheme(req);
      if (principal) return principal;
    }
    throw unauthorized('Authorization header with a Bearer token (or a sign-on session) is required', false);
  };
}

/** The bearer scheme: applies only when an Authorization header is present. */
export function bearerScheme(verify: (authorization: string) => Promise<Principal>): CredentialScheme {
  return async (req) => {
    const h = req.headers['authorization'];
    return h === undefined || h.trim() === '' ? undefined : verify(h);
  };
}
