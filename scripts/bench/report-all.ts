// The report of `npm run bench` (the whole set in one run): one generated section of
// docs/BENCHMARKS.md with every step's throughput, latency percentiles, peak memory and ratio to the
// bare Node baseline of the same run, plus start-up time, store size per million resources, memory
// with the estate loaded, and the targets. Pure: the figures in, markdown out.
import type { Manifest } from '../estate/dataset.js';
import type { AuditLogRow } from './audit-write.js';
import type { MachineFacts } from './machine.js';
import { f1, int, MiB, mdTable, textTable, unexpectedNon2xx, warnings, type Verdict } from './report.js';
import type { ScenarioResult, SuiteResult } from './runner.js';
import type { StartupSample, StartupSummary } from './startup.js';
import type { StoreSize } from './store-size.js';

export interface WholeSetTargets {
  /** The audited read, at `connections`: throughput ≥ ratio × the baseline's, and p99 < p99Ms. */
  auditedRead: { scenario: string; connections: number; ratio: number; p99Ms: number };
  /** Peak resident set of the server on the estate (bytes; 300 MB = 300,000,000). */
  memoryBytes: number;
  freeSlot: { scenario: string; p95Ms: number };
  seedRate: number;
  bookingsPerS: number;
}

export interface BookingStep {
  result: SuiteResult;
  slots: number;
  patients: number;
  contended: number;
  dbBytes: number;
}

export interface WholeSetRun {
  command: string;
  machine: MachineFacts;
  code: string;
  manifest: Manifest;
  startedAt: string;
  finishedAt: string;
  /** Wall time of the whole command, estate check included. */
  wallMs: number;
  /** os.loadavg() when the run started and when it ended: how busy the machine was. */
  loadAverage: { start: number[]; end: number[] };
  /** Baseline, read, search and create on the estate. */
  main: SuiteResult;
  startup?: { samples: StartupSample[]; summary: StartupSummary };
  booking?: BookingStep;
  auditLog?: { seconds: number; rows: AuditLogRow[] };
  size?: StoreSize;
  targets: WholeSetTargets;
}

const STEP_OF: Record<string, string> = { baseline: 'baseline', read: 'read', search: 'search', create: 'create', booking: 'booking' };
const stepOf = (id: string) => STEP_OF[id.split('.')[0]!] ?? id.split('.')[0]!;
const mib = (b: number | undefined) => (b === undefined ? 'n/a' : int(b / MiB));
const mb = (b: number | undefined) => (b === undefined ? 'n/a' : `${int(b / 1e6)} MB`);
const ms0 = (x: number) => `${int(x)} ms`;

/** The baseline's requests/s at the largest connection count of the main run: what the audit log's rate is compared with. */
export function referenceBaseline(main: SuiteResult): { connections: number; rps: number } | undefined {
  const base = main.results.find((r) => r.scenario.target === 'baseline');
  const last = base?.load.reduce<(typeof base.load)[number] | undefined>((a, l) => (!a || l.connections > a.connections ? l : a), undefined);
  return last ? { connections: last.connections, rps: last.rps } : undefined;
}

/** Peak resident set of the server on the estate over the main run. */
export function estatePeakRss(main: SuiteResult): number | undefined {
  const fromLoads = main.results.filter((r) => r.scenario.target === 'envelope').flatMap((r) => r.load.map((l) => l.memory.peakRssBytes)).filter((x): x is number => x !== undefined);
  const all = [...fromLoads, ...(main.envelopePeaks?.peakRssBytes !== undefined ? [main.envelopePeaks.peakRssBytes] : [])];
  return all.length ? Math.max(...all) : undefined;
}

function non2xxCell(s: ScenarioResult, l: ScenarioResult['load'][number]): string {
  const unexpected = unexpectedNon2xx(s.scenario, l.statusCodes, l.non2xx);
  const expected = l.non2xx - unexpected;
  const codes = (s.scenario.expectedStatuses ?? []).join('/');
  return expected > 0 ? `${int(unexpected)} (+ ${int(expected)} × ${codes}, expected)` : int(unexpected);
}

