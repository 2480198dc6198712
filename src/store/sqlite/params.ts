// Interning of (resource type, search parameter code) as the small integer `pid` stored in idx.
// The cache holds only ids known to exist in the database: readers cache what they find committed;
// the writer caches ids it inserts and the store clears the cache when a transaction rolls back,
// since a rolled-back id may be reused for another pair. Misses are looked up, not assumed absent,
// so ids created by another process are found.
import type { Statements } from './statements.js';

function key(type: string, code: string): string {
  return `${type}\u0000${code}`;
}

export class ParamIds {
  private readonly known = new Map<string, number>();

  lookup(db: Statements, type: string, code: string): number | undefined {
    const k = key(type, code);
    const hit = this.known.get(k);
    if (hit !== undefined) return hit;
    const row = db.prepare('SELECT pid FROM params WHERE type = ? AND code = ?').get(type, code) as { pid: number } | undefined;
    if (row) this.known.set(k, row.pid);
    return row?.pid;
  }

  /** All ids of `code` over `types` (types without that parameter contribute nothing). */
  lookupAll(db: Statements, types: readonly string[], code: string): number[] {
    const out: number[] = [];
    for (const t of types) {
      const pid = this.lookup(db, t, code);
      if (pid !== undefined) out.push(pid);
    }
    return out;
  }

  /** The id of (type, code), created if needed. Only on the writer inside a transaction. */
  ensure(db: Statements, type: string, code: string): number {
    const found = this.lookup(db, type, code);
    if (found !== undefined) return found;
    const row = db.prepare('INSERT INTO params (type, code) VALUES (?, ?) RETURNING pid').get(type, code) as { pid: number };
    this.known.set(key(type, code), row.pid);
    return row.pid;
  }

  reset(): void {
    this.known.clear();
  }
}
