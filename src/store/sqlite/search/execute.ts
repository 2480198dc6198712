// Runs a SearchRequest: compile, plan, find one page of keys (+1 row to know whether there is a
// next) — by the ordered walk when it applies, else through the plan — then fetch those versions;
// count when asked. The caller runs this inside one read transaction so page and total agree.
import { createHash } from 'node:crypto';
import type { SearchResult, StoredVersion } from '../../port.js';
import { and, type Cond, type SearchRequest } from '../../../domain/search-types.js';
import { errors } from '../../../domain/errors.js';
import { decodeCursor, encodeCursor, type CursorValue } from '../../common/cursor.js';
import type { ParamIds } from '../params.js';
import type { Statements } from '../statements.js';
import { FALSE_SQL, join, list, raw, rowCount, sql, type Sql } from '../sql.js';
import { CondCompiler, type Scope } from './compile.js';
import { after, orderBy, orderKeys, orderSignature, type OrderKey } from './order.js';
import { walkPage, type KeyRow } from './ordered-walk.js';
import type { ProbeCache } from './probe-cache.js';
import { Planner, conjuncts, rank, type Plan } from './plan.js';

const MAX_COUNT = 10_000;

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

export function executeSearch(db: Statements, params: ParamIds, req: SearchRequest, probes?: ProbeCache): SearchResult {
  validate(req);
  const compiler = new CondCompiler(db, params, req.visibility);
  const requested = [...new Set(req.types)];
  const types = compiler.visibleTypes(requested);
  const wantTotal = req.total !== 'none';
  if (types.length === 0) return wantTotal ? { matches: [], total: 0 } : { matches: [] };

  const scope: Scope = { alias: 'r', types, depth: 0 };
  // Per-row checks run in the order written: likely-selective conditions first fail rows sooner.
  const conds = req.where.flatMap((c) => conjuncts(c)).filter((c) => c.k !== 'true').sort((a, b) => rank(a) - rank(b));
  const where = and(...conds);
  const live = compiler.live(scope);
  const parts = conds.map((c) => ({ c, sql: compiler.cond(c, scope) }));
  const filters = compiler.and([live, ...parts.map((p) => p.sql)]);
  if (filters === FALSE_SQL) return wantTotal ? { matches: [], total: 0 } : { matches: [] };
  /** The row filter through a plan: conditions its driver already guarantees are not tested again. */
  const filtersFor = (plan: Plan) => compiler.and([live, ...parts.filter((p) => !plan.satisfied.includes(p.c)).map((p) => p.sql)]);

  // The order (and so the cursor) depends on the request, not on what is visible today: a cursor
  // stays valid when visibility changes between pages.
  const keys = orderKeys(req.sort, requested, 'r', compiler);
  const plain = keys.every((k) => k.plain);
  const orderByIndex = plain && types.length === 1;
  const required: Cond[] = [where];
  const vis = compiler.visibilityOf(types);
  if (vis) required.push({ k: 'policy', of: vis });
  const planner = new Planner(db, compiler, params, probes);
  const candidates = planner.candidates(scope, required);

  const sig = cursorSignature(requested, req);
  const position = req.cursor === undefined ? undefined : decodeCursor(req.cursor, 'search', sig, keys.length);
  const limit = req.count + 1;

  // Sorted by a date parameter: the ordered walk may find the page without a driver.
  const first = req.sort[0];
  const walked = req.count > 0 && types.length === 1 && first && !keys[0]!.plain
    ? walkPage(planner, candidates, { db, params, compiler, type: types[0]!, param: first.p, keys, filters, required, position, limit })
    : undefined;

  const result: SearchResult = { matches: [] };
  const needPlan = wantTotal || (req.count > 0 && !walked);
  const plan = needPlan ? planner.plan(scope, candidates, orderByIndex) : undefined;
  if (wantTotal) {
    // 'estimate' is answered exactly: the count uses the same plan as the page and stays cheap
    // whenever a selective condition drives it.
    result.total = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${plan!.countFrom} WHERE ${filtersFor(plan!)}`)!.n;
  }
  if (req.count === 0) return result;

  const page = walked ?? keyPage(db, keys, plan!.pageFrom, filtersFor(plan!), position, limit, plain);
  const more = page.length > req.count;
  const pageRows = more ? page.slice(0, req.count) : page;
  result.matches = fetchVersions(db, pageRows.map((r) => r.rk));
  if (more) {
    const last = pageRows[pageRows.length - 1]!;
    result.next = encodeCursor('search', sig, keys.map((_, i) => last[`k${i}`] ?? null));
  }
  return result;
}

/** The page's rk and key values through the plan's FROM clause. */
function keyPage(
  db: Statements, keys: readonly OrderKey[], from: Sql, filters: Sql, position: readonly CursorValue[] | undefined,
  limit: number, plain: boolean,
): KeyRow[] {
  const names = keys.map((_, i) => raw(`k${i}`));
  const select = join(keys.map((k, i) => sql`${k.expr} AS ${names[i]!}`), ', ');
  if (plain) {
    // Keys are resources columns: filter, order and stop in one pass (an index may deliver the order).
    const exprs = keys.map((k) => k.expr);
    const cond = position ? sql` AND ${after(keys, exprs, position)}` : raw('');
    return db.all<KeyRow>(sql`SELECT r.rk AS rk, ${select} FROM ${from} WHERE ${filters}${cond} ORDER BY ${orderBy(keys, exprs)} LIMIT ${rowCount(limit)}`);
  }
  // Parameter keys are per-row subqueries: evaluate them once per candidate (MATERIALIZED keeps
  // SQLite from inlining them into WHERE and ORDER BY), then filter by cursor, sort, cut.
  const cols = names.map((n) => sql`c.${n}`);
  const cond = position ? sql` WHERE ${after(keys, cols, position)}` : raw('');
  return db.all<KeyRow>(
    sql`WITH c AS MATERIALIZED (SELECT r.rk AS rk, ${select} FROM ${from} WHERE ${filters}) SELECT * FROM c${cond} ORDER BY ${orderBy(keys, cols)} LIMIT ${rowCount(limit)}`,
  );
}

interface ContentRow {
  rk: number;
  type: string;
  id: string;
  vid: number;
  lu: string;
  json: string;
}

/** The current versions of `rks`, in that order. */
function fetchVersions(db: Statements, rks: readonly number[]): StoredVersion[] {
  if (rks.length === 0) return [];
  const rows = db.all<ContentRow>(
    sql`SELECT r.rk AS rk, r.type AS type, r.id AS id, r.vid AS vid, r.lu AS lu, v.json AS json FROM resources r JOIN versions v ON v.rk = r.rk AND v.vid = r.vid WHERE r.rk IN ${list(rks)}`,
  );
  const byRk = new Map(rows.map((r) => [r.rk, r]));
  return rks.map((rk) => toStored(byRk.get(rk)!));
}

function toStored(row: ContentRow): StoredVersion {
  return {
    resourceType: row.type,
    id: row.id,
    versionId: row.vid,
    lastUpdated: row.lu,
    deleted: false,
    resource: JSON.parse(row.json),
  };
}
