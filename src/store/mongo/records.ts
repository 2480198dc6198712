// The RecordStore (src/domain/records.ts) on MongoDB, in the `records` collection. One document per
// record:
//   { _id: JSON.stringify([kind, id]), kind, id, owner?, data: "<JSON text>", expiresAt: "<instant>", expires: Date }
// - `_id` is built with JSON.stringify so that no two (kind, id) pairs share one: both strings are
//   quoted and escaped, so a separator inside either ("a|b" + "c" versus "a" + "b|c") stays data.
// - `data` is stored as JSON text, not as a sub-document: it is never queried, and text comes back
//   exactly as it went in (no `$`- or dot-keys to trip over, no driver type conversions).
// - `expiresAt` (canonical instant text) decides what has expired in every query, as in SQLite.
//   `expires` is the same instant as a Date, only for the TTL index, which lets the server delete
//   expired documents in the background (roughly once a minute); purgeExpired does it on demand.
// Every operation is a single-document write or a plain query: none joins a resource transaction,
// and a write attempted inside one is refused (see store.ts).
import type { RecordStore, StoredRecord } from '../../domain/records.js';
import { errors } from '../../domain/errors.js';
import {
  checkClaim, checkId, checkInstant, checkKind, checkOwner, checkRecord, dataFromJson, type CheckedRecord,
} from '../common/records.js';
import { isDuplicateKeyError, type CollectionLike, type Doc } from './driver.js';

function recordKey(kind: string, id: string): string {
  return JSON.stringify([kind, id]);
}

function toDocument(r: CheckedRecord): Doc {
  const doc: Doc = { _id: recordKey(r.kind, r.id), kind: r.kind, id: r.id, data: r.json, expiresAt: r.expiresAt, expires: new Date(r.expiresAt) };
  if (r.owner !== undefined) doc.owner = r.owner;
  return doc;
}

function toRecord(doc: Doc): StoredRecord {
  const r: StoredRecord = { kind: doc.kind as string, id: doc.id as string, data: dataFromJson(doc.data as string), expiresAt: doc.expiresAt as string };
  if (typeof doc.owner === 'string') r.owner = doc.owner;
  return r;
}

/** Concurrent upserts of one new _id can race to insert it; the loser retries as an update. */
const PUT_ATTEMPTS = 3;

export class MongoRecords implements RecordStore {
  /**
   * @param records the `records` collection
   * @param guard throws when the store is closed
   * @param writable throws when a write may not run now (store closed, or inside a transaction)
   */
  constructor(
    private readonly records: CollectionLike,
    private readonly guard: () => void,
    private readonly writable: () => void,
  ) {}

  /**
   * One conditional upsert: replace the record only if it has expired, insert it if there is none.
   * When an unexpired one exists the filter matches nothing and the insert collides on `_id`
   * (E11000): that is the "already claimed" answer. A single-document write is atomic on the server,
   * so of two concurrent claims one writes and the other gets the duplicate key (the server retries
   * a write conflict by evaluating the filter again, which then no longer matches).
   */
  async claimOnce(kind: string, id: string, expiresAt: string, now: string): Promise<boolean> {
    checkClaim(kind, id, expiresAt, now);
    this.writable();
    const doc = toDocument({ kind, id, owner: undefined, json: '{}', expiresAt });
    try {
      await this.records.replaceOne({ _id: { $eq: doc._id }, expiresAt: { $lte: now } }, doc, { upsert: true });
      return true;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      throw e;
    }
  }

  async put(record: StoredRecord): Promise<void> {
    const doc = toDocument(checkRecord(record));
    this.writable();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.records.replaceOne({ _id: { $eq: doc._id } }, doc, { upsert: true });
        return;
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        if (attempt === PUT_ATTEMPTS) throw errors.unavailable('The record is being written concurrently, try again');
      }
    }
  }

  async get(kind: string, id: string, now: string): Promise<StoredRecord | undefined> {
    const key = recordKey(checkKind(kind), checkId(id));
    checkInstant(now, 'now');
    this.guard();
    const doc = await this.records.findOne({ _id: { $eq: key }, expiresAt: { $gt: now } });
    return doc ? toRecord(doc) : undefined;
  }

  async list(kind: string, owner: string, now: string): Promise<StoredRecord[]> {
    checkKind(kind);
    checkOwner(owner);
    checkInstant(now, 'now');
    this.guard();
    const docs = await this.records.find({ kind: { $eq: kind }, owner: { $eq: owner }, expiresAt: { $gt: now } }).toArray();
    return docs.map(toRecord);
  }

  async delete(kind: string, id: string): Promise<boolean> {
    const key = recordKey(checkKind(kind), checkId(id));
    this.writable();
    const { deletedCount } = await this.records.deleteMany({ _id: { $eq: key } });
    return deletedCount > 0;
  }

  async purgeExpired(now: string): Promise<number> {
    checkInstant(now, 'now');
    this.writable();
    const { deletedCount } = await this.records.deleteMany({ expiresAt: { $lte: now } });
    return deletedCount;
  }
}
