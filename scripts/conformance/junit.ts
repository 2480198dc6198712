// A run as JUnit XML, the format CI systems show test results in: one testsuite per suite, one
// testcase per TestScript test (plus setup or teardown when they failed), failures with the reasons.
import { isFailure, type ActionResult, type SuiteResult } from './types.js';

/** Text safe in XML 1.0 content and attribute values (control characters XML cannot carry are dropped). */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function failureText(actions: ActionResult[]): { message: string; text: string } {
  const bad = actions.filter((a) => isFailure(a.result));
  const first = bad[0]!;
  const text = actions.map((a) => `${a.result.toUpperCase().padEnd(7)} ${a.kind === 'assert' ? 'assert ' : ''}${a.title}${a.result === 'skip' ? '' : ` — ${a.message}`}`).join('\n');
  return { message: `${first.title}: ${first.message}`, text };
}

interface Case {
  name: string;
  ms: number;
  state: 'pass' | 'fail' | 'error' | 'skip';
  actions: ActionResult[];
}

function testcase(suite: string, c: Case): string {
  const open = `    <testcase classname="conformance.${xmlEscape(suite)}" name="${xmlEscape(c.name)}" time="${seconds(c.ms)}"`;
  if (c.state === 'pass') return `${open}/>`;
  if (c.state === 'skip') return `${open}>\n      <skipped message="${xmlEscape(c.actions[0]?.message ?? 'skipped')}"/>\n    </testcase>`;
  const f = failureText(c.actions);
  const tag = c.state === 'error' ? 'error' : 'failure';
  return `${open}>\n      <${tag} message="${xmlEscape(f.message)}" type="${tag === 'error' ? 'SetupError' : 'AssertionFailure'}">${xmlEscape(f.text)}</${tag}>\n    </testcase>`;
}

function cases(r: SuiteResult): Case[] {
  const out: Case[] = [];
  if (r.setup.some((a) => isFailure(a.result))) out.push({ name: 'setup', ms: 0, state: 'error', actions: r.setup });
  for (const t of r.tests) out.push({ name: t.name, ms: t.durationMs, state: t.result, actions: t.actions });
  if (r.teardown.some((a) => isFailure(a.result))) out.push({ name: 'teardown', ms: 0, state: 'error', actions: r.teardown });
  return out;
}

export function toJUnit(r: SuiteResult): string {
  const list = cases(r);
  const count = (s: Case['state']) => list.filter((c) => c.state === s).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="conformance" tests="${list.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(r.durationMs)}">`,
    `  <testsuite name="${xmlEscape(r.suite)}" tests="${list.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(r.durationMs)}" timestamp="${xmlEscape(r.startedAt)}">`,
    '    <properties>',
    `      <property name="testScript" value="${xmlEscape(r.scriptName)}"/>`,
    `      <property name="base" value="${xmlEscape(r.base)}"/>`,
    `      <property name="runId" value="${xmlEscape(r.runId)}"/>`,
    '    </properties>',
    ...list.map((c) => testcase(r.suite, c)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
