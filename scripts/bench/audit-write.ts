// The audit log's own write rate, in isolation (no HTTP, no policy): AuditLog.append on a fresh
// SQLite store (a file on disk, synchronous=FULL, the server's indexer), with 1, 16 and 128
// appenders each appending one event at a time and waiting for it, as requests do. Reports events
// per second, how large the groups (transactions) were, the append latency, and how fast
// verifyChain then walks the result. Usage:
//   npm run bench:audit-log [-- --seconds 5] [--appenders 1,16,128] [--dir <folder on the disk to test>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { AuditEvent } from '../../src/audit/chain.js';
import { verifyChain } from '../../src/audit/verify.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { machineFacts } from './machine.js';
import { summarise } from './stats.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}
const SECONDS = Number(arg('seconds', '5'));
const APPENDERS = arg('appenders', '1,16,128').split(',').map(Number);
const DIR = arg('dir', tmpdir());
if (!(SECONDS > 0) || APPENDERS.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('usage: npm run bench:audit-log [-- --seconds 5] [--appenders 1,16,128] [--dir <folder>]');
  process.exit(2);
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

interface Row {
  appenders: number;
  events: number;
  perSecond: number;
  groups: number;
  groupMean: number;
  groupP50: number;
  groupMax: number;
  latencyP50: number;
  latencyP95: number;
  verifyPerSecond: number;
}

async function measure(appenders: number, indexer: ReturnType<typeof createIndexer>): Promise<Row> {
  const dir = mkdtempSync(join(DIR, 'envelope-audit-bench-'));
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
    const end = started + SECONDS * 1000;
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
      latencyP50: l.p50, latencyP95: l.p95, verifyPerSecond: verified.events / verifySeconds,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const m = machineFacts();
console.log(`audit log write rate — ${m.nproc} CPU ${m.cpu}, ${m.os}, node ${m.node}, SQLite ${m.sqlite}; ${SECONDS} s per row; files in ${DIR}`);
const indexer = createIndexer(loadR4Registry());
const rows: Row[] = [];
for (const a of APPENDERS) rows.push(await measure(a, indexer));
const f = (x: number, d = 0) => x.toFixed(d);
console.log('');
console.log('| appenders | events | events/s | transactions | events per transaction (mean / p50 / max) | append p50 / p95 ms | verify events/s |');
console.log('|---:|---:|---:|---:|---|---|---:|');
for (const r of rows) {
  console.log(`| ${r.appenders} | ${r.events} | ${f(r.perSecond)} | ${r.groups} | ${f(r.groupMean, 1)} / ${r.groupP50} / ${r.groupMax} | ${f(r.latencyP50, 2)} / ${f(r.latencyP95, 2)} | ${f(r.verifyPerSecond)} |`);
}
