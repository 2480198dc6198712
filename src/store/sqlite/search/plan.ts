// Choosing how a search finds its candidate rows.
//
// SQLite's planner cannot turn correlated EXISTS conditions into a driving index scan, and without
// knowing which value is rare it cannot tell `status=free` (half the slots) from `schedule=X` (a few
// hundred). So the store decides. Each top-level condition that can be answered from an index
// yields a "driver": a query for (a superset of) the rk of the resources satisfying it —
//   idx with a range-able test → a range of one partial idx index;
//   id                         → resources(type, id);
//   or of drivable branches    → the union of theirs;
//   chain / has                → the referenced / referencing side's own driver, mapped across the
//                                reference, when that side is itself selective.
// Counting a driver's rows is cheap next to using it (an index entry each, against several seeks
// per row), so drivers are counted in stages — up to 2,000 rows, then 20,000, then 200,000 — until
// one is known to be smaller than the others; its rows are joined to resources first and every
// other condition is a per-row seek. When the only driver is large and the order is one a resources
// index delivers (_id, _lastUpdated), walking that index and stopping after one page beats
// collecting the candidates, so the page query does that instead. (Sorting by a date parameter
// has its own walk, raced against these stages: see execute.ts and ordered-walk.ts.)
import type { Cond, FieldTest } from '../../../domain/search-types.js';
import type { ParamIds } from '../params.js';
import { SHAPE_DATE } from '../schema.js';
import { list, raw, sql, type Sql } from '../sql.js';
import type { Statements } from '../statements.js';
import type { CondCompiler, Scope } from './compile.js';
import { isBounded, loRangeOf, paramsTested, requiredRange, type LoRange } from './date-range.js';
import { isIndexable } from './field-test.js';

/** Probe limits, in order; a driver at or above the last is just "large". */
export const PROBE_STAGES = [2_000, 20_000, 200_000] as const;
/** A lone candidate at least this large under an index-delivered order: walk the index instead. */
export const WALK_THRESHOLD = 1000;
/** Intersect the driver with another condition's rows when those are at most this many times as many. */
const INTERSECT_RATIO = 10;
/** Largest referenced/referencing set a chain/has driver materialises. */
const REACHED_MAX = 1000;

export interface Plan {
  /** FROM clause for the page query (binds alias `r`). */
  pageFrom: Sql;
  /** FROM clause for the total count. */
  countFrom: Sql;
}

export interface Candidate {
  /** `SELECT <rk> AS rk ...` (rows may repeat). */
  rows: Sql;
  /** Which is likely smallest, to probe first (lower first). */
  rank: number;
  /** The condition it drives. */
  cond: Cond;
  /** For an idx condition: its index rows, which other idx conditions can filter before any join. */
  idx?: { alias: string; where: Sql };
  /** Row count once a probe saw all of them. */
  exact?: number;
  /** Rows seen so far (a lower bound while exact is unknown). */
  atLeast: number;
}

function conjuncts(c: Cond, out: Cond[] = []): Cond[] {
  if (c.k === 'and') c.of.forEach((x) => conjuncts(x, out));
  else out.push(c);
  return out;
}

/**
 * A guess at selectivity that orders the probes (and the per-row checks): ids, then equality on a
 * string/reference or on system+code, then reached sets, then ranges, then bare codes (statuses
 * are few and large), then the rest.
 */
export function rank(c: Cond): number {
  switch (c.k) {
    case 'id': return 0;
    case 'idx': {
      const eq = (f: string) => c.tests.some((t) => t.f === f && (t.op === 'eq' || t.op === 'in'));
      if (eq('s') || (eq('code') && eq('sys'))) return 1;
      if (c.tests.some((t) => t.f === 'lo' || t.f === 'hi' || t.f === 'n' || t.f === 's')) return 3;
      return 4;
    }
    case 'chain': case 'has': return 2;
    default: return 5;
  }
}

function idxSelect(idx: { alias: string; where: Sql }): Sql {
  const x = raw(idx.alias);
  return sql`SELECT ${x}.rk AS rk FROM idx ${x} WHERE ${idx.where}`;
}

