// Creating the real driver client. Kept apart so the rest of the adapter never imports `mongodb`
// directly: the assignment below is the compile-time proof that MongoClient satisfies MongoClientLike.
import { MongoClient } from 'mongodb';
import type { MongoClientLike } from './driver.js';

/**
 * How long an operation waits for a usable server before failing (the driver's default is 30 s).
 * While the database is down every request waits this long for its 503, so it is kept short; the
 * connection string may set its own `serverSelectionTimeoutMS`, which then wins.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 5000;

export function createClient(uri: string): MongoClientLike {
  // ignoreUndefined: an `undefined` field is dropped rather than stored as null, so that a missing
  // index field and an absent one mean the same thing to `$exists` (the adapter also strips them).
  const ownTimeout = /[?&]serverSelectionTimeoutMS=/i.test(uri);
  const client: MongoClientLike = new MongoClient(uri, {
    ignoreUndefined: true,
    ...(ownTimeout ? {} : { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS }),
  });
  return client;
}
