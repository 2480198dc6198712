// The 503 both adapters answer when the database cannot be used just now (locked, unreachable,
// read-only, failing disk). Retry-After tells a client it may try again in a moment (RFC 9110
// §15.6.4); the engine's own error is kept as the cause for the server's log, never for the client.
import { errors, FhirError } from '../../domain/errors.js';

export function storeUnavailable(message: string, cause?: unknown): FhirError {
  const e = new FhirError(503, errors.issue('transient', message), { 'Retry-After': '1' });
  if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause });
  return e;
}
