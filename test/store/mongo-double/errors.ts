// Errors shaped like the driver's: callers look at `code` and `errorLabels`, not at classes.
export class DoubleServerError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly errorLabels: string[] = [],
    readonly keyValue?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MongoServerError';
  }
  hasErrorLabel(label: string): boolean {
    return this.errorLabels.includes(label);
  }
}

export function duplicateKey(collection: string, index: string, keyValue: Record<string, unknown>): DoubleServerError {
  return new DoubleServerError(
    `E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${JSON.stringify(keyValue)}`,
    11000,
    [],
    keyValue,
  );
}

export function transientConflict(): DoubleServerError {
  return new DoubleServerError('WriteConflict (injected by the test double)', 112, ['TransientTransactionError']);
}

/** A transaction the server already aborted (e.g. after a write error inside it). */
export function noSuchTransaction(): DoubleServerError {
  return new DoubleServerError('Transaction has been aborted (NoSuchTransaction)', 251, ['TransientTransactionError']);
}

/**
 * A driver-side failure (no server reply), shaped like the driver's: `name` is what callers test
 * (MongoServerSelectionError, MongoNetworkError), with error labels like a server error's.
 */
export class DoubleDriverError extends Error {
  constructor(
    name: 'MongoServerSelectionError' | 'MongoNetworkError',
    message: string,
    readonly errorLabels: string[] = [],
  ) {
    super(message);
    this.name = name;
  }
  hasErrorLabel(label: string): boolean {
    return this.errorLabels.includes(label);
  }
}

/**
 * What the driver raises while the server cannot be reached: outside a transaction, server selection
 * gives up (after serverSelectionTimeoutMS); inside one, the operation's connection breaks and the
 * driver labels the network error TransientTransactionError (so withTransaction runs the callback
 * again, for up to 120 s).
 */
export function unreachable(inTransaction: boolean, waitedMs: number): DoubleDriverError {
  return inTransaction
    ? new DoubleDriverError('MongoNetworkError', 'connection 7 to double:27017 closed (injected by the test double)', ['TransientTransactionError'])
    : new DoubleDriverError('MongoServerSelectionError', `Server selection timed out after ${waitedMs} ms (injected by the test double)`);
}
