// Store size per million resources. The estate's database held only the clinical resources when it
// was seeded (the manifest records its bytes and counts then); every later run adds AuditEvents (one
// or more per request) and whatever the create scenario wrote. So the seeded figure is the size of
// clinical data, and the growth since, divided by the resources added, is the size of what was added
// (mostly AuditEvents). Bytes are the SQLite file plus its WAL; a SQLite file never shrinks, so
// pages freed by updates stay counted.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DB_FILE } from '../estate/dataset.js';

/** A database's size and what it holds: resources by type. */
export interface StoreCensus {
  bytes: number;
  counts: Record<string, number>;
}

export interface SizeFigure {
  resources: number;
  bytes: number;
  /** bytes / resources × 1,000,000; undefined when there are no resources. */
  bytesPerMillion: number | undefined;
}

export interface StoreSize {
  /** When seeded: the clinical resources alone. */
  seeded: SizeFigure;
  /** Now: everything stored. */
  now: SizeFigure;
  /** Since seeding, by type (types whose count grew). */
  added: SizeFigure & { byType: Record<string, number>; auditEvents: number };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function figure(resources: number, bytes: number): SizeFigure {
  return { resources, bytes, bytesPerMillion: resources > 0 ? (bytes / resources) * 1e6 : undefined };
}

/** Pure: the size figures from the census at seeding and now. */
export function storeSize(seeded: StoreCensus, now: StoreCensus): StoreSize {
  const byType: Record<string, number> = {};
  for (const [type, n] of Object.entries(now.counts)) {
    const grew = n - (seeded.counts[type] ?? 0);
    if (grew > 0) byType[type] = grew;
  }
  const added = total(byType);
  return {
    seeded: figure(total(seeded.counts), seeded.bytes),
    now: figure(total(now.counts), now.bytes),
    added: { ...figure(added, Math.max(0, now.bytes - seeded.bytes)), byType, auditEvents: byType['AuditEvent'] ?? 0 },
  };
}

/**
 * Resources stored in the estate's database, by type (current rows of every type, deletion markers
 * included: they take space too). Read-only; the server must not be writing.
 */
export function countResources(dataDir: string): Record<string, number> {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT type, count(*) AS n FROM resources GROUP BY type').all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  } finally {
    db.close();
  }
}
