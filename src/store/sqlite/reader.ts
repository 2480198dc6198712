// The read side of the port over one connection: the store's read connection (committed data only)
// or, inside a transaction, the write connection (which also sees the transaction's own writes).
// A database that cannot be read just now (file gone, failing disk) is a 503 (./unavailable.ts).
import type { HistoryRequest, HistoryResult, SearchResult, StoreReader, StoredVersion } from '../port.js';
import type { SearchRequest } from '../../domain/search-types.js';
import { errors } from '../../domain/errors.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { toCanonicalInstant } from '../common/clock.js';
import type { ParamIds } from './params.js';
import type { Statements } from './statements.js';
import { raw, rowCount, sql, join, type Sql } from './sql.js';
import { executeSearch } from './search/execute.js';
import type { ProbeCache } from './search/probe-cache.js';
import { mapUnavailable } from './unavailable.js';

interface VersionRow {
  vk: number;
  type: string;
  id: string;
  vid: number;
  lu: string;
  deleted: number;
  json: string;
}

export function toStoredVersion(row: VersionRow): StoredVersion {
  return {
    resourceType: row.type,
    id: row.id,
    versionId: row.vid,
    lastUpdated: row.lu,
    deleted: row.deleted !== 0,
    resource: JSON.parse(row.json),
  };
}

const MAX_HISTORY_COUNT = 10_000;

export class SqliteReader implements StoreReader {
  /**
   * @param guard throws when the reader may no longer be used (store closed, transaction over)
   */
  constructor(
    protected readonly db: Statements,
    protected readonly params: ParamIds,
    protected readonly guard: () => void,
    /** Recent driver sizes, shared by the store's reader and writers (search/probe-cache.ts). */
    protected readonly probes?: ProbeCache,
  ) {}

  /** Runs fn in one read transaction (one snapshot) unless the connection is already in one. */
  protected snapshot<T>(fn: () => T): T {
    this.guard();
    const conn = this.db.db;
    return mapUnavailable(() => (conn.inTransaction ? fn() : conn.transaction(fn)()));
  }

  async read(type: string, id: string): Promise<StoredVersion | undefined> {
    this.guard();
    const row = mapUnavailable(() => this.db.prepare(
      'SELECT v.* FROM resources r JOIN versions v ON v.rk = r.rk AND v.vid = r.vid WHERE r.type = ? AND r.id = ?',
    ).get(type, id) as VersionRow | undefined);
    return row && toStoredVersion(row);
  }

  async vread(type: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    this.guard();
    if (!Number.isInteger(versionId)) return undefined;
    const row = mapUnavailable(() => this.db.prepare(
      'SELECT v.* FROM resources r JOIN versions v ON v.rk = r.rk AND v.vid = ? WHERE r.type = ? AND r.id = ?',
    ).get(versionId, type, id) as VersionRow | undefined);
    return row && toStoredVersion(row);
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    return this.snapshot(() => executeSearch(this.db, this.params, req, this.probes));
  }

  async history(req: HistoryRequest): Promise<HistoryResult> {
    return this.snapshot(() => this.historySync(req));
  }

  /**
   * Newest first is commit order reversed (`vk DESC`): lastUpdated never decreases in commit order
   * (common/clock.ts), so this is also lastUpdated order, and the cursor is simply the last vk.
   */
  private historySync(req: HistoryRequest): HistoryResult {
    if (req.id !== undefined && req.type === undefined) throw errors.badRequest('Instance history needs a type');
    if (!Number.isInteger(req.count) || req.count < 0 || req.count > MAX_HISTORY_COUNT) {
      throw errors.badRequest(`_count must be an integer from 0 to ${MAX_HISTORY_COUNT}`);
    }
    const conds: Sql[] = [];
    if (req.id !== undefined) {
      // One resource: its versions are found by (rk, vid).
      const rk = this.db.get<{ rk: number }>(sql`SELECT rk FROM resources WHERE type = ${req.type!} AND id = ${req.id}`);
      if (!rk) return { versions: [], total: 0 };
      conds.push(sql`rk = ${rk.rk}`);
    } else if (req.type !== undefined) {
      conds.push(sql`type = ${req.type}`);
    }
    if (req.since !== undefined) {
      const since = toCanonicalInstant(req.since);
      if (!since) throw errors.badRequest(`Invalid _since: ${req.since}`);
      // The first version at or after `since`; everything later in commit order qualifies too.
      const first = this.db.get<{ vk: number }>(sql`SELECT vk FROM versions WHERE lu >= ${since} ORDER BY lu, vk LIMIT 1`);
      if (!first) return { versions: [], total: 0 };
      conds.push(sql`vk >= ${first.vk}`, sql`lu >= ${since}`);
    }
    const where = conds.length ? sql` WHERE ${join(conds, ' AND ')}` : raw('');
    const total = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM versions${where}`)!.n;
    if (req.count === 0) return { versions: [], total };

    const sig = `${req.type ?? ''}/${req.id ?? ''}`;
    const pageConds = [...conds];
    if (req.cursor !== undefined) {
      const [vk] = decodeCursor(req.cursor, 'history', sig, 1);
      if (typeof vk !== 'number') throw errors.badRequest('Invalid paging cursor');
      pageConds.push(sql`vk < ${vk}`);
    }
    const pageWhere = pageConds.length ? sql` WHERE ${join(pageConds, ' AND ')}` : raw('');
    // For one resource, vid order is commit order and lets SQLite walk (rk, vid) backwards.
    const order = raw(req.id !== undefined ? 'vid DESC' : 'vk DESC');
    const rows = this.db.all<VersionRow>(sql`SELECT * FROM versions${pageWhere} ORDER BY ${order} LIMIT ${rowCount(req.count + 1)}`);
    const more = rows.length > req.count;
    const page = more ? rows.slice(0, req.count) : rows;
    const result: HistoryResult = { versions: page.map(toStoredVersion), total };
    if (more) result.next = encodeCursor('history', sig, [page[page.length - 1]!.vk]);
    return result;
  }
}
