// Which SQLite failures mean "the database cannot be used just now" — locked by another process,
// read-only, gone or failing underneath us — as opposed to a fault in Envelope. The first kind is a
// 503 the client may retry (and the store recovers by itself once the file is usable again); the
// second stays a real fault (500, logged). Corruption (SQLITE_CORRUPT, SQLITE_NOTADB) is deliberately
// not here: retrying does not mend a damaged file, and an operator has to look at it.
import { errors, FhirError } from '../../domain/errors.js';

/** Primary result codes (extended codes such as SQLITE_IOERR_FSTAT or SQLITE_BUSY_SNAPSHOT share them). */
const UNAVAILABLE = new Set([
  'SQLITE_BUSY', // another connection holds the lock beyond our wait
  'SQLITE_LOCKED', // a conflicting lock on this connection's shared state
  'SQLITE_READONLY', // file, directory or volume made read-only, or the file moved away
  'SQLITE_IOERR', // the disk or file system failed an operation (incl. a file removed under us)
  'SQLITE_CANTOPEN', // the file or its WAL/shm companions cannot be opened
  'SQLITE_FULL', // disk full
  'SQLITE_PROTOCOL', // the WAL locking protocol kept failing (racing connections)
]);

function primaryCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return /^SQLITE_[A-Z]+/.exec(code)?.[0];
}

export function isUnavailable(e: unknown): boolean {
  const primary = primaryCode(e);
  return primary !== undefined && UNAVAILABLE.has(primary);
}

export function isBusy(e: unknown): boolean {
  const primary = primaryCode(e);
  return primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED';
}

/** A 503 FhirError for an unavailable database (the engine error kept as its cause); anything else unchanged. */
export function asUnavailable(e: unknown): unknown {
  if (e instanceof FhirError || !isUnavailable(e)) return e;
  return errors.unavailable(isBusy(e)
    ? 'The database is locked by another process; try again shortly'
    : 'The database cannot be used just now; try again shortly', e);
}

/** Runs a synchronous engine call, turning an unavailable database into a 503. */
export function mapUnavailable<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asUnavailable(e);
  }
}
