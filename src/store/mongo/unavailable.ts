// Which MongoDB failures mean "the database cannot be reached just now" (a 503 the client may retry;
// the driver reconnects by itself when the server is back) as opposed to a fault in Envelope (500).
// Judged by the driver's error names and server codes rather than its classes, so the adapter keeps
// to ./driver.ts and the in-memory double can raise the same failures.
import { errors, FhirError } from '../../domain/errors.js';

/** Driver errors raised when no usable server could be reached or a connection broke. */
const UNREACHABLE_NAMES = new Set([
  'MongoServerSelectionError', // no suitable server within serverSelectionTimeoutMS
  'MongoNetworkError', // connection refused, reset or closed mid-operation
  'MongoNetworkTimeoutError', // socket timeout
  'MongoPoolClearedError', // the connection pool was cleared after a network error
  'MongoNotConnectedError', // the client is not connected
  'MongoTopologyClosedError', // the topology closed under an operation
]);

/**
 * Server codes of a node that cannot serve us at the moment: shutting down, stepping down, not the
 * primary (an election is running), or reporting a network failure of its own. The driver's list
 * of retryable codes (MongoDB retryable-writes specification).
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

export function isUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || e instanceof FhirError) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return (typeof name === 'string' && UNREACHABLE_NAMES.has(name)) || (typeof code === 'number' && UNAVAILABLE_CODES.has(code));
}

/** A 503 FhirError for an unreachable database (the driver error kept as its cause); anything else unchanged. */
export function asUnavailable(e: unknown): unknown {
  return isUnavailable(e) ? errors.unavailable('The database cannot be reached just now; try again shortly', e) : e;
}

/** Awaits a store call, turning an unreachable database into a 503. */
export async function mapUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw asUnavailable(e);
  }
}
