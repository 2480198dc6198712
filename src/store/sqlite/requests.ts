// Idempotency records (see RequestRecord in the port). Kept in their own table, created if missing,
// so adding it needs no schema version change for existing databases. Writes happen on the writer
// connection inside the caller's transaction, so a record commits or rolls back with what it records.
import { errors } from '../../domain/errors.js';
import type { RequestRecord } from '../port.js';
import type { Statement } from 'better-sqlite3';

/** A connection or its statement cache. */
type Preparer = { prepare(text: string): Statement };

export const REQUESTS_DDL = `
CREATE TABLE IF NOT EXISTS requests (
  key TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  vid INTEGER NOT NULL,
  at TEXT NOT NULL
) WITHOUT ROWID;
`;

export function recallRequest(db: Preparer, key: string): RequestRecord | undefined {
  const row = db.prepare('SELECT status, type, id, vid, at FROM requests WHERE key = ?').get(key) as
    | { status: number; type: string; id: string; vid: number; at: string }
    | undefined;
  return row && { key, status: row.status, type: row.type, id: row.id, versionId: row.vid, at: row.at };
}

export function rememberRequest(db: Preparer, r: RequestRecord): void {
  const info = db.prepare('INSERT OR IGNORE INTO requests (key, status, type, id, vid, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(r.key, r.status, r.type, r.id, r.versionId, r.at);
  if (info.changes !== 1) throw errors.conflict('This request has already been processed');
}
