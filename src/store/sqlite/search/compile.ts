// Compiles the engine-neutral Cond language to SQL over the resources/idx tables.
//
// Every condition is a boolean SQL expression about one `resources` row (the scope alias). Index
// conditions are correlated EXISTS probes on idx's clustered key (rk, pid, ...), chain and has are
// correlated EXISTS over the referenced / referencing resources. No three-valued logic leaks out:
// EXISTS, IN over non-null columns and 0/1 literals are never NULL, so `not` is plain NOT.
//
// Visibility: every resources row a query can reach — the searched rows, chain targets, has sources —
// goes through `live(...)`, which also applies the visibility condition of the row's type. A type
// absent from a present visibility map is invisible. A visibility condition is the policy's own
// question about the data ("is this patient registered with my practice?"), not a disclosure: the
// resources it reaches are tested for liveness only, never for visibility themselves (a scope
// marked `policy`), which lets one type's rule look at another type whose rule looks back.
import type { Cond } from '../../../domain/search-types.js';
import { errors } from '../../../domain/errors.js';
import type { ParamIds } from '../params.js';
import type { Statements } from '../statements.js';
import { FALSE_SQL, TRUE_SQL, join, list, raw, sql, type Sql } from '../sql.js';
import { dateBounds, fieldTests } from './field-test.js';

/** Deepest nesting of chain/has scopes (including those inside visibility conditions). */
const MAX_DEPTH = 8;

export interface Scope {
  /** Alias of a `resources` row. */
  alias: string;
  /** The types that row can have here (pids of a parameter are per type). */
  types: readonly string[];
  depth: number;
  /** Inside a visibility condition: reached rows are not themselves subject to visibility. */
  policy?: boolean;
}

export class CondCompiler {
  private next = 0;

