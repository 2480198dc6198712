// The audit writer thread's composition root (started by src/audit/thread-log.ts): its own SQLite
// connection to the server's database file, the same indexer the server uses, and an AuditLog.
// It answers each append once its group is durable, and closes the log (finishing every queued
// group) before it exits.
import { parentPort, workerData } from 'node:worker_threads';
import { AuditLog } from './audit/audit-log.js';
import type { AuditEvent } from './audit/chain.js';
import type { AppendMessage, WriterData, WriterNotice, WriterReply } from './audit/thread-log.js';
import { FhirError } from './domain/errors.js';
import { createIndexer } from './search/indexer.js';
import { loadR4Registry } from './search/registry.js';
import { openSqliteStore } from './store/sqlite/index.js';

async function run(): Promise<void> {
  const port = parentPort!;
  const data = workerData as WriterData;
  const store = await openSqliteStore({ file: data.file, indexer: createIndexer(loadR4Registry()) });
  // Group statistics and anchor faults go to the server's thread, which owns the metrics and the log.
  const log = new AuditLog(store, {
    onAnchorError: (e) => port.postMessage({ fault: 'audit-anchor', message: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WriterNotice),
    onGroup: (g) => port.postMessage({ group: { events: g.events, attempts: g.attempts, ms: g.ms } } satisfies WriterNotice),
  });
  port.on('message', (m: AppendMessage | { close: true }) => {
    if ('close' in m) {
      void log.close().finally(() => store.close()).finally(() => port.close());
      return;
    }
    const id = m.id;
    log.expect(m.expected);
    log.append(JSON.parse(m.events) as AuditEvent[]).then(
      (stored) => port.postMessage((m.reply ? { id, ok: true, stored: JSON.stringify(stored) } : { id, ok: true }) satisfies WriterReply),
      (e: unknown) => port.postMessage({
        id, ok: false, status: e instanceof FhirError ? e.status : 500, message: e instanceof Error ? e.message : String(e),
      } satisfies WriterReply),
    );
  });
  port.postMessage({ ready: true });
}

run().catch((e: unknown) => {
  parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
});
