// The console report: per suite, each test with pass/fail and, for anything that failed, every step
// of it with the reason, so a tester sees what the server answered without opening the TestReport.
import type { ActionOutcome, ActionResult, SuiteResult } from './types.js';

const MARK: Record<ActionOutcome, string> = { pass: '✔', fail: '✘', error: '✘', skip: '-', warning: '!' };

function action(a: ActionResult, indent: string): string {
  const head = a.kind === 'operation' ? a.title : `assert ${a.title}`;
  return `${indent}${MARK[a.result]} ${head}${a.result === 'skip' ? '' : ` — ${a.message}`}`;
}

function steps(n: number): string {
  return `${n} step${n === 1 ? '' : 's'}`;
}

function phase(name: string, list: ActionResult[], verbose: boolean): string[] {
  if (list.length === 0) return [];
  const bad = list.some((a) => a.result === 'fail' || a.result === 'error' || a.result === 'warning');
  if (!bad && !verbose) return [`  ${name}: ${steps(list.length)} passed`];
  return [`  ${name}:`, ...list.map((a) => action(a, '      '))];
}

export function formatSuite(r: SuiteResult, opts: { verbose?: boolean } = {}): string {
  const verbose = opts.verbose === true;
  const lines = [`● ${r.suite} — ${r.scriptName}  (${r.base}, runId ${r.runId})`];
  lines.push(...phase('setup', r.setup, verbose));
  for (const t of r.tests) {
    const mark = t.result === 'pass' ? MARK.pass : t.result === 'fail' ? MARK.fail : MARK.skip;
    lines.push(`  ${mark} ${t.name} (${steps(t.actions.length)}, ${t.durationMs} ms)`);
    if (t.result === 'fail' || verbose || t.actions.some((a) => a.result === 'warning')) lines.push(...t.actions.map((a) => action(a, '      ')));
  }
  lines.push(...phase('teardown', r.teardown, verbose));
  for (const n of r.notes) lines.push(`  note: ${n}`);
  const passed = r.tests.filter((t) => t.result === 'pass').length;
  lines.push(`  ${r.result === 'pass' ? 'PASS' : 'FAIL'} ${r.suite}: ${passed}/${r.tests.length} tests passed${r.setup.some((a) => a.result === 'fail' || a.result === 'error') ? ', setup failed' : ''} (${(r.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

export function formatSummary(results: SuiteResult[]): string {
  const failed = results.filter((r) => r.result === 'fail');
  const tests = results.reduce((n, r) => n + r.tests.length, 0);
  const passedTests = results.reduce((n, r) => n + r.tests.filter((t) => t.result === 'pass').length, 0);
  const head = `${results.length - failed.length}/${results.length} suites passed, ${passedTests}/${tests} tests`;
  return failed.length ? `${head}; failed: ${failed.map((r) => r.suite).join(', ')}` : head;
}
