// Runs a SearchRequest: compile, plan, fetch one page (+1 row to know whether there is a next),
// count when asked. The caller runs this inside one read transaction so page and total agree.
import { createHash } from 'node:crypto';
import type { SearchResult, StoredVersion } from '../../port.js';
import { and, type Cond, type SearchRequest } from '../../../domain/search-types.js';
import { errors } from '../../../domain/errors.js';
import { decodeCursor, encodeCursor, type CursorValue } from '../../common/cursor.js';
import type { ParamIds } from '../params.js';
import type { Statements } from '../statements.js';
import { FALSE_SQL, join, raw, sql, type Sql } from '../sql.js';
import { CondCompiler, type Scope } from './compile.js';
import { after, orderBy, orderKeys, orderSignature } from './order.js';
import { Planner } from './plan.js';

const MAX_COUNT = 10_000;

interface PageRow {
  rk: number;
  type: string;
  id: string;
  vid: number;
  lu: string;
  json: string;
  [k: `k${number}`]: CursorValue;
}

function validate(req: SearchRequest): void {
  if (!Array.isArray(req.types) || !req.types.every((t) => typeof t === 'string' && t.length > 0)) {
    throw errors.badRequest('Search types must be a list of resource types');
  }
  if (!Number.isInteger(req.count) || req.count < 0 || req.count > MAX_COUNT) {
    throw errors.badRequest(`_count must be an integer from 0 to ${MAX_COUNT}`);
  }
  if (!['none', 'estimate', 'accurate'].includes(req.total)) throw errors.badRequest(`Unknown total mode ${String(req.total)}`);
}

function cursorSignature(types: readonly string[], req: SearchRequest): string {
  return createHash('sha256').update(orderSignature(types, req.sort)).digest('base64url').slice(0, 16);
}

export function executeSearch(db: Statements, params: ParamIds, req: SearchRequest): SearchResult {
  validate(req);
  const compiler = new CondCompiler(db, params, req.visibility);
  const types = compiler.visibleTypes([...new Set(req.types)]);
  const wantTotal = req.total !== 'none';
  if (types.length === 0) return wantTotal ? { matches: [], total: 0 } : { matches: [] };

  const scope: Scope = { alias: 'r', types, depth: 0 };
  const where = and(...req.where);
  const filters = compiler.and([compiler.live(scope), compiler.cond(where, scope)]);
  if (filters === FALSE_SQL) return wantTotal ? { matches: [], total: 0 } : { matches: [] };

  const keys = orderKeys(req.sort, types, 'r', compiler);
  const plain = keys.every((k) => k.plain);
  const orderByIndex = plain && types.length === 1;
  const required: Cond[] = [where];
  const vis = compiler.visibilityOf(types);
  if (vis) required.push(vis);
  const plan = new Planner(db, compiler).plan(scope, required, orderByIndex);

  const result: SearchResult = { matches: [] };
  if (wantTotal) {
    // 'estimate' is answered exactly: the count uses the same plan as the page and stays cheap
    // whenever a selective condition drives it.
    result.total = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${plan.countFrom} WHERE ${filters}`)!.n;
  }
  if (req.count === 0) return result;

  const sig = cursorSignature(types, req);
  const position = req.cursor === undefined ? undefined : decodeCursor(req.cursor, 'search', sig, keys.length);
  const names = keys.map((_, i) => raw(`k${i}`));
  const select = join(keys.map((k, i) => sql`${k.expr} AS ${names[i]!}`), ', ');
  const limit = req.count + 1;

  let page: Sql;
  if (plain) {
    // Keys are resources columns: filter, order and stop in one pass (an index may deliver the order).
    const exprs = keys.map((k) => k.expr);
    const cond = position ? sql` AND ${after(keys, exprs, position)}` : raw('');
    page = sql`WITH p AS (SELECT r.rk AS rk, ${select} FROM ${plan.pageFrom} WHERE ${filters}${cond} ORDER BY ${orderBy(keys, exprs)} LIMIT ${limit})`;
  } else {
    // Parameter keys are per-row subqueries: evaluate them once per candidate (MATERIALIZED keeps
    // SQLite from inlining them into WHERE and ORDER BY), then filter by cursor, sort, cut.
    const cols = names.map((n) => sql`c.${n}`);
    const cond = position ? sql` WHERE ${after(keys, cols, position)}` : raw('');
    page = sql`WITH c AS MATERIALIZED (SELECT r.rk AS rk, ${select} FROM ${plan.pageFrom} WHERE ${filters}), p AS (SELECT * FROM c${cond} ORDER BY ${orderBy(keys, cols)} LIMIT ${limit})`;
  }
  const pCols = names.map((n) => sql`p.${n}`);
  const rows = db.all<PageRow>(
    sql`${page} SELECT p.*, r.type AS type, r.id AS id, r.vid AS vid, r.lu AS lu, v.json AS json FROM p JOIN resources r ON r.rk = p.rk JOIN versions v ON v.vk = r.vk ORDER BY ${orderBy(keys, pCols)}`,
  );

  const more = rows.length > req.count;
  const pageRows = more ? rows.slice(0, req.count) : rows;
  result.matches = pageRows.map(toStored);
  if (more) {
    const last = pageRows[pageRows.length - 1]!;
    result.next = encodeCursor('search', sig, keys.map((_, i) => last[`k${i}`] ?? null));
  }
  return result;
}

function toStored(row: PageRow): StoredVersion {
  return {
    resourceType: row.type,
    id: row.id,
    versionId: row.vid,
    lastUpdated: row.lu,
    deleted: false,
    resource: JSON.parse(row.json),
  };
}
