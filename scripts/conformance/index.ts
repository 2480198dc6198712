// The runner's programmatic API: run suites against a server, print the report, write the
// TestReport and JUnit files. The CLI (cli.ts) and the CI test both go through runConformance.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJUnit } from './junit.js';
import { DEFAULT_FIXTURES_DIR, listSuites, loadSuite } from './load-suite.js';
import { formatSuite, formatSummary } from './report.js';
import { runSuite, type RunOptions } from './runner.js';
import { toTestReport } from './test-report.js';
import type { SuiteResult } from './types.js';
import { builtinVariables } from './variables.js';

export interface ConformanceOptions extends Omit<RunOptions, 'builtins'> {
  /** Suite names (folders under the fixtures folder); default: every suite. */
  suites?: string[];
  fixturesDir?: string;
  /** Where `TestReport-<suite>.json` and `junit-<suite>.xml` go; nothing is written without it. */
  outDir?: string;
  /** The run's id (default: generated); suites use it to make their resources unique to the run. */
  runId?: string;
  /** Receives the readable report, suite by suite (default: nothing printed). */
  log?: (text: string) => void;
  verbose?: boolean;
}

export interface ConformanceRun {
  results: SuiteResult[];
  passed: boolean;
  /** Files written to outDir. */
  files: string[];
}

export async function runConformance(opts: ConformanceOptions): Promise<ConformanceRun> {
  const dir = opts.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const names = opts.suites?.length ? opts.suites : listSuites(dir);
  // Every suite is read before the first request, so a broken file stops the run before it starts.
  const suites = names.map((n) => loadSuite(n, dir));
  const builtins = builtinVariables(new Date(), opts.runId);
  const results: SuiteResult[] = [];
  const files: string[] = [];
  if (opts.outDir) mkdirSync(opts.outDir, { recursive: true });
  for (const suite of suites) {
    const run: RunOptions = { base: opts.base, builtins };
    if (opts.token) run.token = opts.token;
    if (opts.vars) run.vars = opts.vars;
    if (opts.fetch) run.fetch = opts.fetch;
    if (opts.timeoutMs) run.timeoutMs = opts.timeoutMs;
    const result = await runSuite(suite, run);
    results.push(result);
    opts.log?.(formatSuite(result, { verbose: opts.verbose === true }));
    if (opts.outDir) {
      const report = join(opts.outDir, `TestReport-${suite.name}.json`);
      const junit = join(opts.outDir, `junit-${suite.name}.xml`);
      writeFileSync(report, JSON.stringify(toTestReport(result), null, 2) + '\n');
      writeFileSync(junit, toJUnit(result));
      files.push(report, junit);
    }
  }
  opts.log?.(formatSummary(results));
  return { results, passed: results.every((r) => r.result === 'pass'), files };
}

export { listSuites, loadSuite, DEFAULT_FIXTURES_DIR } from './load-suite.js';
export type { SuiteResult } from './types.js';