const LOAD_HEAD = ['step', 'scenario', 'conns', 'throughput /s', 'p50 ms', 'p95 ms', 'p99 ms', '× baseline', 'CPU ms/req: main + other threads', 'peak RSS MiB', 'non-2xx', 'errors'];

/** The server's CPU per request during the measured run (absent for the baseline and older results). */
function cpuCell(l: ScenarioResult['load'][number]): string {
  const c = l.cpuPerRequest;
  return c ? `${c.mainMs.toFixed(2)} + ${c.otherMs.toFixed(2)}` : '';
}

function suiteLoadRows(r: SuiteResult, baselineLabel: string): string[][] {
  const rows: string[][] = [];
  for (const s of r.results) {
    for (const l of [...s.load].sort((a, b) => a.connections - b.connections)) {
      rows.push([
        stepOf(s.scenario.id), s.scenario.target === 'baseline' ? baselineLabel : s.scenario.id, String(l.connections), int(l.rps),
        f1(l.latency.p50), f1(l.latency.p95), f1(l.latency.p99), l.ratio === undefined ? 'n/a' : l.ratio.toFixed(3),
        cpuCell(l), mib(l.memory.peakRssBytes), non2xxCell(s, l), int(l.errors + l.timeouts),
      ]);
    }
  }
  return rows;
}

function auditRows(run: WholeSetRun): string[][] {
  const ref = referenceBaseline(run.main);
  return (run.auditLog?.rows ?? []).map((a) => [
    'audit', `audit log append (${f1(a.groupMean)} events/transaction)`, `${a.appenders} appenders`, int(a.perSecond),
    a.latencyP50.toFixed(2), a.latencyP95.toFixed(2), (a.latencyP99 ?? NaN).toFixed(2), ref && ref.rps > 0 ? (a.perSecond / ref.rps).toFixed(3) : 'n/a',
    '', mib(a.peakRssBytes), '0', '0',
  ]);
}

/** Every row of the load table, in the order of the run: baseline, read, search, create, booking, audit. */
export function loadTableRows(run: WholeSetRun): string[][] {
  const order = ['baseline', 'read', 'search', 'create'];
  const main = suiteLoadRows(run.main, 'bare node:http (the read\'s bytes)');
  const sorted = order.flatMap((step) => main.filter((r) => r[0] === step));
  const rest = main.filter((r) => !order.includes(r[0]!));
  const booking = run.booking ? suiteLoadRows(run.booking.result, 'bare node:http (a booking\'s bytes)').map((r) => (r[0] === 'baseline' ? ['booking', ...r.slice(1)] : r)) : [];
  return [...sorted, ...rest, ...booking, ...auditRows(run)];
}