/** FROM clause that joins resources (alias) to the driver's rows; CROSS JOIN makes them the outer loop. */
export function drivenFrom(rows: Sql, alias: string): Sql {
  const d = raw(`d_${alias}`);
  return sql`(SELECT DISTINCT rk FROM (${rows})) ${d} CROSS JOIN resources ${raw(alias)} ON ${raw(alias)}.rk = ${d}.rk`;
}

export class Planner {
  constructor(
    private readonly db: Statements,
    private readonly compiler: CondCompiler,
    private readonly params: ParamIds,
  ) {}

  /** The drivers the top-level conjuncts of `conds` offer, most promising first. */
  candidates(scope: Scope, conds: readonly Cond[]): Candidate[] {
    const out: Candidate[] = [];
    const flat = conds.flatMap((x) => conjuncts(x));
    if (scope.types.length === 1) out.push(...this.dateRanges(scope.types[0]!, flat));
    for (const c of flat) {
      if (c.k === 'idx') {
        const idx = c.tests.some(isIndexable) ? this.compiler.idxRows(c, scope.types) : undefined;
        if (idx) out.push({ rows: idxSelect(idx), rank: rank(c), cond: c, idx, atLeast: 0 });
        continue;
      }
      const rows = this.candidate(c, scope);
      if (rows) out.push({ rows, rank: rank(c), cond: c, atLeast: 0 });
    }
    return out.sort((a, b) => a.rank - b.rank);
  }

  /**
   * Counts candidates up to `limit` — never further than the smallest exact count so far, so a
   * stage costs at most (candidates) x (winner's size) index entries — and returns the smallest
   * candidate known exactly, if any is below the limit.
   */
  probeStage(candidates: readonly Candidate[], limit: number): Candidate | undefined {
    let best = this.smallestExact(candidates);
    for (const c of candidates) {
      if (c.exact !== undefined) continue;
      const cap = Math.min(limit, best?.exact ?? Infinity);
      if (c.atLeast >= cap) continue;
      this.probe(c, cap);
      if (c.exact !== undefined && (!best || c.exact < best.exact!)) best = c;
    }
    return best && best.exact! < limit ? best : undefined;
  }

  /** The smallest driver: probes stage by stage; when all are large, the most promising one. */
  best(candidates: readonly Candidate[], upTo: number = PROBE_STAGES[PROBE_STAGES.length - 1]): Candidate | undefined {
    for (const limit of PROBE_STAGES) {
      const best = this.probeStage(candidates, Math.min(limit, upTo));
      if (best || limit >= upTo) return best ?? candidates[0];
    }
    return candidates[0];
  }

  /**
   * The page and count plans for the top-level scope, given the driver to use (undefined: scan).
   * @param orderByIndex whether the requested order is one a resources index delivers
   */
  plan(scope: Scope, candidates: readonly Candidate[], orderByIndex: boolean): Plan {
    const scan = sql`resources ${raw(scope.alias)}`;
    if (candidates.length === 0) return { pageFrom: scan, countFrom: scan };
    // Walking the resources index is only safe to prefer when nothing else could narrow the rows
    // (one drivable condition); then all the probe must tell is whether that one is small.
    const walkable = orderByIndex && candidates.length === 1;
    const best = walkable ? this.best(candidates, WALK_THRESHOLD) : this.best(candidates);
    const driven = drivenFrom(this.refined(best!, candidates, scope), scope.alias);
    const walk = walkable && best!.exact === undefined;
    return { pageFrom: walk ? scan : driven, countFrom: driven };
  }

