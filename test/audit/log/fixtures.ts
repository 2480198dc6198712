// Shared pieces of the audit log tests: valid AuditEvents, stores opened as the server opens them
// (the real R4 indexer), direct access to a SQLite file for tampering, and a transaction counter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createIndexer } from '../../../src/search/indexer.js';
import { loadR4Registry } from '../../../src/search/registry.js';
import type { Indexer, Store } from '../../../src/store/port.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

export { auditEvent, id, markerOf } from './events.js';

let indexer: Indexer | undefined;
/** The server's indexer (loaded once per test process). */
export function realIndexer(): Indexer {
  indexer ??= createIndexer(loadR4Registry());
  return indexer;
}

const dirs: string[] = [];
/** A fresh directory, removed after the test run. */
export function tempDir(prefix = 'envelope-audit-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function openSqliteFile(file: string): Promise<Store> {
  return openSqliteStore({ file, indexer: realIndexer() });
}

/** Counts the store's transactions (the store itself runs them). */
export function countTransactions(store: Store): { readonly count: number } {
  const real = store.transaction.bind(store);
  const counter = { count: 0 };
  store.transaction = (fn) => {
    counter.count++;
    return real(fn);
  };
  return counter;
}

/** A second, direct connection to the database file: what someone with file access can do. */
export function withDatabase<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    return db.transaction(() => fn(db))();
  } finally {
    db.close();
  }
}

/** The stored JSON of the current version of AuditEvent `id`. */
export function storedJson(db: Database.Database, id: string): string {
  const row = db.prepare(
    `SELECT v.json FROM versions v JOIN resources r ON r.rk = v.rk AND r.vid = v.vid WHERE r.type = 'AuditEvent' AND r.id = ?`,
  ).get(id) as { json: string } | undefined;
  if (!row) throw new Error(`no AuditEvent/${id} in the database`);
  return row.json;
}

export function setStoredJson(db: Database.Database, id: string, json: string): void {
  const r = db.prepare(
    `UPDATE versions SET json = ? WHERE vk = (SELECT v.vk FROM versions v JOIN resources r ON r.rk = v.rk AND r.vid = v.vid WHERE r.type = 'AuditEvent' AND r.id = ?)`,
  ).run(json, id);
  if (r.changes !== 1) throw new Error(`AuditEvent/${id} not updated`);
}

/** Removes every trace of AuditEvent `id`: index rows, versions, the resource row. */
export function deleteEvent(db: Database.Database, id: string): void {
  const row = db.prepare(`SELECT rk FROM resources WHERE type = 'AuditEvent' AND id = ?`).get(id) as { rk: number } | undefined;
  if (!row) throw new Error(`no AuditEvent/${id} in the database`);
  db.prepare('DELETE FROM idx WHERE rk = ?').run(row.rk);
  db.prepare('DELETE FROM versions WHERE rk = ?').run(row.rk);
  db.prepare('DELETE FROM resources WHERE rk = ?').run(row.rk);
}

