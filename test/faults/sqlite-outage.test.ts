// The SQLite database becomes unusable under a running Envelope (composed as in production: a
// database file, the audit trail on its writer thread), and comes back:
//   - another process holds the write lock for a moment (a commit): writes wait and succeed;
//   - another process holds it for good (a second connection in BEGIN EXCLUSIVE): writes, and reads
//     (whose audit record cannot be written), answer 503 with an OperationOutcome in bounded time —
//     the first after the store's lock wait (WAIT_MS, 5 s, the busy_timeout it replaces) plus the
//     audit writer's, later ones at once — while the process keeps answering /healthz; when the lock
//     is released the next request succeeds, with nothing of the refused writes stored and the
//     audit chain intact.
// Other engine failures that mean "unavailable" (read-only file, I/O errors, disk full) cannot be
// brought about portably under a running process; ./sqlite-unavailable.test.ts checks that real
// engine errors of those kinds become 503s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyChain } from '../../src/audit/verify.js';
import { WAIT_MS, STUCK_WAIT_MS } from '../../src/store/sqlite/write-lock.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { assertUnavailable, listen, probeHealth, timed, type Listening } from './listen.js';

/** Longest /healthz answer accepted while a request waits for the lock: the event loop must run on. */
const RESPONSIVE_MS = 250;

describe('faults: the SQLite database locked, or gone, under a running Envelope', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let env: TestEnvelope;
  let http: Listening;
  let admin: string;
  let locker: Database.Database | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-outage-'));
    file = join(dir, 'store.sqlite');
    env = await startEnvelope({ SQLITE_FILE: file });
    http = await listen(env);
    admin = await env.auth('estate-admin');
    const r = await timed(http.base, 'PUT', '/fhir/Organization/org-1', admin, { resourceType: 'Organization', id: 'org-1', name: 'v1' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  afterEach(() => {
    if (locker?.inTransaction) locker.exec('ROLLBACK');
    locker?.close();
    locker = undefined;
  });
  after(async () => {
    await http.close();
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rename = (name: string) => timed(http.base, 'PUT', '/fhir/Organization/org-1', admin, { resourceType: 'Organization', id: 'org-1', name });
  const readName = async () => {
    const r = await timed(http.base, 'GET', '/fhir/Organization/org-1', admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.name as string;
  };

  it('a lock held for a moment (another process committing) is waited out without stopping the server', async () => {
    locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    setTimeout(() => locker?.exec('COMMIT'), 400);
    const health = probeHealth(http.base);
    const r = await rename('v2');
    const latencies = await health.stop();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.ms >= 350, `the write should have waited for the lock (${r.ms} ms)`);
    assert.ok(Math.max(...latencies) < RESPONSIVE_MS, `/healthz stalled while the write waited: ${latencies.map(Math.round).join(', ')} ms`);
    assert.equal(await readName(), 'v2');
  });

  it(`a lock that stays: 503 OperationOutcome within the lock wait (${WAIT_MS} ms), then at once; the process stays responsive and recovers by itself`, async () => {
    locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    const health = probeHealth(http.base);
    const first = await rename('refused-1');
    const latencies = await health.stop();
    assertUnavailable(first, 'write under the lock');
    // The store waits WAIT_MS for the lock, then the audit writer (its own connection) as long to record the refusal.
    assert.ok(first.ms < 2 * WAIT_MS + 2000, `the first 503 took ${first.ms} ms`);
    assert.ok(Math.max(...latencies) < RESPONSIVE_MS, `/healthz stalled while the write waited: max ${Math.round(Math.max(...latencies))} ms`);
    console.log(`      first 503 after ${Math.round(first.ms)} ms; /healthz answered ${latencies.length} times meanwhile, slowest ${Math.round(Math.max(...latencies))} ms`);

    // The lock is known to be stuck now: the next requests fail fast.
    const second = await rename('refused-2');
    assertUnavailable(second, 'second write under the lock');
    const read = await timed(http.base, 'GET', '/fhir/Organization/org-1', admin);
    assertUnavailable(read, 'read under the lock (its audit record cannot be written)');
    const search = await timed(http.base, 'GET', '/fhir/Organization?name=v2', admin);
    assertUnavailable(search, 'search under the lock');
    for (const r of [second, read, search]) assert.ok(r.ms < 20 * STUCK_WAIT_MS, `a request under a known-stuck lock took ${r.ms} ms`);
    const healthz = await timed(http.base, 'GET', '/healthz');
    assert.equal(healthz.status, 200);

    locker.exec('ROLLBACK');
    const after = await rename('v3');
    assert.equal(after.status, 200, `the first write after the lock was released: ${after.status} ${JSON.stringify(after.body)}`);
    assert.equal(await readName(), 'v3');
    const history = await timed(http.base, 'GET', '/fhir/Organization/org-1/_history', admin);
    assert.equal(history.status, 200, JSON.stringify(history.body));
    assert.deepEqual((history.body.entry as { resource: { name: string } }[]).map((e) => e.resource.name), ['v3', 'v2', 'v1'], 'a refused write left a version');
    const chain = await verifyChain(env.store);
    assert.ok(chain.ok, JSON.stringify(chain));
  });
});
