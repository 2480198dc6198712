// The ordered walk: a page of a search sorted by a date parameter, found by walking that
// parameter's date index in sort order and stopping as soon as the page is full.
//
// Why: "the next 10 free slots of a service from today" matches a large share of all slots, so any
// driver collects and sorts tens of thousands of candidates; walking `start` in order and checking
// each slot finds the 10 after a few hundred. It is exact only when the parameter has one date per
// resource (then its index order is the sort order of min/max), which params.max_count and
// params.shapes record. The walk advances in chunks that end on a complete group of equal dates, so
// sorting within a chunk is the global order. It cannot answer when it runs out of dated rows while
// rows without the parameter (sorted last) might still qualify; the caller then uses a driver.
// walkPage races the walk against counting the drivers, so it costs at most about what the best
// driver would.
import type { Cond } from '../../../domain/search-types.js';
import type { CursorValue } from '../../common/cursor.js';
import type { ParamIds } from '../params.js';
import { SHAPE_DATE } from '../schema.js';
import { join, raw, rowCount, sql, type Sql } from '../sql.js';
import type { Statements } from '../statements.js';
import type { CondCompiler } from './compile.js';
import { PROBE_STAGES, rank, type Candidate, type Planner } from './plan.js';
import { requiredRange } from './date-range.js';
import { after, orderBy, type OrderKey } from './order.js';

const FIRST_CHUNK = 64;
const MAX_CHUNK = 4096;

export interface KeyRow {
  rk: number;
  [k: `k${number}`]: CursorValue;
}

export interface WalkInput {
  db: Statements;
  params: ParamIds;
  compiler: CondCompiler;
  /** The one searched type. */
  type: string;
  /** Sort parameter code of keys[0]. */
  param: string;
  keys: readonly OrderKey[];
  /** Row filter over alias `r` (liveness, visibility, where). */
  filters: Sql;
  /** Conditions every result satisfies (top-level conjuncts of where and visibility). */
  required: readonly Cond[];
  position: readonly CursorValue[] | undefined;
  limit: number;
}

function conjuncts(c: Cond, out: Cond[] = []): Cond[] {
  if (c.k === 'and') c.of.forEach((x) => conjuncts(x, out));
  else out.push(c);
  return out;
}

export class OrderedWalk {
  private readonly out: KeyRow[] = [];
  private from: Sql | undefined;
  private chunk = FIRST_CHUNK;
  private scanned = 0;

  private constructor(
    private readonly input: WalkInput,
    /** Index-range terms: pid and the bounds where the walk starts. */
    private readonly range: Sql[],
    /** The parameter is required by a condition, so rows without it cannot match. */
    private readonly required: boolean,
    /** Checks of other index conditions made on the walked index row, before joining resources. */
    private readonly early: Sql[],
  ) {}

  /** A walk for this search, or undefined when its sort parameter is not one date per resource. */
  static open(input: WalkInput): OrderedWalk | undefined {
    const { db, compiler, keys, position } = input;
    const pid = compiler.pids([input.type], input.param)[0];
    if (pid === undefined) return undefined;
    const shape = input.params.shape(db, pid);
    if (!shape || shape.maxCount > 1 || shape.shapes !== SHAPE_DATE) return undefined;
    if (position && position[0] === null) return undefined; // already among the rows without a value

    const desc = keys[0]!.desc;
    const lo = raw('w.lo');
    // With one value per resource, every top-level condition on the parameter holds on that value,
    // so together they bound the walked dates (date-range.ts). Only the bound where the walk starts
    // is left usable by the index (`+w.lo` for the other): SQLite takes one bound per side for the
    // range, and the chunk's own end must be the one it stops at.
    // With a cursor, the cursor is where the walk starts.
    const range: Sql[] = [sql`w.pid = ${pid}`];
    const req = requiredRange(input.required.flatMap((x) => conjuncts(x)), input.param, shape.maxSpan);
    const required = req !== undefined;
    const startAt = (s: Sql) => (position ? sql`+${s}` : s);
    if (req && Number.isFinite(req.range.min)) range.push(desc ? sql`+${lo} >= ${req.range.min}` : sql`${startAt(lo)} >= ${req.range.min}`);
    if (req && Number.isFinite(req.range.max)) range.push(desc ? sql`${startAt(lo)} <= ${req.range.max}` : sql`+${lo} <= ${req.range.max}`);
    if (position) range.push(desc ? sql`${lo} <= ${position[0]!}` : sql`${lo} >= ${position[0]!}`);
    // The most selective-looking other index condition is checked on the walked row itself (a seek
    // of idx's clustered key), so most rows are dropped before resources is even read.
    const others = input.required.flatMap((x) => conjuncts(x)).filter((c) => c.k === 'idx' && c.p !== input.param);
    const early = others.sort((a, b) => rank(a) - rank(b)).slice(0, 1)
      .map((c) => compiler.cond(c, { alias: 'w', types: [input.type], depth: 0 }));
    return new OrderedWalk(input, range, required, early);
  }

