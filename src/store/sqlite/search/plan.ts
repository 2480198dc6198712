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
//                                reference, when that side is itself selective;
//   date conditions            → the lo range they force, merged across conditions on a parameter
//                                with one value per resource (date-range.ts).
// Counting a driver's rows is cheap next to using it (an index entry each, against several seeks
// per row), so drivers are counted in stages — up to 2,000 rows, then 20,000, then 200,000 — until
// one is known to be smaller than the others (recent counts are remembered: probe-cache.ts). The
// winner is narrowed by the next condition (intersected with its rows, or checked per row on the
// index), joined to resources, and every condition it does not already guarantee is a per-row seek.
// When the only driver is large and the order is one a resources index delivers (_id,
// _lastUpdated), walking that index and stopping after one page beats collecting the candidates, so
// the page query does that instead. (Sorting by a date parameter has its own walk, raced against
// these stages: see ordered-walk.ts.)
import type { Cond, FieldTest } from '../../../domain/search-types.js';
import type { ParamIds } from '../params.js';
import { PRINCIPAL_DATES, SHAPE_DATE } from '../schema.js';
import { join, list, raw, rowCount, sql, type Sql } from '../sql.js';
import type { Statements } from '../statements.js';
import type { CondCompiler, Scope } from './compile.js';
import type { ProbeCache } from './probe-cache.js';
import { isBounded, loRangeOf, onlyTests, paramsTested, requiredRange, type LoRange } from './date-range.js';
import { fieldTests, isIndexable } from './field-test.js';

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
  /** Conditions every row of the page's FROM (when driven) and the count's FROM satisfies already. */
  satisfied: Cond[];
}

export interface Candidate {
  /** `SELECT <rk> AS rk ...` (rows may repeat). */
  rows: Sql;
  /** A cheaper query for about as many rows, counted instead of `rows` when sizing the candidate. */
  probeRows?: Sql;
  /** Which is likely smallest, to probe first (lower first). */
  rank: number;
  /** The condition it drives. */
  cond: Cond;
  /** Top-level conditions its rows satisfy exactly (the search need not test them again). */
  satisfies: Cond[];
  /**
   * For an index condition: its index rows (`where` selects them; `post`, when set, are further
   * per-row tests best applied after cheaper filters), which other conditions can narrow before
   * any join.
   */
  idx?: IdxRows;
  /**
   * Row count once a probe saw all of them (of probeRows when set: a size, not a guarantee; for ids,
   * an upper bound). Only ever used to choose drivers.
   */
  exact?: number;
  /** Rows seen so far (a lower bound while exact is unknown). */
  atLeast: number;
}

/** The leaves of nested `and`s. */
export function conjuncts(c: Cond, out: Cond[] = []): Cond[] {
  if (c.k === 'and') c.of.forEach((x) => conjuncts(x, out));
  else out.push(c);
  return out;
}

/**
 * A guess at selectivity that orders the probes (and the per-row checks): ids, then equality on a
 * string/reference, then reached sets, then ranges and system|code, then bare codes (statuses are
 * few and large), then the rest.
 */
export function rank(c: Cond): number {
  switch (c.k) {
    case 'id': return 0;
    case 'idx': {
      const eq = (f: string) => c.tests.some((t) => t.f === f && (t.op === 'eq' || t.op === 'in'));
      // A reference or string is usually rare; a system|code may be (an identifier) or not (a
      // service type), so it goes with the ranges — a stage-1 probe finds a rare one anyway.
      if (eq('s')) return 1;
      if (c.tests.some((t) => t.f === 'lo' || t.f === 'hi' || t.f === 'n' || t.f === 's')) return 3;
      return 4;
    }
    case 'chain': case 'has': return 2;
    default: return 5;
  }
}

interface IdxRows {
  alias: string;
  where: Sql;
  post?: Sql;
}

