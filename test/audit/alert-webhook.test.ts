// Alerts pushed to a webhook: in chain order, at least once, retried after a failure, and picked up
// again where delivery stopped by a new process (the cursor is in the store).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAlertWebhook } from '../../src/audit/alert-webhook.js';
import { alertEvent } from '../../src/audit/alerts.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/port.js';
import { createIndexer } from '../../src/search/indexer.js';
import { loadR4Registry } from '../../src/search/registry.js';

describe('audit: alert webhook', function () {
  this.timeout(30_000);
  let server: Server;
  let url: string;
  let received: { id: string; subtype: string; auth: string | undefined }[];
  let failNext = 0;
  let store: Store;
  let log: AuditLog;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.statusCode = 503;
          res.end();
          return;
        }
        const event = JSON.parse(body) as { id: string; subtype: { code: string }[] };
        received.push({ id: event.id, subtype: event.subtype[0]!.code, auth: req.headers.authorization });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(async () => {
    received = [];
    failNext = 0;
    store = await openSqliteStore({ file: ':memory:', indexer: createIndexer(loadR4Registry()) });
    log = new AuditLog(store);
  });
  afterEach(async () => {
    await log.close();
    await store.close();
  });

  const alert = (kind: 'self-claimed-relationship' | 'repeated-refusals', at: string) =>
    alertEvent(kind, { who: { sub: 'dr-x', authMethod: 'jwt', role: 'consultant', scopes: [] }, patient: 'p1', reason: 'why', at });

  it('delivers each alert once, in chain order, with the configured header; other events are not sent', async () => {
    await log.append([alert('self-claimed-relationship', '2031-01-01T10:00:00.000Z')]);
    await log.append([{ resourceType: 'AuditEvent', type: { code: 'rest' }, recorded: '2031-01-01T10:00:01.000Z', agent: [{ requestor: true }], source: { observer: { display: 'x' } } } as never]);
    await log.append([alert('repeated-refusals', '2031-01-01T10:00:02.000Z')]);
    const hook = startAlertWebhook({ store, url, headers: { authorization: 'Bearer hook' }, intervalMs: 60_000, onError: (e) => assert.fail(String(e)) });
    try {
      assert.equal(await hook.tick(), 2);
      assert.equal(await hook.tick(), 0, 'nothing is sent twice');
      assert.deepEqual(received.map((r) => r.subtype), ['self-claimed-relationship', 'repeated-refusals']);
      assert.ok(received[0]!.id < received[1]!.id);
      assert.ok(received.every((r) => r.auth === 'Bearer hook'));
    } finally {
      await hook.stop();
    }
  });

  it('a failed delivery is retried later, and a new process goes on from the stored cursor', async () => {
    await log.append([alert('self-claimed-relationship', '2031-01-01T10:00:00.000Z')]);
    await log.append([alert('repeated-refusals', '2031-01-01T10:00:05.000Z')]);
    let t = new Date('2031-01-01T11:00:00Z');
    const errors: unknown[] = [];
    failNext = 1;
    const first = startAlertWebhook({ store, url, intervalMs: 1000, now: () => t, onError: (e) => errors.push(e) });
    assert.equal(await first.tick(), 0);
    assert.equal(errors.length, 1);
    assert.equal(await first.tick(), 0, 'waits before trying again');
    t = new Date(t.getTime() + 5_000);
    assert.equal(await first.tick(), 2);
    await first.stop();
    await log.append([alert('self-claimed-relationship', '2031-01-01T12:00:00.000Z')]);
    const second = startAlertWebhook({ store, url, intervalMs: 1000, now: () => t, onError: (e) => errors.push(e) });
    assert.equal(await second.tick(), 1);
    await second.stop();
    assert.deepEqual(received.map((r) => r.subtype), ['self-claimed-relationship', 'repeated-refusals', 'self-claimed-relationship']);
  });
});
