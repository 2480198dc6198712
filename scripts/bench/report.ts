// Turning a suite's results into the console table and the generated section of docs/BENCHMARKS.md.
// Each suite owns one section between markers, so `npm run bench:search` and a later `npm run bench`
// refresh their own figures and leave the hand-written text around them alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Manifest } from '../estate/dataset.js';
import type { MachineFacts } from './machine.js';
import type { SuiteResult } from './runner.js';
import type { Scenario } from './scenario.js';

export interface Targets {
  /** Single-connection p95 of the free-slot search must be under this (ms). */
  freeSlotP95Ms: number;
  /** Seeding must reach this many resources per second. */
  seedRate: number;
  freeSlotScenario: string;
  /** The audited read must reach this fraction of the bare Node server's throughput (same run, same bytes). */
  auditedReadRatio: number;
  readScenario: string;
}

export interface ReportInput {
  suite: string;
  command: string;
  machine: MachineFacts;
  /** Which code was measured (codeState()). */
  code: string;
  manifest: Manifest;
  dbBytes: number;
  result: SuiteResult;
  targets: Targets;
}

export const MiB = 2 ** 20;
export const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
export const int = (n: number) => Math.round(n).toLocaleString('en-GB');

export function mdTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const LOAD_HEAD = ['scenario', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', '× baseline', 'non-2xx', 'errors', 'KiB/resp', 'server peak RSS MiB'];
const SINGLE_HEAD = ['scenario', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s', 'matches', 'included', 'KiB/resp'];

function loadRows(r: SuiteResult): string[][] {
  const rows: string[][] = [];
  const conns = r.options.connections;
  for (const c of conns) {
    for (const s of r.results) {
      const l = s.load.find((x) => x.connections === c);
      if (!l) continue;
      rows.push([
        s.scenario.id, String(c), int(l.rps), f1(l.latency.p50), f1(l.latency.p95), f1(l.latency.p99),
        l.ratio === undefined ? 'n/a' : l.ratio.toFixed(3), String(l.non2xx), String(l.errors + l.timeouts),
        f1(l.meanBytes / 1024), l.memory.peakRssBytes === undefined ? 'n/a' : int(l.memory.peakRssBytes / MiB),
      ]);
    }
  }
  return rows;
}

function singleRows(r: SuiteResult): string[][] {
  return r.results
    .filter((s) => s.single)
    .map((s) => {
      const x = s.single!;
      return [
        s.scenario.id, String(x.latency.count), f1(x.latency.p50), f1(x.latency.p95), f1(x.latency.p99), f1(x.latency.max),
        f1(x.rps), f1(s.preflight?.meanMatches), f1(s.preflight?.meanIncluded), f1((s.preflight?.meanBytes ?? 0) / 1024),
      ];
    });
}

export interface Verdict {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  note: string;
}

export function verdicts(i: ReportInput): Verdict[] {
  const out: Verdict[] = [];
  const fs = i.result.results.find((r) => r.scenario.id === i.targets.freeSlotScenario)?.single;
  if (fs) {
    const p95 = fs.latency.p95;
    out.push({
      name: 'free-slot search, 1 connection, p95',
      target: `< ${i.targets.freeSlotP95Ms} ms`,
      measured: `${p95.toFixed(1)} ms`,
      met: p95 < i.targets.freeSlotP95Ms,
      note: p95 < i.targets.freeSlotP95Ms ? 'met' : `missed: ${(p95 / i.targets.freeSlotP95Ms).toFixed(1)}× the target`,
    });
  }
  const read = i.result.results.find((r) => r.scenario.id === i.targets.readScenario);
  const ratios = (read?.load ?? []).map((l) => l.ratio).filter((x): x is number => x !== undefined);
  // Compared with the baseline only when the baseline replays this scenario's own bytes (it replays the suite's first).
  const first = i.result.results.find((r) => r.scenario.target !== 'baseline');
  if (read && ratios.length > 0 && first?.scenario.id === i.targets.readScenario) {
    const best = Math.max(...ratios);
    out.push({
      name: 'audited read throughput × bare Node baseline (best connection count)',
      target: `≥ ${i.targets.auditedReadRatio}`,
      measured: best.toFixed(3),
      met: best >= i.targets.auditedReadRatio,
      note: best >= i.targets.auditedReadRatio ? 'met' : `missed: ${((100 * best) / i.targets.auditedReadRatio).toFixed(0)} % of the target`,
    });
  }
  const rate = i.manifest.seed.rate;
  out.push({
    name: 'seeding rate',
    target: `≥ ${int(i.targets.seedRate)} resources/s`,
    measured: `${int(rate)} resources/s`,
    met: rate >= i.targets.seedRate,
    note: rate >= i.targets.seedRate ? 'met' : `missed: ${((100 * rate) / i.targets.seedRate).toFixed(0)} % of the target`,
  });
  return out;
}

/** Non-2xx responses that are not a correct answer of the scenario's workload (see Scenario.expectedStatuses). */
export function unexpectedNon2xx(s: Scenario, statusCodes: Record<string, number> | undefined, non2xx: number): number {
  if (!statusCodes) return non2xx;
  const expected = new Set((s.expectedStatuses ?? []).map(String));
  return Object.entries(statusCodes).filter(([c]) => !c.startsWith('2') && !expected.has(c)).reduce((n, [, k]) => n + k, 0);
}

/**
 * Anything that makes a row untrustworthy: failed requests (other than the refusals the workload
 * expects), answers under load much smaller than the ones the pre-flight checked (something else was
 * answered), or a failed check of the data after the load.
 */
export function warnings(r: SuiteResult): string[] {
  const out: string[] = [];
  for (const s of r.results) {
    const single = s.single ? unexpectedNon2xx(s.scenario, s.single.statusCodes, s.single.non2xx) : 0;
    if (single > 0) out.push(`${s.scenario.id}: ${single} unexpected non-2xx responses on a single connection (status codes ${JSON.stringify(s.single?.statusCodes ?? {})})`);
    for (const l of s.load) {
      const bad = unexpectedNon2xx(s.scenario, l.statusCodes, l.non2xx);
      if (bad > 0 || l.errors > 0 || l.timeouts > 0) {
        out.push(`${s.scenario.id} ×${l.connections}: ${bad} unexpected non-2xx, ${l.errors} errors, ${l.timeouts} timeouts (status codes ${JSON.stringify(l.statusCodes)})`);
      }
      if (l.ok > 0 && s.preflight && l.meanBytes < 0.5 * s.preflight.meanBytes) {
        out.push(`${s.scenario.id} ×${l.connections}: responses under load average ${Math.round(l.meanBytes)} bytes, under half the checked ones (${Math.round(s.preflight.meanBytes)})`);
      }
    }
    if (s.verification && !s.verification.ok) {
      out.push(`${s.scenario.id}: the check after the load failed: ${s.verification.facts.filter((f) => !f.ok).map((f) => `${f.what} ${f.value}`).join('; ')}`);
    }
  }
  return out;
}

export function consoleReport(i: ReportInput): string {
  return [
    `single connection (sequential requests):`,
    textTable(SINGLE_HEAD, singleRows(i.result)),
    '',
    `load (autocannon, ${i.result.options.durationS} s per run after ${i.result.options.warmupS} s warm-up):`,
    textTable(LOAD_HEAD, loadRows(i.result)),
    '',
    ...verdicts(i).map((v) => `target ${v.name}: ${v.target}, measured ${v.measured} — ${v.note}`),
    ...warnings(i.result).map((w) => `WARNING ${w}`),
  ].join('\n');
}

export function markdownSection(i: ReportInput): string {
  const m = i.manifest;
  const counts = Object.entries(m.counts).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${int(n)}`).join(', ');
  const r = i.result;
  const v = verdicts(i);
  return [
    `### Suite \`${i.suite}\` — ${r.finishedAt.slice(0, 10)}`,
    '',
    `Command: \`${i.command}\``,
    '',
    `- Machine: ${i.machine.nproc} CPUs (${i.machine.cpu}), ${i.machine.memoryGiB} GiB, ${i.machine.os}; Node ${i.machine.node}; SQLite ${i.machine.sqlite}`,
    `- Code: ${i.code}`,
    `- Dataset: ${int(m.resources)} resources (${counts}); generator v${m.generatorVersion}, seed ${m.spec.seed}, calendar ${m.samples.firstDay} to ${m.samples.lastDay}`,
    `- Seeding: ${(m.seed.ms / 1000).toFixed(1)} s = **${int(m.seed.rate)} resources/s** through the Store port in ${int(m.seed.transactions)} transactions of ${int(m.seed.batchSize)} (generation ${((100 * m.seed.generateMs) / m.seed.ms).toFixed(0)} % of it; closing the store ${(m.seed.closeMs / 1000).toFixed(1)} s more), seeded ${m.createdAt} with ${m.code ?? 'unrecorded code'}`,
    `- Database: ${int(i.dbBytes / MiB)} MiB (SQLite file + WAL)`,
    `- Envelope: answered /healthz ${int(r.envelopeStartMs)} ms after spawn; RSS when idle ${r.envelopeIdleMemory.rssBytes === undefined ? 'n/a' : `${int(r.envelopeIdleMemory.rssBytes / MiB)} MiB`}`,
    `- Run: ${r.startedAt} to ${r.finishedAt}; request draws seeded (${r.options.seed}), so a re-run replays the same requests`,
    '',
    '**Targets**',
    '',
    mdTable(['target', 'wanted', 'measured', 'verdict'], v.map((x) => [x.name, x.target, x.measured, x.met ? 'met' : `**${x.note}**`])),
    '',
    `**Single connection** (sequential requests after 20 warm-up; up to ${r.options.singleRequests} requests or ${r.options.singleMaxS} s per scenario; matches/included/size are per response, from the ${r.options.preflight}-request pre-flight check)`,
    '',
    mdTable(SINGLE_HEAD, singleRows(r)),
    '',
    `**Under load** (autocannon, ${r.options.durationS} s per run after a ${r.options.warmupS} s warm-up; latency of 2xx responses; × baseline = requests/s as a fraction of the bare Node server's at the same connections; server peak RSS = VmHWM of the server process after the run)`,
    '',
    mdTable(LOAD_HEAD, loadRows(r)),
    '',
    ...(warnings(r).length ? ['**Warnings**', '', ...warnings(r).map((w) => `- ${w}`), ''] : ['All responses under load were 2xx; none timed out.', '']),
    'Requests:',
    '',
    ...r.results.map((s) => `- \`${s.scenario.id}\` (${s.scenario.role ? `role ${s.scenario.role}` : 'no token'}): ${s.scenario.title}. \`${s.scenario.example}\``),
  ].join('\n');
}

const begin = (suite: string) => `<!-- bench:${suite}:begin (generated by scripts/bench; edits between these markers are overwritten) -->`;
const end = (suite: string) => `<!-- bench:${suite}:end -->`;

/** Replaces the suite's section of the document (appending it when absent), keeping everything else. */
export function writeSection(file: string, suite: string, section: string, header: string): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const b = begin(suite);
  const e = end(suite);
  const block = `${b}\n${section}\n${e}`;
  const i = doc.indexOf(b.slice(0, b.indexOf(' (')));
  const j = doc.indexOf(e);
  const next = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + e.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
