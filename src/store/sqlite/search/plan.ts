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
// A capped count of each driver ("fewer than PROBE_CAP rows?") picks the most selective; its rows
// are joined to resources first and every other condition is a per-row seek. When all drivers are
// large and the order is one a resources index delivers (_id, _lastUpdated), walking that index and
// stopping after one page beats collecting the candidates, so the page query does that instead.
import type { Cond } from '../../../domain/search-types.js';
import { list, raw, sql, type Sql } from '../sql.js';
import type { Statements } from '../statements.js';
import type { CondCompiler, Scope } from './compile.js';
import { isIndexable } from './field-test.js';

export const PROBE_CAP = 1000;
/** A driver this small cannot be meaningfully beaten; stop probing. */
const GOOD_ENOUGH = 16;

export interface Driver {
  /** `SELECT <rk> AS rk ...` (rows may repeat). */
  rows: Sql;
  /** min(row count, PROBE_CAP). */
  estimate: number;
}

export interface Plan {
  /** FROM clause for the page query (binds alias `r`). */
  pageFrom: Sql;
  /** FROM clause for the total count. */
  countFrom: Sql;
}

function conjuncts(c: Cond, out: Cond[] = []): Cond[] {
  if (c.k === 'and') c.of.forEach((x) => conjuncts(x, out));
  else out.push(c);
  return out;
}

/** FROM clause that joins resources (alias) to the driver's rows; CROSS JOIN makes them the outer loop. */
export function drivenFrom(rows: Sql, alias: string): Sql {
  const d = raw(`d_${alias}`);
  return sql`(SELECT DISTINCT rk FROM (${rows})) ${d} CROSS JOIN resources ${raw(alias)} ON ${raw(alias)}.rk = ${d}.rk`;
}

export class Planner {
  constructor(private readonly db: Statements, private readonly compiler: CondCompiler) {}

  /**
   * The page and count plans for the top-level scope `r`.
   * @param required  conditions every result satisfies
   * @param orderByIndex whether the requested order is one a resources index delivers
   */
  plan(scope: Scope, required: readonly Cond[], orderByIndex: boolean): Plan {
    const scan = sql`resources ${raw(scope.alias)}`;
    const best = this.best(scope, required);
    if (!best) return { pageFrom: scan, countFrom: scan };
    const driven = drivenFrom(best.rows, scope.alias);
    return { pageFrom: orderByIndex && best.estimate >= PROBE_CAP ? scan : driven, countFrom: driven };
  }

  /** The most selective driver among the conjuncts of `conds`, if any can drive. */
  best(scope: Scope, conds: readonly Cond[]): Driver | undefined {
    let best: Driver | undefined;
    for (const c of conds.flatMap((x) => conjuncts(x))) {
      const rows = this.candidate(c, scope);
      if (!rows) continue;
      const estimate = this.probe(rows);
      if (!best || estimate < best.estimate) best = { rows, estimate };
      if (best.estimate <= GOOD_ENOUGH) break;
    }
    return best;
  }

  private probe(rows: Sql): number {
    return this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (${rows} LIMIT ${PROBE_CAP})`)!.n;
  }

  private candidate(c: Cond, scope: Scope): Sql | undefined {
    const compiler = this.compiler;
    switch (c.k) {
      case 'idx':
        return c.tests.some(isIndexable) ? compiler.idxRows(c, scope.types) : undefined;
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
    const driver = this.best(scope, required);
    if (!driver || driver.estimate >= PROBE_CAP) return undefined;
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
