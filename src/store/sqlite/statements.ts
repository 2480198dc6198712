// Prepared-statement cache per connection. Searches compile to a handful of recurring shapes (the
// values are parameters), so preparing each shape once saves most of the planning cost.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.js';
import type { Sql } from './sql.js';

const MAX = 500;

export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  prepare(text: string): Statement {
    let st = this.cache.get(text);
    if (st) {
      // Refresh recency (Map keeps insertion order; the oldest is evicted first).
      this.cache.delete(text);
      this.cache.set(text, st);
      return st;
    }
    st = this.db.prepare(text);
    this.cache.set(text, st);
    if (this.cache.size > MAX) this.cache.delete(this.cache.keys().next().value!);
    return st;
  }

  all<T>(q: Sql): T[] {
    return this.prepare(q.text).all(...q.params) as T[];
  }

  get<T>(q: Sql): T | undefined {
    return this.prepare(q.text).get(...q.params) as T | undefined;
  }
}
