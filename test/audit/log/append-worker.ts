// TEST HELPER, run as a child process by concurrency.test.ts: one of several processes appending to
// the audit log of one SQLite file. (In one process better-sqlite3 is synchronous: a second store
// waiting for the write lock would block the event loop of the first, so processes must be real.)
//   <file> <label> <waves> <appendsPerWave> <eventsPerAppend> <msBetweenWaves>
// Opens the store, prints "ready", waits for a line on stdin (so that the workers start together),
// then every msBetweenWaves starts a wave of appends without waiting for the previous ones, and
// finally prints {"stored": [[ids of one append], ...], "errors": [messages]} as one line.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditLog } from '../../../src/audit/audit-log.js';
import type { AuditEvent } from '../../../src/audit/chain.js';
import { createIndexer } from '../../../src/search/indexer.js';
import { loadR4Registry } from '../../../src/search/registry.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { auditEvent } from './events.js';

const [file, label, waves, perWave, perAppend, gap] = process.argv.slice(2);
if (!file || !label || !waves || !perWave || !perAppend || !gap) {
  process.stderr.write('usage: append-worker <file> <label> <waves> <appendsPerWave> <eventsPerAppend> <msBetweenWaves>\n');
  process.exit(2);
}
const store = await openSqliteStore({ file, indexer: createIndexer(loadR4Registry()) });
const log = new AuditLog(store, { anchorIntervalMs: 0 });
const input = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await once(input, 'line');
input.close();

const stored: string[][] = [];
const errors: string[] = [];
const calls: Promise<void>[] = [];
for (let w = 0; w < Number(waves); w++) {
  for (let a = 0; a < Number(perWave); a++) {
    const events: AuditEvent[] = Array.from({ length: Number(perAppend) }, (_, e) => auditEvent(`${label}-${w}-${a}-${e}`));
    calls.push(log.append(events).then((r) => void stored.push(r.map((x) => x.id!)), (err: Error) => void errors.push(err.message)));
  }
  await sleep(Number(gap));
}
await Promise.all(calls);
await log.close();
await store.close();
process.stdout.write(`${JSON.stringify({ stored, errors })}\n`);