/** The rk of an index candidate's rows, with `extra` filters tested between `where` and `post`. */
function idxSelect(idx: IdxRows, ...extra: Sql[]): Sql {
  const x = raw(idx.alias);
  const parts = [idx.where, ...extra, ...(idx.post ? [idx.post] : [])];
  return sql`SELECT ${x}.rk AS rk FROM idx ${x} WHERE ${join(parts, ' AND ')}`;
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
    private readonly probes?: ProbeCache,
  ) {}

  /** The drivers the top-level conjuncts of `conds` offer, most promising first. */
  candidates(scope: Scope, conds: readonly Cond[]): Candidate[] {
    const out: Candidate[] = [];
    const flat = conds.flatMap((x) => conjuncts(x));
    if (scope.types.length === 1) {
      out.push(...this.dateRanges(scope.types[0]!, flat));
      out.push(...this.composites(scope, flat));
    }
    for (const c of flat) {
      if (c.k === 'idx') {
        const idx = c.tests.some(isIndexable) ? this.compiler.idxRows(c, scope.types) : undefined;
        if (idx) out.push({ rows: idxSelect(idx), rank: rank(c), cond: c, satisfies: [c], idx, atLeast: 0 });
        continue;
      }
      const d = this.candidate(c, scope);
      if (!d) continue;
      const cand: Candidate = { rows: d.rows, rank: rank(c), cond: c, satisfies: d.exact ? [c] : [], atLeast: 0 };
      // Ids name at most one resource per type each: that bound sizes the driver without a count
      // query (a read's visibility check is such a search, on every read).
      if (c.k === 'id') cand.exact = new Set(c.ids).size * this.compiler.visibleTypes(scope.types).length;
      out.push(cand);
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
    if (candidates.length === 0) return { pageFrom: scan, countFrom: scan, satisfied: [] };
    // Walking the resources index is only safe to prefer when nothing else could narrow the rows
    // (one drivable condition); then all the probe must tell is whether that one is small.
    const walkable = orderByIndex && candidates.length === 1;
    const best = walkable ? this.best(candidates, WALK_THRESHOLD) : this.best(candidates);
    const refined = this.refined(best!, candidates, scope);
    const driven = drivenFrom(refined.rows, scope.alias);
    if (walkable && best!.exact === undefined) return { pageFrom: scan, countFrom: driven, satisfied: [] };
    return { pageFrom: driven, countFrom: driven, satisfied: refined.satisfies };
  }

  /**
   * The driver's rows narrowed by the next most selective condition before they are de-duplicated,
   * joined to resources and checked against everything else:
   * - intersected with that condition's own rows when there are not many more of them (SQLite
   *   builds a temporary index of one side and probes it with the other, ~0.15 us a row): "this
   *   schedule's 10,000 slots" and "this week's 20,000 slots" meet in ~2.5 ms;
   * - else, for index conditions, checked by a seek of idx's clustered key per driver row (~1.8 us).
   */
  private refined(best: Candidate, candidates: readonly Candidate[], scope: Scope): { rows: Sql; satisfies: Cond[] } {
    const size = (c: Candidate) => c.exact ?? c.atLeast;
    // The partner: the smallest known size, else the most promising rank (lower bounds from capped
    // probes say little: they stop where the best so far stopped).
    const known = (c: Candidate) => c.exact ?? Infinity;
    let next: Candidate | undefined;
    for (const c of candidates) {
      if (c === best) continue;
      if (!next || known(c) < known(next) || (known(c) === known(next) && c.rank < next.rank)) next = c;
    }
    if (!next) return { rows: best.rows, satisfies: best.satisfies };
    const both = [...best.satisfies, ...next.satisfies];
    const enough = Math.min(INTERSECT_RATIO * Math.max(size(best), 1), PROBE_STAGES[PROBE_STAGES.length - 1]);
    if (next.exact === undefined && next.atLeast < enough) this.probe(next, enough + 1);
    if (next.exact !== undefined && next.exact <= enough) {
      // The temporary index is built from the smaller side; the larger is scanned against it, the
      // membership test (a Bloom filter first) coming before any costlier per-row tests.
      const [small, large] = next.exact < size(best) ? [next, best] : [best, next];
      const member = sql`rk IN (SELECT rk FROM (${small.rows}))`;
      const rows = large.idx
        ? idxSelect(large.idx, sql`${raw(large.idx.alias)}.${member}`)
        : sql`SELECT rk FROM (${large.rows}) WHERE ${member}`;
      return { rows, satisfies: both };
    }
    if (!next.idx) return { rows: best.rows, satisfies: best.satisfies };
    // Seek: next's condition tested on each driver row (for a merged date range, the range only —
    // a superset check, so the conditions it stands for are still tested on the rows that pass).
    const alias = best.idx?.alias ?? this.compiler.fresh('d');
    const check = this.compiler.cond(next.cond, { alias, types: scope.types, depth: scope.depth });
    const rows = best.idx
      ? idxSelect(best.idx, check)
      : sql`SELECT ${raw(alias)}.rk AS rk FROM (${best.rows}) ${raw(alias)} WHERE ${check}`;
    return { rows, satisfies: [...best.satisfies, ...(next.satisfies.includes(next.cond) ? [next.cond] : [])] };
  }

  /** Counts a candidate's rows up to `cap` (or recalls a recent count), recording what was learnt. */
  private probe(c: Candidate, cap: number): void {
    const rows = c.probeRows ?? c.rows;
    const key = this.probes && `${rows.text}\u0000${JSON.stringify(rows.params)}`;
    const known = key !== undefined ? this.probes!.get(key) : undefined;
    if (known?.exact !== undefined) {
      c.exact = known.exact;
      return;
    }
    if (known && known.atLeast >= cap) {
      c.atLeast = Math.max(c.atLeast, known.atLeast);
      return;
    }
    const n = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (${rows} LIMIT ${rowCount(cap)})`)!.n;
    if (n < cap) c.exact = n;
    else c.atLeast = Math.max(c.atLeast, n);
    if (key !== undefined) this.probes!.put(key, c.exact !== undefined ? { exact: c.exact, atLeast: n } : { atLeast: c.atLeast });
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
      const ranges: { range: LoRange; from: Cond[] }[] = [];
      if (single) {
        const req = requiredRange(flat, param, shape.maxSpan);
        if (req && !(req.from.length === 1 && req.from[0]!.k === 'idx')) ranges.push(req);
      } else {
        for (const c of flat) {
          const r = c.k === 'or' ? loRangeOf(c, param, shape.maxSpan) : undefined;
          if (r) ranges.push({ range: r, from: [c] });
        }
      }
      for (const { range: r, from } of ranges) {
        if (!isBounded(r)) continue;
        const x = this.compiler.fresh('x');
        const X = raw(x);
        const tests: FieldTest[] = [];
        const where = [sql`${X}.pid = ${pid}`];
        if (Number.isFinite(r.min)) { where.push(sql`${X}.lo >= ${r.min}`); tests.push({ f: 'lo', op: 'ge', v: r.min }); }
        if (Number.isFinite(r.max)) { where.push(sql`${X}.lo <= ${r.max}`); tests.push({ f: 'lo', op: 'le', v: r.max }); }
        // The conditions themselves, tested on the same index row (the one value of the parameter,
        // or for an `or` over one parameter any value): the rows are then exactly the resources
        // satisfying them, and the search need not test them again. (`+x.lo`: the range above is
        // the one the index should use.)
        const exact = from.filter((c) => onlyTests(c, param, single));
        const range: IdxRows = { alias: x, where: this.compiler.and(where) };
        const idx: IdxRows = { ...range, post: this.compiler.and(exact.map((c) => this.rowTests(c, x))) };
        // Sizing only needs the range: counting it skips the per-row tests (about 3x cheaper).
        out.push({ rows: idxSelect(idx), probeRows: idxSelect(range), rank: 3, cond: { k: 'idx', p: param, tests }, satisfies: exact, idx, atLeast: 0 });
      }
    }
    return out;
  }

  /**
   * Drivers from the composite (pid, s, dlo) index (schema.ts): an equality on a reference/string
   * parameter, or a chain through one, narrowed to the lo range the conditions force on the type's
   * principal date (Slot.start) — usable only while that date has one value per resource, so that
   * `dlo` is that value's lo on every row of a resource that has one. The rows satisfy the equality
   * (or chain) exactly; the date conditions are a superset check here and are still tested per row.
   */
  private composites(scope: Scope, flat: readonly Cond[]): Candidate[] {
    const type = scope.types[0]!;
    const principal = PRINCIPAL_DATES[type];
    if (principal === undefined) return [];
    const pid = this.compiler.pids([type], principal)[0];
    const shape = pid === undefined ? undefined : this.params.shape(this.db, pid);
    if (!shape || shape.maxCount > 1 || shape.shapes !== SHAPE_DATE) return [];
    const req = requiredRange(flat, principal, shape.maxSpan);
    if (!req || !isBounded(req.range)) return [];
    const r = req.range;
    const window = (x: string): Sql[] => {
      const X = raw(x);
      const out: Sql[] = [];
      if (Number.isFinite(r.min)) out.push(sql`${X}.dlo >= ${r.min}`);
      if (Number.isFinite(r.max)) out.push(sql`${X}.dlo <= ${r.max}`);
      return out;
    };
    const out: Candidate[] = [];
    for (const c of flat) {
      if (c.k === 'idx' && c.p !== principal && c.tests.some((t) => t.f === 's' && (t.op === 'eq' || t.op === 'in'))) {
        const idx = this.compiler.idxRows(c, scope.types);
        if (!idx) continue;
        const narrowed: IdxRows = { alias: idx.alias, where: this.compiler.and([idx.where, ...window(idx.alias)]) };
        out.push({ rows: idxSelect(narrowed), rank: 0.5, cond: c, satisfies: [c], idx: narrowed, atLeast: 0 });
      } else if (c.k === 'chain') {
        const rows = this.chain(c, scope, window);
        if (rows) out.push({ rows, rank: 0.5, cond: c, satisfies: [c], atLeast: 0 });
      }
    }
    return out;
  }

  /** `c` (which tests one parameter only) as tests on the index row `x`. */
  private rowTests(c: Cond, x: string): Sql {
    switch (c.k) {
      case 'idx': return this.compiler.and(fieldTests(x, c.tests, 'seek'));
      case 'or': return this.compiler.or(c.of.map((b) => this.rowTests(b, x)));
      case 'and': return this.compiler.and(c.of.map((b) => this.rowTests(b, x)));
      default: throw new Error(`rowTests: ${c.k} tests more than one parameter`);
    }
  }

  private smallestExact(candidates: readonly Candidate[]): Candidate | undefined {
    let best: Candidate | undefined;
    for (const c of candidates) if (c.exact !== undefined && (!best || c.exact < best.exact!)) best = c;
    return best;
  }

  /** A driver for one condition; `exact` when its rows are exactly the resources satisfying it. */
  private candidate(c: Cond, scope: Scope): { rows: Sql; exact: boolean } | undefined {
    const compiler = this.compiler;
    switch (c.k) {
      case 'idx': {
        const idx = c.tests.some(isIndexable) ? compiler.idxRows(c, scope.types) : undefined;
        return idx && { rows: idxSelect(idx), exact: true };
      }
      case 'id': {
        const types = compiler.visibleTypes(scope.types);
        if (c.ids.length === 0 || types.length === 0) return undefined;
        const a = raw(compiler.fresh('i'));
        return { rows: sql`SELECT ${a}.rk AS rk FROM resources ${a} WHERE ${a}.type IN ${list(types)} AND ${a}.id IN ${list(c.ids)}`, exact: true };
      }
      case 'or': {
        const branches = c.of.map((b) => this.candidate(b, scope));
        if (branches.length === 0 || branches.some((b) => !b)) return undefined;
        return {
          rows: sql`${branches.map((b) => b!.rows).reduce((x, y) => sql`${x} UNION ALL ${y}`)}`,
          exact: branches.every((b) => b!.exact),
        };
      }
      case 'and': {
        for (const b of c.of) {
          const d = this.candidate(b, scope);
          if (d) return { rows: d.rows, exact: d.exact && c.of.length === 1 };
        }
        return undefined;
      }
      case 'chain': {
        const rows = this.chain(c, scope);
        return rows && { rows, exact: true };
      }
      case 'has': {
        const rows = this.has(c, scope);
        return rows && { rows, exact: true };
      }
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
    if (vis) required.push({ k: 'policy', of: vis });
    const driver = this.probeStage(this.candidates(scope, required), REACHED_MAX);
    if (!driver) return undefined;
    const filter = compiler.and([compiler.live(scope), compiler.cond(where, scope)]);
    return { scope, from: drivenFrom(driver.rows, scope.alias), filter };
  }

  /** @param narrow extra tests on the referencing idx row (alias given), e.g. a dlo window */
  private chain(c: Extract<Cond, { k: 'chain' }>, scope: Scope, narrow?: (x: string) => Sql[]): Sql | undefined {
    const target = this.reached(c.types, c.where, scope.depth + 1);
    if (!target) return undefined;
    const x = this.compiler.fresh('x');
    const pid = this.compiler.pidTest(x, scope.types, c.p);
    if (!pid) return undefined;
    const t = raw(target.scope.alias);
    const X = raw(x);
    const extra = narrow ? narrow(x).map((e) => sql` AND ${e}`) : [];
    return sql`SELECT ${X}.rk AS rk FROM idx ${X} WHERE ${pid} AND ${X}.s IN (SELECT ${t}.type || '/' || ${t}.id FROM ${target.from} WHERE ${target.filter})${join(extra, '')}`;
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
