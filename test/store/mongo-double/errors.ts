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
