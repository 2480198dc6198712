// The audit log's own write rate, in isolation (no HTTP, no policy): AuditLog.append on a fresh
// SQLite store (a file on disk, synchronous=FULL, the server's indexer), with 1, 16 and 128
// appenders each appending one event at a time and waiting for it, as requests do. Reports events
// per second, how large the groups (transactions) were, the append latency, and how fast
// verifyChain then walks the result. Usage:
//   npm run bench:audit-log [-- --seconds 5] [--appenders 1,16,128] [--dir <folder on the disk to test>] [--json]
// With --json it prints one JSON row per appender count, with this process's peak resident set:
// `npm run bench` runs one process per appender count (auditLogRows) so each row's memory is its own.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { AuditEvent } from '../../src/audit/chain.js';
import { verifyChain } from '../../src/audit/verify.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { machineFacts } from './machine.js';
import { memoryOf } from './proc.js';
import { summarise } from './stats.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** An event shaped like the server's: a user reading one patient's appointment. */
function event(n: number): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: new Date().toISOString(),
    outcome: '0',
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
        who: { identifier: { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: `55555${n % 1000}` } }, requestor: true,
        network: { address: '10.0.0.1', type: '2' } },
    ],
    source: { observer: { display: 'Envelope' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity: [
      { what: { reference: `Patient/p-${n % 5000}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' } },
      { what: { reference: `Appointment/a-${n}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' } },
    ],
  };
}

export interface AuditLogRow {
  appenders: number;
  events: number;
  perSecond: number;
  groups: number;
  groupMean: number;
  groupP50: number;
  groupMax: number;
  latencyP50: number;
  latencyP95: number;
  latencyP99: number;
  verifyPerSecond: number;
  /** Peak resident set of the measuring process (--json only). */
  peakRssBytes?: number;
}

async function measure(appenders: number, indexer: ReturnType<typeof createIndexer>, seconds: number, parent: string): Promise<AuditLogRow> {
  const dir = mkdtempSync(join(parent, 'envelope-audit-bench-'));
  const store = await openSqliteStore({ file: join(dir, 'audit.sqlite'), indexer });
  const groups: number[] = [];
  const latencies: number[] = [];
  try {
    const log = new AuditLog(store, { onGroup: (g) => groups.push(g.events) });
    // Warm-up (statement cache, first pages of the file); not counted.
    for (let i = 0; i < 50; i++) await log.append([event(i)]);
    groups.length = 0;
    let n = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(Array.from({ length: appenders }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await log.append([event(n++)]);
        latencies.push(performance.now() - t0);
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    await log.close();
    const v0 = performance.now();
    const verified = await verifyChain(store);
    const verifySeconds = (performance.now() - v0) / 1000;
    if (!verified.ok || verified.events !== latencies.length + 50) throw new Error(`the chain did not verify: ${JSON.stringify(verified)}`);
    const g = summarise(groups);
    const l = summarise(latencies);
    return {
      appenders, events: latencies.length, perSecond: latencies.length / elapsed,
      groups: groups.length, groupMean: g.mean, groupP50: g.p50, groupMax: g.max,
      latencyP50: l.p50, latencyP95: l.p95, latencyP99: l.p99, verifyPerSecond: verified.events / verifySeconds,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The audit log's write rate for each appender count, each measured in a process of its own (so the
 * peak resident set is that row's alone): what `npm run bench` records as its audit step.
 */
export async function auditLogRows(o: { appenders: number[]; seconds: number; dir?: string }): Promise<AuditLogRow[]> {
  const rows: AuditLogRow[] = [];
  for (const a of o.appenders) {
    const args = [fileURLToPath(import.meta.url), '--json', '--appenders', String(a), '--seconds', String(o.seconds), ...(o.dir ? ['--dir', o.dir] : [])];
    const out = await new Promise<string>((res, rej) => {
      execFile(process.execPath, args, { maxBuffer: 1 << 20, timeout: (o.seconds * 4 + 120) * 1000 }, (err, stdout, stderr) => (err ? rej(new Error(`audit log step (${a} appenders): ${err.message}\n${stderr}`)) : res(stdout)));
    });
    rows.push(...out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AuditLogRow));
  }
  return rows;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '5'));
  const appenders = arg('appenders', '1,16,128').split(',').map(Number);
  const dir = arg('dir', tmpdir());
  const json = process.argv.includes('--json');
  if (!(seconds > 0) || appenders.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error('usage: npm run bench:audit-log [-- --seconds 5] [--appenders 1,16,128] [--dir <folder>] [--json]');
    process.exit(2);
  }
  const indexer = createIndexer(loadR4Registry());
  if (json) {
    for (const a of appenders) {
      const row = await measure(a, indexer, seconds, dir);
      // VmHWM: the peak of this process, which measured nothing else. Not getrusage's maxRSS, which
      // Linux carries over from the parent at fork (a child of a large runner reported its size).
      const peak = memoryOf(process.pid).peakRssBytes ?? process.resourceUsage().maxRSS * 1024;
      console.log(JSON.stringify({ ...row, peakRssBytes: peak }));
    }
    return;
  }
  const m = machineFacts();
  console.log(`audit log write rate — ${m.nproc} CPU ${m.cpu}, ${m.os}, node ${m.node}, SQLite ${m.sqlite}; ${seconds} s per row; files in ${dir}`);
  const rows: AuditLogRow[] = [];
  for (const a of appenders) rows.push(await measure(a, indexer, seconds, dir));
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log('');
  console.log('| appenders | events | events/s | transactions | events per transaction (mean / p50 / max) | append p50 / p95 / p99 ms | verify events/s |');
  console.log('|---:|---:|---:|---:|---|---|---:|');
  for (const r of rows) {
    console.log(`| ${r.appenders} | ${r.events} | ${f(r.perSecond)} | ${r.groups} | ${f(r.groupMean, 1)} / ${r.groupP50} / ${r.groupMax} | ${f(r.latencyP50, 2)} / ${f(r.latencyP95, 2)} / ${f(r.latencyP99, 2)} | ${f(r.verifyPerSecond)} |`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:audit-log: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