  /**
   * Walks on until `budget` index rows in all have been examined. Returns the page when it is
   * complete, 'more' when the budget ran out first, 'no' when the walk cannot give the page.
   */
  advance(budget: number): KeyRow[] | 'more' | 'no' {
    const { db, compiler, keys, position, limit } = this.input;
    const desc = keys[0]!.desc;
    const lo = raw('w.lo');
    const dir = raw(desc ? 'DESC' : 'ASC');
    // Outside the chunk's index scan the walked date is `ww.lo` (see below).
    const exprs = keys.map((k, i) => (i === 0 ? raw('ww.lo') : k.expr));
    const select = join(keys.map((_, i) => sql`${exprs[i]!} AS ${raw(`k${i}`)}`), ', ');
    const order = orderBy(keys, exprs);
    const cursor = position ? after(keys, exprs, position) : undefined;

    for (;;) {
      const chunk = Math.min(this.chunk, budget - this.scanned);
      if (chunk <= 0) return 'more';
      const bounds = compiler.and([...this.range, ...(this.from ? [this.from] : [])]);
      // The chunk ends at a date value and includes every row with that value.
      const edge = db.get<{ lo: number }>(
        sql`SELECT w.lo AS lo FROM idx w WHERE ${bounds} ORDER BY w.lo ${dir} LIMIT 1 OFFSET ${chunk - 1}`,
      );
      const upTo = edge ? [desc ? sql`${lo} >= ${edge.lo}` : sql`${lo} <= ${edge.lo}`] : [];
      // The chunk's index rows are narrowed by the early checks first (MATERIALIZED keeps SQLite from
      // reading each row's resource before those checks), then joined and checked in full.
      const chunkRows = sql`SELECT w.rk AS rk, w.lo AS lo FROM idx w WHERE ${compiler.and([bounds, ...upTo, ...this.early])}`;
      const where = compiler.and([this.input.filters, ...(cursor ? [cursor] : [])]);
      const rows = db.all<KeyRow>(
        sql`WITH ww AS MATERIALIZED (${chunkRows}) SELECT r.rk AS rk, ${select} FROM ww CROSS JOIN resources r ON r.rk = ww.rk WHERE ${where} ORDER BY ${order} LIMIT ${rowCount(limit - this.out.length)}`,
      );
      this.out.push(...rows);
      if (this.out.length >= limit) return this.out;
      // Out of dated rows: done, unless rows without the parameter (last in the order) could follow.
      if (!edge) return this.required ? this.out : 'no';
      this.scanned += chunk;
      this.from = desc ? sql`${lo} < ${edge.lo}` : sql`${lo} > ${edge.lo}`;
      this.chunk = Math.min(MAX_CHUNK, this.chunk * 4);
    }
  }
}

/**
 * The page by the ordered walk, or undefined when the drivers should be used. At each probe stage,
 * if no driver is known to be below the stage's limit, the walk may examine a quarter as many index
 * rows as that limit (a walked row costs about what a driver row does, and the driver, once chosen,
 * is usually well below the limit); a driver known to be small ends the race.
 */
export function walkPage(planner: Planner, candidates: readonly Candidate[], input: WalkInput): KeyRow[] | undefined {
  const walk = OrderedWalk.open(input);
  if (!walk) return undefined;
  if (candidates.length === 0) {
    // The alternative is a scan of the whole type: walk as far as it takes.
    const r = walk.advance(Infinity);
    return Array.isArray(r) ? r : undefined;
  }
  for (const stage of PROBE_STAGES) {
    if (planner.probeStage(candidates, stage)) return undefined;
    const last = stage === PROBE_STAGES[PROBE_STAGES.length - 1];
    const r = walk.advance(last ? Infinity : stage / 4);
    if (r === 'no') return undefined;
    if (r !== 'more') return r;
  }
  return undefined;
}
