// CSRF defence for state-changing calls made with the session cookie. The cookie is SameSite=Lax,
// which already keeps it off cross-site POSTs in current browsers; on top of that a state-changing
// call must carry the session's token in X-CSRF-Token (a value another site cannot read), and a
// browser's Origin header, when sent, must be this server's.
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../../domain/errors.js';
import type { AuthRequest } from '../authenticate.js';

export const CSRF_HEADER = 'x-csrf-token';

/** Methods that never change state here, so they need no token. */
export function isSafeMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD';
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison (hashing first makes the lengths equal, so the length leaks nothing either). */
export function tokensEqual(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Whether the request's Origin (when present) is this server. With a configured public origin it
 * must be exactly that; otherwise its host must be the Host the request was sent to.
 */
export function originAllowed(headers: AuthRequest['headers'], publicOrigin: string | undefined): boolean {
  const origin = headers['origin'];
  if (origin === undefined) return true;
  if (publicOrigin !== undefined) return origin === publicOrigin;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === headers['host'];
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) and garbage are never this server.
    return false;
  }
}

/** Throws 403 unless a state-changing request carries the session's CSRF token from this origin. */
export function checkCsrf(req: AuthRequest, csrfToken: string, publicOrigin: string | undefined): void {
  if (isSafeMethod(req.method)) return;
  if (!originAllowed(req.headers, publicOrigin)) throw errors.forbidden('Cross-origin request refused (Origin is not this server)');
  if (!tokensEqual(req.headers[CSRF_HEADER], csrfToken)) {
    throw errors.forbidden('A state-changing request with the session cookie needs the session\'s CSRF token in X-CSRF-Token (GET /auth/session)');
  }
}
