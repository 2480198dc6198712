// The audit writer thread: appends are durable and chained; a writer that dies fails what was in
// flight (503) and is replaced, so the server does not answer 503 for ever.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ThreadAuditLog } from '../../src/audit/thread-log.js';
import { verifyChain } from '../../src/audit/verify.js';
import type { r4 } from '../../src/domain/fhir.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const WRITER = new URL('../../src/audit-writer.js', import.meta.url);
const event = (n: number): r4.AuditEvent => ({
  resourceType: 'AuditEvent', type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100' },
  recorded: `2031-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`, agent: [{ requestor: true, who: { display: `a${n}` } }], source: { observer: { display: 'test' } },
});

describe('audit: the writer thread', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-thread-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends concurrently into one chain, and survives its writer dying', async () => {
    const file = join(dir, 'envelope.sqlite');
    const store = await openSqliteStore({ file, indexer: createIndexer(loadR4Registry()) });
    const log = await ThreadAuditLog.start(WRITER, { file });
    try {
      const stored = await Promise.all(Array.from({ length: 30 }, (_, i) => log.append([event(i)])));
      assert.equal(new Set(stored.map((s) => s[0]!.id)).size, 30);
      await (log as unknown as { worker: Worker }).worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(log.restarts, 1);
      const after = await log.append([event(99)]);
      assert.match(after[0]!.id!, /^\d{16}$/);
      // record: durable like append, nothing handed back.
      assert.equal(await log.record([event(100), event(101)]), undefined);
      const chain = await verifyChain(store);
      assert.ok(chain.ok && chain.events === 33, JSON.stringify(chain));
      assert.ok(await store.read('AuditEvent', '0000000000000033'), 'the recorded events are stored');
    } finally {
      await log.close();
      await store.close();
    }
  });
});
