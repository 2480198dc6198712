// Collections and the indexes created at start-up (createIndexes is idempotent for identical specs).
import type { CollectionLike, DbLike, IndexSpec } from './driver.js';
import type { Collections } from './writer.js';

export const RESOURCES = 'resources';
export const VERSIONS = 'versions';
/** Idempotency records of client requests, `_id` = the record key. */
export const REQUESTS = 'requests';
/** Expiring non-FHIR records (./records.ts), `_id` = JSON.stringify([kind, id]). */
export const RECORDS = 'records';

const RESOURCE_INDEXES: IndexSpec[] = [
  { key: { type: 1, id: 1 }, name: 'type_id', unique: true },
  // Multikey indexes over the embedded index values, one per kind of test. Each starts with the
  // parameter so an `$elemMatch` on {p, field...} gets bounds on both.
  { key: { 'idx.p': 1, 'idx.code': 1, 'idx.sys': 1 }, name: 'idx_token' },
  { key: { 'idx.p': 1, 'idx.s': 1 }, name: 'idx_string_ref' },
  { key: { 'idx.p': 1, 'idx.lo': 1, 'idx.hi': 1 }, name: 'idx_date' },
  { key: { 'idx.p': 1, 'idx.n': 1 }, name: 'idx_number' },
  // Default order of a search without _sort, and _lastUpdated sorts.
  { key: { type: 1, lu: 1 }, name: 'type_lu' },
];

const VERSION_INDEXES: IndexSpec[] = [
  { key: { type: 1, id: 1, vid: 1 }, name: 'type_id_vid', unique: true },
  // History at system, type and instance level, newest first.
  { key: { lu: -1, seq: -1, type: 1, id: 1, vid: -1 }, name: 'history_system' },
  { key: { type: 1, lu: -1, seq: -1 }, name: 'history_type' },
];

const RECORD_INDEXES: IndexSpec[] = [
  // list(kind, owner, now).
  { key: { kind: 1, owner: 1, expiresAt: 1 }, name: 'kind_owner' },
  // purgeExpired(now): the text instant is what every query compares.
  { key: { expiresAt: 1 }, name: 'expires_at' },
  // The server's own background purge: a TTL index needs a Date, hence the copy in `expires`.
  { key: { expires: 1 }, name: 'ttl', expireAfterSeconds: 0 },
];

export async function openCollections(db: DbLike): Promise<Collections> {
  const resources = db.collection(RESOURCES);
  const versions = db.collection(VERSIONS);
  const requests = db.collection(REQUESTS);
  await resources.createIndexes(RESOURCE_INDEXES);
  await versions.createIndexes(VERSION_INDEXES);
  return { resources, versions, requests };
}

export async function openRecords(db: DbLike): Promise<CollectionLike> {
  const records = db.collection(RECORDS);
  await records.createIndexes(RECORD_INDEXES);
  return records;
}
