// Interning of (resource type, search parameter code) as the small integer `pid` stored in idx, and
// the per-parameter widest date range (`max_span`, see schema.ts).
//
// The cache holds only what is known to be in the database: readers cache ids they find committed;
// the writer caches ids and spans it writes, and the store clears the cache when a transaction rolls
// back (a rolled-back id may be reused for another pair). Misses are looked up, not assumed absent,
// so ids created by another process are found. Spans used by searches are read from the database in
// the search's own snapshot, never from the cache, so they always cover the rows the search sees.
import type { Statements } from './statements.js';

/** What the writer knows is recorded for a parameter (the database may hold wider values). */
export interface Entry {
  pid: number;
  span: number;
  count: number;
  shapes: number;
}

/** The recorded shape of a parameter's values, read in a search's snapshot. */
export interface ParamShape {
  maxSpan: number;
  maxCount: number;
  shapes: number;
}

function key(type: string, code: string): string {
  return `${type}\u0000${code}`;
}

export class ParamIds {
  private readonly known = new Map<string, Entry>();

  private entry(db: Statements, type: string, code: string): Entry | undefined {
    const k = key(type, code);
    const hit = this.known.get(k);
    if (hit) return hit;
    const row = db.prepare('SELECT pid, max_span AS span, max_count AS count, shapes FROM params WHERE type = ? AND code = ?')
      .get(type, code) as Entry | undefined;
    if (row) this.known.set(k, row);
    return row;
  }

  lookup(db: Statements, type: string, code: string): number | undefined {
    return this.entry(db, type, code)?.pid;
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

  /** The widest hi - lo stored for any of `pids`, as the connection's snapshot sees it. */
  maxSpan(db: Statements, pids: readonly number[]): number {
    let max = 0;
    const st = db.prepare('SELECT max_span FROM params WHERE pid = ?').pluck();
    for (const pid of pids) max = Math.max(max, (st.get(pid) as number | undefined) ?? 0);
    return max;
  }

  /** The id of (type, code), created if needed. Only on the writer inside a transaction. */
  ensure(db: Statements, type: string, code: string): Entry {
    const found = this.entry(db, type, code);
    if (found) return found;
    const row = db.prepare('INSERT INTO params (type, code) VALUES (?, ?) RETURNING pid, max_span AS span, max_count AS count, shapes')
      .get(type, code) as Entry;
    this.known.set(key(type, code), row);
    return row;
  }

  /** The recorded shape of a parameter, as the connection's snapshot sees it. */
  shape(db: Statements, pid: number): ParamShape | undefined {
    return db.prepare('SELECT max_span AS maxSpan, max_count AS maxCount, shapes FROM params WHERE pid = ?').get(pid) as
      | ParamShape
      | undefined;
  }

  /**
   * Records what one resource's values of the parameter look like (widest date span, number of
   * values, shapes). Only on the writer inside a transaction; writes only when something widens.
   */
  widen(db: Statements, entry: Entry, span: number, count: number, shapes: number): void {
    if (span <= entry.span && count <= entry.count && (shapes | entry.shapes) === entry.shapes) return;
    db.prepare('UPDATE params SET max_span = max(max_span, ?), max_count = max(max_count, ?), shapes = shapes | ? WHERE pid = ?')
      .run(span, count, shapes, entry.pid);
    entry.span = Math.max(entry.span, span);
    entry.count = Math.max(entry.count, count);
    entry.shapes |= shapes;
  }

  reset(): void {
    this.known.clear();
  }
}
