// TEST HELPER, run as a child process by sqlite-records.test.ts: one of several processes sharing a
// SQLite database file, so the RecordStore's cross-process guarantees are tested with real separate
// processes (in one process, better-sqlite3 calls are synchronous and never overlap).
//   claim <file> <kind> <expiresAt> <now> <id>...
//       opens the store, prints "ready", waits for a line on stdin (so that all workers start
//       together), claims every id in order, prints {"won": [...ids it won], "errors": [...messages],
//       "first": <epoch ms before the first claim>, "last": <epoch ms after the last>} as one line
//   hold <file> <ms>
//       opens a resource transaction, prints "holding", keeps it open for ms, commits, prints
//       "committed <epoch ms>"
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Resource } from '../../src/domain/fhir.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { testIndexer } from './test-indexer.js';

async function claim(file: string, kind: string, expiresAt: string, now: string, ids: string[]): Promise<void> {
  const store = await openSqliteStore({ file, indexer: testIndexer });
  const won: string[] = [];
  const errors: string[] = [];
  const input = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(input, 'line');
  input.close();
  const first = Date.now();
  for (const id of ids) {
    try {
      if (await store.records.claimOnce(kind, id, expiresAt, now)) won.push(id);
    } catch (e) {
      errors.push(`${id}: ${(e as Error).message}`);
    }
    // Leave the write lock free for a moment: SQLite's busy handler backs off while it waits, so
    // a process committing back to back could otherwise take every id before the others retry.
    await sleep(1);
  }
  const last = Date.now();
  await store.close();
  process.stdout.write(`${JSON.stringify({ won, errors, first, last })}\n`);
}

async function hold(file: string, ms: number): Promise<void> {
  const store = await openSqliteStore({ file, indexer: testIndexer });
  await store.transaction(async (tx) => {
    await tx.create({ resourceType: 'Patient', id: 'held' } as Resource);
    process.stdout.write('holding\n');
    await sleep(ms);
  });
  process.stdout.write(`committed ${Date.now()}\n`);
  await store.close();
}

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === 'claim' && file && rest.length >= 3) {
  const [kind, expiresAt, now, ...ids] = rest;
  await claim(file, kind!, expiresAt!, now!, ids);
} else if (mode === 'hold' && file && rest.length === 1) {
  await hold(file, Number(rest[0]));
} else {
  process.stderr.write('usage: records-worker claim <file> <kind> <expiresAt> <now> <id>... | hold <file> <ms>\n');
  process.exitCode = 2;
}
