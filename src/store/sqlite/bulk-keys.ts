// The (type, id) → rk lookup the writer uses while SqliteStore.bulkLoad (seeding only) loads an
// EMPTY database without the unique index resources_type_id. Generated and client ids are random,
// so every create inserted into that index at a random place and looked it up first: ~10 µs per
// resource, a fifth of a bulk load's SQLite time (scripts/bench/seed-floor.ts). Building the index
// once at the end from the loaded rows is cheap, and it still proves the ids unique: CREATE UNIQUE
// INDEX fails on a duplicate, failing the load.
//
// The map is complete only because the database was empty when the load began and nobody else writes
// to it meanwhile (bulkLoad's stated condition). Keys a transaction added are forgotten if it rolls
// back: SQLite may hand their rowids to the next inserts.
export class BulkKeys {
  private readonly byType = new Map<string, Map<string, number>>();
  private pending: [Map<string, number>, string][] = [];

  get(type: string, id: string): number | undefined {
    return this.byType.get(type)?.get(id);
  }

  /** Records a resource row inserted by the open transaction. */
  add(type: string, id: string, rk: number): void {
    let ids = this.byType.get(type);
    if (!ids) this.byType.set(type, (ids = new Map()));
    ids.set(id, rk);
    this.pending.push([ids, id]);
  }

  /** The open transaction committed: its keys stay. */
  commit(): void {
    this.pending = [];
  }

  /** The open transaction rolled back: its rows are gone. */
  rollback(): void {
    for (const [ids, id] of this.pending) ids.delete(id);
    this.pending = [];
  }
}
