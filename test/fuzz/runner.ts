// Runs cases [first, first + count) of a seed against a listening Envelope over `concurrency`
// keep-alive connections, judging every answer (./oracle.ts). Collects failures with everything
// needed to replay them, and counts answers by family and status.
import type { Credentials, FuzzCase } from './case.js';
import { describeCase, generateCase } from './generator.js';
import { judge } from './oracle.js';
import { ConnectionLost, RawConnection, type RawResponse } from './raw-http.js';

export interface FuzzTarget {
  host: string;
  port: number;
  creds: Credentials;
}

export interface FuzzOptions {
  seed: number;
  first?: number;
  count: number;
  concurrency?: number;
  /** Keep the details of at most this many failures per distinct problem (default 3); all are counted. */
  examplesPerProblem?: number;
  /** Called every `progressEvery` cases (default 5000) with the number done. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

export interface FuzzFailure {
  seed: number;
  index: number;
  problem: string;
  request: string;
  response: string;
}

export interface FuzzReport {
  cases: number;
  ms: number;
  /** Failing cases counted, all of them. */
  failed: number;
  /** Examples: the first few of each distinct problem (family + problem text). */
  failures: FuzzFailure[];
  /** family + problem → how many cases failed that way */
  problems: Map<string, number>;
  /** family → status → count */
  statuses: Map<string, Map<number, number>>;
}

function describeResponse(res: RawResponse | undefined): string {
  if (!res) return 'no answer';
  return `${res.status} ${res.headers['content-type'] ?? ''} ${JSON.stringify(res.body.subarray(0, 400).toString('utf8'))}`;
}

export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const first = opts.first ?? 0;
  const end = first + opts.count;
  const examples = opts.examplesPerProblem ?? 3;
  const every = opts.progressEvery ?? 5000;
  const report: FuzzReport = { cases: 0, ms: 0, failed: 0, failures: [], problems: new Map(), statuses: new Map() };
  const started = performance.now();
  let next = first;

  const count = (family: string, status: number) => {
    const byStatus = report.statuses.get(family) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    report.statuses.set(family, byStatus);
  };
  const fail = (index: number, c: FuzzCase, problem: string, res?: RawResponse) => {
    report.failed++;
    const key = `[${c.family}] ${problem}`;
    const seen = report.problems.get(key) ?? 0;
    report.problems.set(key, seen + 1);
    if (seen < examples) report.failures.push({ seed: opts.seed, index, problem: key, request: describeCase(c), response: describeResponse(res) });
  };

  const worker = async () => {
    const conn = new RawConnection(target.host, target.port);
    try {
      while (next < end) {
        const index = next++;
        const c = generateCase(opts.seed, index, target.creds);
        let res: RawResponse | undefined;
        try {
          res = await conn.send({ method: c.method, target: c.target, headers: c.headers, ...(c.body ? { body: c.body } : {}) });
        } catch (e) {
          conn.close();
          fail(index, c, e instanceof ConnectionLost ? `the connection closed without an answer (${e.message})` : `no answer: ${e instanceof Error ? e.message : String(e)}`);
          count(c.family, 0);
          continue;
        }
        count(c.family, res.status);
        const problem = judge(c, res);
        if (problem !== undefined) fail(index, c, problem, res);
        report.cases++;
        if (report.cases % every === 0) opts.onProgress?.(report.cases);
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  report.ms = performance.now() - started;
  report.failures.sort((a, b) => a.index - b.index);
  return report;
}

/** The distinct problems with their counts, then examples, each with the command that replays it. */
export function formatFailures(report: FuzzReport, limit = 10): string {
  const problems = [...report.problems].sort(([, a], [, b]) => b - a).map(([p, n]) => `  ${n} × ${p}`).join('\n');
  const cases = report.failures.slice(0, limit).map((f) =>
    `case ${f.index} (replay: node dist/scripts/fuzz.js --seed ${f.seed} --case ${f.index}): ${f.problem}\n  request:  ${f.request}\n  response: ${f.response}`).join('\n');
  return `${problems}\n${cases}`;
}

/** Answers by family and status, one line per family. */
export function formatStatuses(report: FuzzReport): string {
  return [...report.statuses].sort(([a], [b]) => a.localeCompare(b))
    .map(([family, byStatus]) => `${family}: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`).join('\n');
}
