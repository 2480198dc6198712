// Reading and writing the few cookies sign-on uses. Values are base64url, so no quoting or escaping.

export const SESSION_COOKIE = 'envelope_session';
/** Binds a SAML login to the browser that started it (see src/auth/saml/strategy.ts); lives 10 minutes. */
export const LOGIN_COOKIE = 'envelope_saml_login';

/**
 * The value of cookie `name` in a Cookie header, or undefined. When the name repeats (a cookie set
 * for a parent domain or another path can shadow ours), the request is ambiguous and none is used.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  let count = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    count++;
    found = part.slice(eq + 1).trim();
  }
  return count === 1 ? found : undefined;
}

export interface CookieAttributes {
  path: string;
  secure: boolean;
  sameSite: 'Lax' | 'None' | 'Strict';
  /** Seconds; absent: a browser-session cookie. 0 deletes it. */
  maxAgeSec?: number;
}

export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Path=${a.path}`, 'HttpOnly', `SameSite=${a.sameSite}`];
  if (a.secure) parts.push('Secure');
  if (a.maxAgeSec !== undefined) parts.push(`Max-Age=${a.maxAgeSec}`);
  return parts.join('; ');
}
