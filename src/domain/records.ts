// Small server-side records that are not FHIR resources and never reach a client as such: sign-on
// sessions, once-only identifiers (the replay defence for SAML assertion ids and client-assertion
// `jti`s), self-claimed relationships. Every record expires; an expired record is as good as absent.
// The port lives here (not in src/store) because src/auth needs it and may import only src/domain;
// the store adapters implement it and the composition root hands it over.
// Adapters compare instants as text, so every instant argument must be in the canonical form below
// (`new Date(ms).toISOString()`); kinds, ids and owners are non-empty strings, compared exactly. A
// malformed argument is a programming error and fails with a 500, never a silent mismatch.
// Record writes are never part of a Store transaction (its rollback would not undo them); called
// from inside one they fail with a 500.

/** Plain JSON data; what comes back is JSON.parse(JSON.stringify(data)). */
export type RecordData = { [key: string]: unknown };

export interface StoredRecord {
  /** A namespace such as `saml-session`, `saml-assertion`, `client-jti`, `relationship-claim`. */
  kind: string;
  /** Unique within the kind. */
  id: string;
  /** An optional secondary key to list records by (for example the principal a claim belongs to). */
  owner?: string;
  data: RecordData;
  /** UTC instant (`YYYY-MM-DDTHH:mm:ss.sssZ`) after which the record no longer exists. */
  expiresAt: string;
}

export interface RecordStore {
  /**
   * Records `id` under `kind` until `expiresAt`, and answers true, unless an unexpired record with
   * that id exists, then false and nothing changes. Atomic across every process sharing the
   * database: of two concurrent claims of one id, exactly one gets true. `now` (a UTC instant)
   * decides what has expired. `expiresAt` must be after `now` (else a 500): a claim expired on
   * arrival could never keep a replay out, so the caller must reject the expired token itself.
   */
  claimOnce(kind: string, id: string, expiresAt: string, now: string): Promise<boolean>;
  /** Inserts or replaces the record (kind, id). */
  put(record: StoredRecord): Promise<void>;
  /** The record, or undefined when it does not exist or expired at or before `now`. */
  get(kind: string, id: string, now: string): Promise<StoredRecord | undefined>;
  /** The unexpired records of one kind with this owner, in no particular order. */
  list(kind: string, owner: string, now: string): Promise<StoredRecord[]>;
  /** Removes the record; true when there was one (expired or not). */
  delete(kind: string, id: string): Promise<boolean>;
  /** Removes every record expired at or before `now`; answers how many. */
  purgeExpired(now: string): Promise<number>;
}
