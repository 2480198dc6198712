// The RecordStore (src/domain/records.ts) on SQLite: expiring records that are not FHIR resources
// (sign-on sessions, once-only ids, self-claimed relationships). Kept in their own table, created if
// missing, so adding it needs no schema version change for existing databases.
//
// Reads use the read connection (committed data only); an unreadable database is a 503
// (./unavailable.ts). Writes reach the write connection only
// through `WriteRunner`, which the store implements with its writer mutex and BEGIN IMMEDIATE, so a
// record write never lands inside someone's open resource transaction, and claimOnce's
// "delete the expired record, then insert unless present" is one transaction under the database
// write lock: of two processes claiming one id, the second sees the first's row.
import type { RecordStore, StoredRecord } from '../../domain/records.js';
import {
  checkClaim, checkId, checkInstant, checkKind, checkOwner, checkRecord, dataFromJson,
} from '../common/records.js';
import type { Statement } from 'better-sqlite3';
import { mapUnavailable } from './unavailable.js';

export const RECORDS_DDL = `
CREATE TABLE IF NOT EXISTS records (
  kind    TEXT NOT NULL,
  id      TEXT NOT NULL,
  owner   TEXT,
  data    TEXT NOT NULL,
  expires TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_owner ON records (kind, owner, expires) WHERE owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_expires ON records (expires);
`;

/** A connection or its statement cache. */
export type Preparer = { prepare(text: string): Statement };

/** Runs fn in one write transaction (BEGIN IMMEDIATE) on the write connection. */
export type WriteRunner = <T>(fn: (db: Preparer) => T) => Promise<T>;

interface Row {
  kind: string;
  id: string;
  owner: string | null;
  data: string;
  expires: string;
}

function toRecord(row: Row): StoredRecord {
  const r: StoredRecord = { kind: row.kind, id: row.id, data: dataFromJson(row.data), expiresAt: row.expires };
  if (row.owner !== null) r.owner = row.owner;
  return r;
}

const UPSERT = `INSERT INTO records (kind, id, owner, data, expires) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, data = excluded.data, expires = excluded.expires`;

export class SqliteRecords implements RecordStore {
  /**
   * @param read the read connection's statements
   * @param write runs a write transaction (see WriteRunner)
   * @param guard throws when the store is closed
   */
  constructor(
    private readonly read: Preparer,
    private readonly write: WriteRunner,
    private readonly guard: () => void,
  ) {}

  async claimOnce(kind: string, id: string, expiresAt: string, now: string): Promise<boolean> {
    checkClaim(kind, id, expiresAt, now);
    return this.write((db) => {
      db.prepare('DELETE FROM records WHERE kind = ? AND id = ? AND expires <= ?').run(kind, id, now);
      const info = db.prepare(`INSERT INTO records (kind, id, owner, data, expires) VALUES (?, ?, NULL, '{}', ?)
        ON CONFLICT (kind, id) DO NOTHING`).run(kind, id, expiresAt);
      return info.changes === 1;
    });
  }

  async put(record: StoredRecord): Promise<void> {
    const r = checkRecord(record);
    await this.write((db) => {
      db.prepare(UPSERT).run(r.kind, r.id, r.owner ?? null, r.json, r.expiresAt);
    });
  }

  async get(kind: string, id: string, now: string): Promise<StoredRecord | undefined> {
    checkKind(kind);
    checkId(id);
    checkInstant(now, 'now');
    this.guard();
    const row = mapUnavailable(() => this.read.prepare('SELECT kind, id, owner, data, expires FROM records WHERE kind = ? AND id = ? AND expires > ?')
      .get(kind, id, now) as Row | undefined);
    return row && toRecord(row);
  }

  async list(kind: string, owner: string, now: string): Promise<StoredRecord[]> {
    checkKind(kind);
    checkOwner(owner);
    checkInstant(now, 'now');
    this.guard();
    const rows = mapUnavailable(() => this.read.prepare('SELECT kind, id, owner, data, expires FROM records WHERE kind = ? AND owner = ? AND expires > ?')
      .all(kind, owner, now) as Row[]);
    return rows.map(toRecord);
  }

  async delete(kind: string, id: string): Promise<boolean> {
    checkKind(kind);
    checkId(id);
    return this.write((db) => db.prepare('DELETE FROM records WHERE kind = ? AND id = ?').run(kind, id).changes > 0);
  }

  async purgeExpired(now: string): Promise<number> {
    checkInstant(now, 'now');
    return this.write((db) => db.prepare('DELETE FROM records WHERE expires <= ?').run(now).changes);
  }
}