const SINGLE_HEAD = ['scenario', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s', 'KiB/resp'];

function singleTableRows(run: WholeSetRun): string[][] {
  const results = [...run.main.results, ...(run.booking?.result.results ?? [])];
  return results.filter((s) => s.single).map((s) => {
    const x = s.single!;
    return [s.scenario.id, String(x.latency.count), f1(x.latency.p50), f1(x.latency.p95), f1(x.latency.p99), f1(x.latency.max), f1(x.rps), f1((s.preflight?.meanBytes ?? 0) / 1024)];
  });
}

const verdict = (name: string, target: string, measured: string, met: boolean, missed: string): Verdict => ({ name, target, measured, met, note: met ? 'met' : missed });

/** The targets of the whole set, judged on this run's figures (a target whose figure is missing is left out). */
export function wholeSetVerdicts(run: WholeSetRun): Verdict[] {
  const t = run.targets;
  const out: Verdict[] = [];
  const read = run.main.results.find((r) => r.scenario.id === t.auditedRead.scenario)?.load.find((l) => l.connections === t.auditedRead.connections);
  if (read && read.ratio !== undefined) {
    out.push(verdict(`audited read at ${t.auditedRead.connections} connections, throughput × bare Node baseline`, `≥ ${t.auditedRead.ratio}`, read.ratio.toFixed(3),
      read.ratio >= t.auditedRead.ratio, `missed: ${((100 * read.ratio) / t.auditedRead.ratio).toFixed(0)} % of the target`));
    out.push(verdict(`audited read at ${t.auditedRead.connections} connections, p99`, `< ${t.auditedRead.p99Ms} ms`, `${read.latency.p99.toFixed(1)} ms`,
      read.latency.p99 < t.auditedRead.p99Ms, `missed: ${(read.latency.p99 / t.auditedRead.p99Ms).toFixed(1)}× the target`));
  }
  const peak = estatePeakRss(run.main);
  if (peak !== undefined) {
    out.push(verdict(`memory with ${int(run.manifest.resources)} resources stored (server peak RSS over the run)`, `< ${mb(t.memoryBytes)}`, `${mb(peak)} (${mib(peak)} MiB)`,
      peak < t.memoryBytes, `missed: ${(peak / t.memoryBytes).toFixed(1)}× the target`));
  }
  const fs = run.main.results.find((r) => r.scenario.id === t.freeSlot.scenario)?.single;
  if (fs) {
    const p95 = fs.latency.p95;
    out.push(verdict('free-slot search, 1 connection, p95', `< ${t.freeSlot.p95Ms} ms`, `${p95.toFixed(1)} ms`, p95 < t.freeSlot.p95Ms, `missed: ${(p95 / t.freeSlot.p95Ms).toFixed(1)}× the target`));
  }
  const rate = run.manifest.seed.rate;
  out.push(verdict('seeding rate', `≥ ${int(t.seedRate)} resources/s`, `${int(rate)} resources/s`, rate >= t.seedRate, `missed: ${((100 * rate) / t.seedRate).toFixed(0)} % of the target`));
  const booking = run.booking?.result.results.find((r) => r.scenario.id.startsWith('booking.'));
  const bl = booking?.load[booking.load.length - 1];
  if (booking && bl) {
    out.push(verdict(`bookings per second under contention (${bl.connections} connections)`, `≥ ${int(t.bookingsPerS)}`, int(bl.rps), bl.rps >= t.bookingsPerS,
      `missed: ${((100 * bl.rps) / t.bookingsPerS).toFixed(0)} % of the target`));
    const double = booking.verification?.facts.find((f) => f.what === 'double bookings');
    if (double) out.push(verdict('double bookings (read back through the API)', '0', double.value, double.ok, 'FAILED'));
  }
  return out;
}

function startupLines(run: WholeSetRun): string[] {
  if (!run.startup) return [];
  const s = run.startup.summary;
  const rows: string[][] = [
    ['spawn to `/healthz` answering', ms0(s.healthzMs.median), ms0(s.healthzMs.min), ms0(s.healthzMs.max)],
    ['spawn to the first FHIR read answering (`read.appointment`, sent once `/healthz` answered)', ms0(s.firstReadMs.median), ms0(s.firstReadMs.min), ms0(s.firstReadMs.max)],
  ];
  if (s.serverReportedMs !== undefined) {
    rows.push(['of it, the server\'s own start (main.ts: configuration, composition, opening the store) to listening', ms0(s.serverReportedMs), '', '']);
    rows.push(['of it, node and loading the modules (the rest up to `/healthz`)', ms0(s.healthzMs.median - s.serverReportedMs), '', '']);
  }
  return [
    `**Start-up** on the ${int(run.manifest.resources)}-resource estate (\`node dist/src/main.js\`, ${s.runs} starts, \`/healthz\` polled every 5 ms; the database file is in the page cache after the first start, so these are restarts of a warm machine): RSS after the first read ${mib(s.rssBytes)} MiB`,
    '',
    mdTable(['measure', 'median', 'min', 'max'], rows),
    '',
  ];
}

function sizeLines(run: WholeSetRun): string[] {
  const z = run.size;
  if (!z) return [];
  const per = (x: number | undefined) => (x === undefined ? 'n/a' : `${int(x / MiB)} MiB`);
  const added = Object.entries(z.added.byType).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${int(n)}`).join(', ') || 'none';
  return [
    '**Store size** (SQLite file + WAL; per million = bytes ÷ resources × 1,000,000)',
    '',
    mdTable(['what', 'resources', 'MiB', 'per million resources'], [
      ['the clinical estate, as seeded (no AuditEvents yet)', int(z.seeded.resources), mib(z.seeded.bytes), per(z.seeded.bytesPerMillion)],
      [`added since seeding by the benchmark runs (${added})`, int(z.added.resources), mib(z.added.bytes), per(z.added.bytesPerMillion)],
      ['everything stored now', int(z.now.resources), mib(z.now.bytes), per(z.now.bytesPerMillion)],
    ]),
    '',
  ];
}

function memoryLines(run: WholeSetRun): string[] {
  const rows: string[][] = [];
  const row = (what: string, r: SuiteResult) => [
    what, mib(r.envelopeIdleMemory.rssBytes), mib(r.envelopePeaks?.peakRssBytes ?? estatePeakRss(r)), mib(r.envelopePeaks?.peakAnonBytes), mib(r.envelopePeaks?.peakFileBytes),
  ];
  rows.push(row(`Envelope on the estate (${int(run.manifest.resources)} resources), read/search/create`, run.main));
  if (run.booking) rows.push(row(`Envelope on the booking pool (${int(run.booking.slots)} slots)`, run.booking.result));
  return [
    '**Memory** of the server (VmHWM is the true peak; the anonymous part — heap, stacks — and the file-backed part — mapped files, mostly the node binary since the database is no longer mapped — are the largest values sampled every 250 ms)',
    '',
    mdTable(['server', 'RSS after start MiB', 'peak RSS MiB', 'peak anonymous MiB', 'peak file-backed MiB'], rows),
    '',
  ];
}

export function wholeSetSection(run: WholeSetRun): string {
  const m = run.manifest;
  const counts = Object.entries(m.counts).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${int(n)}`).join(', ');
  const o = run.main.options;
  const ref = referenceBaseline(run.main);
  const v = wholeSetVerdicts(run);
  const warn = [...warnings(run.main), ...(run.booking ? warnings(run.booking.result) : [])];
  const la = (x: number[]) => x.map((n) => n.toFixed(2)).join(' / ');
  const minutes = Math.floor(run.wallMs / 60_000);
  const seconds = Math.round((run.wallMs % 60_000) / 1000);
  const scenarios = [...run.main.results, ...(run.booking?.result.results ?? [])].filter((r) => r.scenario.target !== 'baseline');
  const firstOf = (r: SuiteResult | undefined) => r?.results.find((x) => x.scenario.target !== 'baseline')?.scenario.id;
  return [
    `### The whole set — ${run.finishedAt.slice(0, 10)}`,
    '',
    `Command: \`${run.command}\``,
    '',
    `- Machine: ${run.machine.nproc} CPUs (${run.machine.cpu}), ${run.machine.memoryGiB} GiB, ${run.machine.os}; Node ${run.machine.node}; SQLite ${run.machine.sqlite}`,
    `- Code: ${run.code}`,
    `- Dataset: ${int(m.resources)} resources (${counts}); generator v${m.generatorVersion}, seed ${m.spec.seed}; seeded ${m.createdAt} at ${int(m.seed.rate)} resources/s`,
    `- Run: ${run.startedAt} to ${run.finishedAt}, **${minutes} min ${seconds} s** in all; load average (1 / 5 / 15 min) ${la(run.loadAverage.start)} at the start, ${la(run.loadAverage.end)} at the end; request draws seeded (${o.seed})`,
    `- Load: autocannon, ${o.durationS} s per run after a ${o.warmupS} s warm-up, at ${o.connections.join(' and ')} connections (booking: ${run.booking?.result.options.connections.join(', ') ?? 'not run'}); latency of 2xx responses; × baseline = throughput ÷ the bare Node server's at the same connections in the same run, replaying the bytes of the step's first scenario (the audit log: ÷ the baseline at ${ref ? `${ref.connections} connections, ${int(ref.rps)} requests/s` : 'n/a'})`,
    '',
    '**Targets**',
    '',
    mdTable(['target', 'wanted', 'measured', 'verdict'], v.map((x) => [x.name, x.target, x.measured, x.met ? 'met' : `**${x.note}**`])),
    '',
    '**Throughput, latency and memory** (peak RSS = VmHWM of the server after the run; for the audit log, of the process appending; audit latency is one append, durable)',
    '',
    mdTable(LOAD_HEAD, loadTableRows(run)),
    '',
    ...(run.booking ? [`Booking: a fresh pool of ${int(run.booking.slots)} free slots and ${int(run.booking.patients)} patients with a referral, ${Math.round(run.booking.contended * 100)} % of bookings aimed at a slot handed out moments before (the loser gets 409); after the load: ${run.booking.result.results.find((r) => r.verification)?.verification?.facts.map((f) => `${f.what} ${f.value}`).join(', ') ?? 'not checked'}.`, ''] : []),
    ...(run.auditLog ? [`Audit: the audit log's own write rate in isolation (\`npm run bench:audit-log\`: AuditLog.append on a fresh SQLite file, no HTTP), ${run.auditLog.seconds} s per row, each row in a process of its own.`, ''] : []),
    `**Single connection** (sequential requests after 20 warm-up; up to ${o.singleRequests} requests or ${o.singleMaxS} s per scenario)`,
    '',
    mdTable(SINGLE_HEAD, singleTableRows(run)),
    '',
    ...startupLines(run),
    ...memoryLines(run),
    ...sizeLines(run),
    ...(warn.length ? ['**Warnings**', '', ...warn.map((w) => `- ${w}`), ''] : ['No unexpected non-2xx responses, errors or timeouts.', '']),
    'Requests:',
    '',
    `- \`baseline\` (no token): a bare node:http server answering every request with the captured bytes (body and headers) of a response of the step's first scenario: \`${firstOf(run.main) ?? 'n/a'}\`${run.booking ? ` (in the booking step \`${firstOf(run.booking.result) ?? 'n/a'}\`)` : ''}.`,
    ...scenarios.map((s) => `- \`${s.scenario.id}\` (${s.scenario.role ? `role ${s.scenario.role}` : 'no token'}): ${s.scenario.title}. \`${s.scenario.example}\``),
  ].join('\n');
}

export function wholeSetConsole(run: WholeSetRun): string {
  return [
    textTable(LOAD_HEAD, loadTableRows(run)),
    '',
    textTable(SINGLE_HEAD, singleTableRows(run)),
    '',
    ...wholeSetVerdicts(run).map((x) => `target ${x.name}: ${x.target}, measured ${x.measured} — ${x.note}`),
    ...(run.startup ? [`start-up: /healthz ${ms0(run.startup.summary.healthzMs.median)}, first read ${ms0(run.startup.summary.firstReadMs.median)} (medians of ${run.startup.summary.runs})`] : []),
    ...(run.size ? [`store: ${mib(run.size.seeded.bytesPerMillion)} MiB per million clinical resources; ${mib(run.size.added.bytesPerMillion)} MiB per million added since seeding (${int(run.size.added.auditEvents)} AuditEvents)`] : []),
    ...[...warnings(run.main), ...(run.booking ? warnings(run.booking.result) : [])].map((w) => `WARNING ${w}`),
    `took ${(run.wallMs / 60_000).toFixed(1)} min`,
  ].join('\n');
}
