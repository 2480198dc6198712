// The RecordStore with an unreachable server answered as a 503 (./unavailable.ts), like the store's
// own calls: sign-on sessions, once-only ids and claims are read on many requests, and an outage
// there must not surface as a 500.
import type { RecordStore, StoredRecord } from '../../domain/records.js';
import { mapUnavailable } from './unavailable.js';

export class UnavailableMappedRecords implements RecordStore {
  constructor(private readonly inner: RecordStore) {}

  claimOnce(kind: string, id: string, expiresAt: string, now: string): Promise<boolean> {
    return mapUnavailable(this.inner.claimOnce(kind, id, expiresAt, now));
  }
  put(record: StoredRecord): Promise<void> {
    return mapUnavailable(this.inner.put(record));
  }
  get(kind: string, id: string, now: string): Promise<StoredRecord | undefined> {
    return mapUnavailable(this.inner.get(kind, id, now));
  }
  list(kind: string, owner: string, now: string): Promise<StoredRecord[]> {
    return mapUnavailable(this.inner.list(kind, owner, now));
  }
  delete(kind: string, id: string): Promise<boolean> {
    return mapUnavailable(this.inner.delete(kind, id));
  }
  purgeExpired(now: string): Promise<number> {
    return mapUnavailable(this.inner.purgeExpired(now));
  }
}