  /**
   * The driver's rows narrowed by the next most selective condition before they are de-duplicated,
   * joined to resources and checked against everything else:
   * - intersected with that condition's own rows when there are not many more of them (SQLite
   *   builds a temporary index of one side and probes it with the other, ~0.15 us a row): "this
   *   schedule's 10,000 slots" and "this week's 20,000 slots" meet in ~2.5 ms;
   * - else, for index conditions, checked by a seek of idx's clustered key per driver row (~1.8 us).
   */
  private refined(best: Candidate, candidates: readonly Candidate[], scope: Scope): Sql {
    const size = (c: Candidate) => c.exact ?? c.atLeast;
    let next: Candidate | undefined;
    for (const c of candidates) {
      if (c !== best && (!next || size(c) < size(next) || (size(c) === size(next) && c.rank < next.rank))) next = c;
    }
    if (!next) return best.rows;
    const enough = Math.min(INTERSECT_RATIO * Math.max(size(best), 1), PROBE_STAGES[PROBE_STAGES.length - 1]);
    if (next.exact === undefined && next.atLeast < enough) this.probe(next, enough + 1);
    if (next.exact !== undefined && next.exact <= enough) {
      // The temporary index is built from the smaller side; the larger is scanned against it.
      const [small, large] = next.exact < size(best) ? [next, best] : [best, next];
      return sql`SELECT rk FROM (${large.rows}) WHERE rk IN (SELECT rk FROM (${small.rows}))`;
    }
    if (!best.idx || !next.idx) return best.rows;
    const check = this.compiler.cond(next.cond, { alias: best.idx.alias, types: scope.types, depth: scope.depth });
    return idxSelect({ alias: best.idx.alias, where: this.compiler.and([best.idx.where, check]) });
  }

