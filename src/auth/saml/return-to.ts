// Where a browser lands after signing on: only a path on this server. The value travels through the
// IdP as RelayState, which anyone can forge, so it is checked when the login starts and again when
// the response comes back (an open redirect there would hand a freshly signed-on user to another site).

export const DEFAULT_RETURN_TO = '/auth/session';

const PROBE_ORIGIN = 'http://envelope.invalid';

export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return false;
  // `//host` and `/\host` are protocol-relative to browsers; control characters and backslashes have
  // no business in a path and some browsers rewrite them into either form.
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\x00-\x1f\x7f]/.test(value)) return false;
  try {
    return new URL(value, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}
