// Observes better-sqlite3 from outside the store: wraps Statement#all/get/run and Database#exec on
// their shared prototypes so that every statement's calls, time and rows are recorded by SQL text.
// Diagnostic scripts only (it adds ~0.2 µs per call); src/ is untouched.
import Database from 'better-sqlite3';

export interface Timing {
  calls: number;
  ms: number;
  rows: number;
  /** The parameters of the first call, to replay it (EXPLAIN QUERY PLAN). */
  example: unknown[];
}

export type Method = (...args: unknown[]) => unknown;

/** better-sqlite3's Statement and Database prototypes, whose methods every connection shares. */
export function sqlitePrototypes(): { stmtProto: Record<string, Method>; dbProto: Record<string, Method> } {
  const probe = new Database(':memory:');
  try {
    return {
      stmtProto: Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, Method>,
      dbProto: Object.getPrototypeOf(probe) as Record<string, Method>,
    };
  } finally {
    probe.close();
  }
}

export function instrumentSqlite(): Map<string, Timing> {
  const timings = new Map<string, Timing>();
  const record = (sql: string, ms: number, out: unknown, args: unknown[]) => {
    let t = timings.get(sql);
    if (!t) timings.set(sql, (t = { calls: 0, ms: 0, rows: 0, example: args }));
    t.calls++;
    t.ms += ms;
    t.rows += Array.isArray(out) ? out.length : out ? 1 : 0;
  };
  const { stmtProto, dbProto } = sqlitePrototypes();
  for (const name of ['all', 'get', 'run'] as const) {
    const original = stmtProto[name]!;
    stmtProto[name] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = performance.now();
      const out = original.apply(this, args);
      record(this.source, performance.now() - t0, out, args);
      return out;
    };
  }
  const exec = dbProto.exec!;
  dbProto.exec = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const out = exec.apply(this, args);
    record(String(args[0]), performance.now() - t0, undefined, []);
    return out;
  };
  return timings;
}

/** Statements by total time, with their share of `wholeMs`. */
export function timingTable(timings: Map<string, Timing>, wholeMs: number, top = 12, width = 110): string {
  const rows = [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  return rows
    .map(([sql, t]) => {
      const text = sql.replace(/\s+/g, ' ').trim();
      return `${t.ms.toFixed(0).padStart(8)} ms ${((100 * t.ms) / wholeMs).toFixed(1).padStart(5)} % ${String(t.calls).padStart(9)} calls  ${text.length > width ? `${text.slice(0, width)}…` : text}`;
    })
    .join('\n');
}