  /** Counts a candidate's rows up to `cap`, recording what was learnt. */
  private probe(c: Candidate, cap: number): void {
    const n = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (${c.rows} LIMIT ${cap})`)!.n;
    if (n < cap) c.exact = n;
    else c.atLeast = Math.max(c.atLeast, n);
  }

  /**
   * Drivers from the lo range date conditions force (date-range.ts): for a parameter with one value
   * per resource, the intersection over all conditions on it; otherwise the hull of an `or` of
   * conditions on it (a single idx condition is a candidate anyway).
   */
  private dateRanges(type: string, flat: readonly Cond[]): Candidate[] {
    const out: Candidate[] = [];
    const tested = new Set<string>();
    flat.forEach((c) => paramsTested(c, tested));
    for (const param of tested) {
      const pid = this.compiler.pids([type], param)[0];
      const shape = pid === undefined ? undefined : this.params.shape(this.db, pid);
      if (pid === undefined || !shape || !(shape.shapes & SHAPE_DATE)) continue;
      const single = shape.maxCount <= 1 && shape.shapes === SHAPE_DATE;
      const ranges: LoRange[] = [];
      if (single) {
        const req = requiredRange(flat, param, shape.maxSpan);
        if (req && !(req.from.length === 1 && req.from[0]!.k === 'idx')) ranges.push(req.range);
      } else {
        for (const c of flat) {
          const r = c.k === 'or' ? loRangeOf(c, param, shape.maxSpan) : undefined;
          if (r) ranges.push(r);
        }
      }
      for (const r of ranges) {
        if (!isBounded(r)) continue;
        const x = this.compiler.fresh('x');
        const X = raw(x);
        const tests: FieldTest[] = [];
        const where = [sql`${X}.pid = ${pid}`];
        if (Number.isFinite(r.min)) { where.push(sql`${X}.lo >= ${r.min}`); tests.push({ f: 'lo', op: 'ge', v: r.min }); }
        if (Number.isFinite(r.max)) { where.push(sql`${X}.lo <= ${r.max}`); tests.push({ f: 'lo', op: 'le', v: r.max }); }
        const idx = { alias: x, where: this.compiler.and(where) };
        // The range as a condition of its own: implied by the search, usable to narrow another driver.
        out.push({ rows: idxSelect(idx), rank: 3, cond: { k: 'idx', p: param, tests }, idx, atLeast: 0 });
      }
    }
    return out;
  }

  private smallestExact(candidates: readonly Candidate[]): Candidate | undefined {
    let best: Candidate | undefined;
    for (const c of candidates) if (c.exact !== undefined && (!best || c.exact < best.exact!)) best = c;
    return best;
  }

  private candidate(c: Cond, scope: Scope): Sql | undefined {
    const compiler = this.compiler;
    switch (c.k) {
      case 'idx': {
        const idx = c.tests.some(isIndexable) ? compiler.idxRows(c, scope.types) : undefined;
        return idx && idxSelect(idx);
      }
      case 'id': {
        const types = compiler.visibleTypes(scope.types);
        if (c.ids.length === 0 || types.length === 0) return undefined;
        const a = raw(compiler.fresh('i'));
        return sql`SELECT ${a}.rk AS rk FROM resources ${a} WHERE ${a}.type IN ${list(types)} AND ${a}.id IN ${list(c.ids)}`;
      }
      case 'or': {
        const branches = c.of.map((b) => this.candidate(b, scope));
        if (branches.length === 0 || branches.some((b) => !b)) return undefined;
        return sql`${branches.map((b) => b!).reduce((x, y) => sql`${x} UNION ALL ${y}`)}`;
      }
      case 'and': {
        for (const b of c.of) {
          const rows = this.candidate(b, scope);
          if (rows) return rows;
        }
        return undefined;
      }
      case 'chain':
        return this.chain(c, scope);
      case 'has':
        return this.has(c, scope);
      default:
        return undefined;
    }
  }

  /** The side a chain or has reaches, driven by its own selective condition; undefined if it has none. */
  private reached(types: readonly string[], where: Cond, depth: number): { scope: Scope; from: Sql; filter: Sql } | undefined {
    if (depth > 4) return undefined; // planning deeper buys little; the filters stay exact regardless
    const compiler = this.compiler;
    const visible = compiler.visibleTypes(types);
    if (visible.length === 0) return undefined;
    const scope: Scope = { alias: compiler.fresh('t'), types: visible, depth };
    const required = [where];
    const vis = compiler.visibilityOf(visible);
    if (vis) required.push(vis);
    const driver = this.probeStage(this.candidates(scope, required), REACHED_MAX);
    if (!driver) return undefined;
    const filter = compiler.and([compiler.live(scope), compiler.cond(where, scope)]);
    return { scope, from: drivenFrom(driver.rows, scope.alias), filter };
  }

  private chain(c: Extract<Cond, { k: 'chain' }>, scope: Scope): Sql | undefined {
    const target = this.reached(c.types, c.where, scope.depth + 1);
    if (!target) return undefined;
    const x = this.compiler.fresh('x');
    const pid = this.compiler.pidTest(x, scope.types, c.p);
    if (!pid) return undefined;
    const t = raw(target.scope.alias);
    const X = raw(x);
    return sql`SELECT ${X}.rk AS rk FROM idx ${X} WHERE ${pid} AND ${X}.s IN (SELECT ${t}.type || '/' || ${t}.id FROM ${target.from} WHERE ${target.filter})`;
  }

  private has(c: Extract<Cond, { k: 'has' }>, scope: Scope): Sql | undefined {
    const source = this.reached([c.type], c.where, scope.depth + 1);
    if (!source) return undefined;
    const compiler = this.compiler;
    const x = compiler.fresh('x');
    const pid = compiler.pidTest(x, [c.type], c.p);
    const types = compiler.visibleTypes(scope.types);
    if (!pid || types.length === 0) return undefined;
    const X = raw(x);
    const h = raw(source.scope.alias);
    const q = raw(compiler.fresh('q'));
    const a = raw(compiler.fresh('a'));
    const refs = sql`SELECT DISTINCT ${X}.s AS s FROM ${source.from} JOIN idx ${X} ON ${X}.rk = ${h}.rk AND ${pid} WHERE ${source.filter}`;
    return sql`SELECT ${a}.rk AS rk FROM (${refs}) ${q} CROSS JOIN resources ${a} ON ${a}.type = substr(${q}.s, 1, instr(${q}.s, '/') - 1) AND ${a}.id = substr(${q}.s, instr(${q}.s, '/') + 1) WHERE ${a}.type IN ${list(types)}`;
  }
}