  constructor(
    private readonly db: Statements,
    private readonly params: ParamIds,
    private readonly visibility: Record<string, Cond> | undefined,
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.next++}`;
  }

  /** The types of `types` that the visibility map lets be seen at all. */
  visibleTypes(types: readonly string[]): string[] {
    const vis = this.visibility;
    return vis ? types.filter((t) => Object.prototype.hasOwnProperty.call(vis, t) && vis[t] !== undefined) : [...types];
  }

  /** The visibility condition of a single visible type (what every row of it must satisfy), if any. */
  visibilityOf(visibleTypes: readonly string[]): Cond | undefined {
    return this.visibility && visibleTypes.length === 1 ? this.visibility[visibleTypes[0]!] : undefined;
  }

  pids(types: readonly string[], code: string): number[] {
    return this.params.lookupAll(this.db, types, code);
  }

  /**
   * The row is current and live, of one of `types`, and visible. The type test comes first as a
   * plain `type IN (...)` so the planner can use it with the (type, ...) indexes.
   */
  live(scope: Scope): Sql {
    const a = raw(scope.alias);
    const types = scope.policy ? [...scope.types] : this.visibleTypes(scope.types);
    if (types.length === 0) return FALSE_SQL;
    const typeTest = types.length === 1 ? sql`${a}.type = ${types[0]!}` : sql`${a}.type IN ${list(types)}`;
    const parts = [sql`${a}.deleted = 0`, typeTest];
    if (this.visibility && !scope.policy) {
      const vis = this.visibility;
      if (types.length === 1) {
        parts.push(this.cond(vis[types[0]!]!, { ...scope, types, policy: true }));
      } else {
        parts.push(this.or(types.map((t) => sql`(${a}.type = ${t} AND ${this.cond(vis[t]!, { ...scope, types: [t], policy: true })})`)));
      }
    }
    return this.and(parts);
  }

  cond(c: Cond, scope: Scope): Sql {
    switch (c.k) {
      case 'true':
        return TRUE_SQL;
      case 'false':
        return FALSE_SQL;
      case 'and':
        return this.and(c.of.map((x) => this.cond(x, scope)));
      case 'or':
        return this.or(c.of.map((x) => this.cond(x, scope)));
      case 'not':
        return sql`NOT ${this.cond(c.of, scope)}`;
      case 'id':
        return c.ids.length === 0 ? FALSE_SQL : sql`${raw(scope.alias)}.id IN ${list(c.ids)}`;
      case 'idx':
        return this.idx(c, scope);
      case 'chain':
        return this.chain(c, scope);
      case 'has':
        return this.has(c, scope);
      case 'policy':
        return this.cond(c.of, { ...scope, policy: true });
      default: {
        const never: never = c;
        throw errors.badRequest(`Unknown search condition ${JSON.stringify(never)}`);
      }
    }
  }

  /** `x.pid = ?` / `x.pid IN (...)`, or undefined when no searched type has the parameter. */
  pidTest(x: string, types: readonly string[], code: string): Sql | undefined {
    const pids = this.pids(types, code);
    if (pids.length === 0) return undefined;
    return pids.length === 1 ? sql`${raw(x)}.pid = ${pids[0]!}` : sql`${raw(x)}.pid IN ${list(pids)}`;
  }

  private idx(c: Extract<Cond, { k: 'idx' }>, scope: Scope): Sql {
    const x = this.fresh('x');
    const pid = this.pidTest(x, scope.types, c.p);
    if (!pid) return FALSE_SQL;
    const where = this.and([sql`${raw(x)}.rk = ${raw(scope.alias)}.rk`, pid, ...fieldTests(x, c.tests, 'seek')]);
    return sql`EXISTS (SELECT 1 FROM idx ${raw(x)} WHERE ${where})`;
  }

  /**
   * The idx rows (alias and WHERE terms) whose rk are the resources with a value satisfying `c` —
   * a search driver; `SELECT alias.rk FROM idx alias WHERE where` may repeat rks.
   */
  idxRows(c: Extract<Cond, { k: 'idx' }>, types: readonly string[]): { alias: string; where: Sql } | undefined {
    const x = this.fresh('x');
    const pids = this.pids(types, c.p);
    const pid = this.pidTest(x, types, c.p);
    if (!pid) return undefined;
    const tests = fieldTests(x, c.tests, 'range');
    if (c.tests.some((t) => t.f === 'hi')) tests.push(...dateBounds(x, c.tests, this.params.maxSpan(this.db, pids)));
    return { alias: x, where: this.and([pid, ...tests]) };
  }

  private enter(scope: Scope): number {
    const depth = scope.depth + 1;
    if (depth > MAX_DEPTH) {
      throw errors.badRequest('Search nests chained/reverse-chained conditions too deeply (or visibility rules refer to each other in a cycle)');
    }
    return depth;
  }

  /**
   * The reference values of p ("Type/id") name a live, visible resource of one of c.types that
   * satisfies c.where. The target is found through resources(type, id) by splitting the value.
   */
  private chain(c: Extract<Cond, { k: 'chain' }>, scope: Scope): Sql {
    const depth = this.enter(scope);
    const x = this.fresh('x');
    const t = this.fresh('t');
    const X = raw(x);
    const T = raw(t);
    const pid = this.pidTest(x, scope.types, c.p);
    if (!pid) return FALSE_SQL;
    const target: Scope = { alias: t, types: c.types, depth, ...(scope.policy ? { policy: true } : {}) };
    const live = this.live(target);
    if (live === FALSE_SQL) return FALSE_SQL;
    const where = this.and([
      sql`${X}.rk = ${raw(scope.alias)}.rk`,
      pid,
      sql`${T}.type = substr(${X}.s, 1, instr(${X}.s, '/') - 1)`,
      sql`${T}.id = substr(${X}.s, instr(${X}.s, '/') + 1)`,
      live,
      this.cond(c.where, target),
    ]);
    return sql`EXISTS (SELECT 1 FROM idx ${X}, resources ${T} WHERE ${where})`;
  }

  /** Some live, visible resource of c.type whose reference parameter c.p is "ThisType/thisId" satisfies c.where. */
  private has(c: Extract<Cond, { k: 'has' }>, scope: Scope): Sql {
    const depth = this.enter(scope);
    const x = this.fresh('x');
    const h = this.fresh('h');
    const X = raw(x);
    const H = raw(h);
    const pid = this.pidTest(x, [c.type], c.p);
    if (!pid) return FALSE_SQL;
    const source: Scope = { alias: h, types: [c.type], depth, ...(scope.policy ? { policy: true } : {}) };
    const live = this.live(source);
    if (live === FALSE_SQL) return FALSE_SQL;
    const a = raw(scope.alias);
    const where = this.and([
      pid,
      sql`${X}.s = ${a}.type || '/' || ${a}.id`,
      live,
      this.cond(c.where, source),
    ]);
    return sql`EXISTS (SELECT 1 FROM idx ${X} JOIN resources ${H} ON ${H}.rk = ${X}.rk WHERE ${where})`;
  }

  and(parts: Sql[]): Sql {
    if (parts.some((p) => p === FALSE_SQL)) return FALSE_SQL;
    const rest = parts.filter((p) => p !== TRUE_SQL);
    if (rest.length === 0) return TRUE_SQL;
    return rest.length === 1 ? rest[0]! : sql`(${join(rest, ' AND ')})`;
  }

  or(parts: Sql[]): Sql {
    if (parts.some((p) => p === TRUE_SQL)) return TRUE_SQL;
    const rest = parts.filter((p) => p !== FALSE_SQL);
    if (rest.length === 0) return FALSE_SQL;
    return rest.length === 1 ? rest[0]! : sql`(${join(rest, ' OR ')})`;
  }
}
