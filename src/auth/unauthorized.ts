// 401 errors with an RFC 6750 §3 challenge. The message names the kind of fault so a client can fix
// its request, but never echoes the token, its claims, or which keys the server trusts.
import { FhirError, errors } from '../domain/errors.js';

/**
 * `invalidToken` is false only when no credential was sent at all: RFC 6750 says such a challenge
 * carries no error code, while every fault in a presented token is `invalid_token`.
 */
export function unauthorized(message: string, invalidToken = true): FhirError {
  const base = errors.unauthorized(message);
  if (!invalidToken) return base;
  // error_description must be printable ASCII without `"` or `\` (RFC 6750 §3).
  const description = message.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  return new FhirError(base.status, base.issues, {
    'WWW-Authenticate': `Bearer realm="envelope", error="invalid_token", error_description="${description}"`,
  });
}
