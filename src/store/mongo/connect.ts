// Creating the real driver client. Kept apart so the rest of the adapter never imports `mongodb`
// directly: the assignment below is the compile-time proof that MongoClient satisfies MongoClientLike.
import { MongoClient } from 'mongodb';
import type { MongoClientLike } from './driver.js';

export function createClient(uri: string): MongoClientLike {
  // ignoreUndefined: an `undefined` field is dropped rather than stored as null, so that a missing
  // index field and an absent one mean the same thing to `$exists` (the adapter also strips them).
  const client: MongoClientLike = new MongoClient(uri, { ignoreUndefined: true });
  return client;
}
