// Tampering with a stored chain, directly in the SQLite file (as someone with access to the disk)
// or through the store (as code that bypasses the log): verifyChain names the first broken link and
// `npm run audit:verify` (the compiled script, as a child process on the same DATA_DIR) exits 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANCHOR_ID, ANCHOR_KIND } from '../../../src/audit/anchor.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { AUDIT_CHAIN_URL, computeHash, readChainLink, type AuditEvent } from '../../../src/audit/chain.js';
import { verifyChain, type VerifyResult } from '../../../src/audit/verify.js';
import type { Store } from '../../../src/store/port.js';
import { auditEvent, deleteEvent, id, openSqliteFile, setStoredJson, storedJson, tempDir, withDatabase } from './fixtures.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/audit-verify.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function auditVerify(dataDir: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, SQLITE_FILE: 'envelope.sqlite' }, timeout: 60_000,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function broken(result: VerifyResult): { at: number; reason: string } {
  assert.equal(result.ok, false, `expected a broken chain, got ${JSON.stringify(result)}`);
  return result as { at: number; reason: string };
}

describe('audit/log: tampering is detected', function () {
  this.timeout(120_000);
  let dataDir: string;
  let file: string;
  let store: Store;

  /** A chain of `n` events written by the log, the log closed (so its anchor is at the head). */
  async function chainOf(n: number, anchored = true): Promise<void> {
    const log = new AuditLog(store, { anchorIntervalMs: 0 });
    for (let i = 1; i <= n; i += 3) await log.append(Array.from({ length: Math.min(3, n - i + 1) }, (_, k) => auditEvent(i + k)));
    await log.close();
    if (!anchored) await store.records.delete(ANCHOR_KIND, ANCHOR_ID);
  }

  beforeEach(async () => {
    dataDir = tempDir();
    file = join(dataDir, 'envelope.sqlite');
    store = await openSqliteFile(file);
  });
  afterEach(async () => {
    await store.close();
  });

  it('an intact chain verifies, and audit:verify prints the count, OK and the head (exit 0)', async () => {
    await chainOf(8);
    const result = await verifyChain(store, { pageSize: 3 });
    assert.equal(result.ok, true);
    const run = await auditVerify(dataDir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^verified 8 audit events$/m);
    assert.match(run.stdout, /^audit chain OK$/m);
    const head = readChainLink((await store.read('AuditEvent', id(8)))!.resource)!.hash;
    assert.match(run.stdout, new RegExp(`^head 8:${head}$`, 'm'));
    // The printed head, given back, is checked too; a wrong one fails.
    assert.equal((await auditVerify(dataDir, ['--anchor', `8:${head}`])).code, 0);
    const wrong = await auditVerify(dataDir, ['--anchor', `5:${'e'.repeat(64)}`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /BROKEN at sequence 5: its hash differs from the given anchor/);
  });

  it('an edited field: the edited event is named, and audit:verify exits 1', async () => {
    await chainOf(6);
    withDatabase(file, (db) => setStoredJson(db, id(3), storedJson(db, id(3)).replace('user-3', 'user-9')));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 3);
    assert.match(b.reason, /does not match its hash/);
    const run = await auditVerify(dataDir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^verified 2 audit events$/m);
    assert.match(run.stdout, /^audit chain BROKEN at sequence 3: .*does not match its hash/m);
  });

  it('any change to any value of the event is detected, but not a change of JSON formatting', async () => {
    await chainOf(4);
    const original = withDatabase(file, (db) => storedJson(db, id(2)));
    const leaves = leafPaths(JSON.parse(original)).filter((p) => !['meta.versionId', 'meta.lastUpdated'].includes(p.join('.')));
    assert.ok(leaves.length > 15, `${leaves.length} leaves`);
    for (const path of leaves) {
      const edited = JSON.parse(original);
      setAt(edited, path, (v) => (typeof v === 'string' ? `${v}x` : typeof v === 'number' ? v + 1 : !v));
      withDatabase(file, (db) => setStoredJson(db, id(2), JSON.stringify(edited)));
      const result = await verifyChain(store);
      assert.equal(result.ok, false, `an edit of ${path.join('.')} went unnoticed`);
      assert.equal((result as { at: number }).at, 2, path.join('.'));
    }
    withDatabase(file, (db) => setStoredJson(db, id(2), JSON.stringify(JSON.parse(original), null, 2)));
    assert.equal((await verifyChain(store)).ok, true, 'the same content written with other whitespace is the same event');
  });

  it('a deleted event: the gap is named, and audit:verify exits 1', async () => {
    await chainOf(6);
    withDatabase(file, (db) => deleteEvent(db, id(4)));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 4);
    assert.match(b.reason, /event 4 is missing/);
    const run = await auditVerify(dataDir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /BROKEN at sequence 4: event 4 is missing/);
  });

  it('two events swapped (their stored JSON exchanged): the first position is named, and audit:verify exits 1', async () => {
    await chainOf(6);
    withDatabase(file, (db) => {
      const a = storedJson(db, id(2));
      const b = storedJson(db, id(3));
      setStoredJson(db, id(2), b);
      setStoredJson(db, id(3), a);
    });
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 2);
    assert.match(b.reason, /moved or swapped/);
    const run = await auditVerify(dataDir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /BROKEN at sequence 2/);
  });

  it('two events reordered with their ids rewritten to match their new places: still detected', async () => {
    await chainOf(6);
    withDatabase(file, (db) => {
      const a = JSON.parse(storedJson(db, id(2)));
      const b = JSON.parse(storedJson(db, id(3)));
      [a.id, b.id] = [b.id, a.id];
      setStoredJson(db, id(3), JSON.stringify(a));
      setStoredJson(db, id(2), JSON.stringify(b));
    });
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 2);
    assert.match(b.reason, /chain sequence is 3/);
  });

  it('a forged event appended at the end, with a well-formed but invented link', async () => {
    await chainOf(3, false);
    const forged = auditEvent('forged', {
      id: id(4),
      extension: [{ url: AUDIT_CHAIN_URL, extension: [
        { url: 'sequence', valueString: '4' }, { url: 'previous', valueString: 'a'.repeat(64) }, { url: 'hash', valueString: 'b'.repeat(64) },
      ] }],
    });
    await store.transaction((tx) => tx.create(forged));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 4);
    assert.match(b.reason, /previous hash does not match/);
    const run = await auditVerify(dataDir);
    assert.equal(run.code, 1);
  });

  it('a forged event that even recomputes its own hash is caught by the previous link', async () => {
    await chainOf(3, false);
    const link = { url: AUDIT_CHAIN_URL, extension: [{ url: 'sequence', valueString: '4' }, { url: 'previous', valueString: 'c'.repeat(64) }] as { url: string; valueString: string }[] };
    const forged = auditEvent('forged', { id: id(4), extension: [link] });
    link.extension.push({ url: 'hash', valueString: computeHash('c'.repeat(64), forged) });
    await store.transaction((tx) => tx.create(forged));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 4);
    assert.match(b.reason, /previous hash does not match the hash of event 3/);
  });

  it('a foreign AuditEvent outside the chain is reported, and the log keeps appending past it', async () => {
    await chainOf(3, false);
    await store.transaction((tx) => tx.create(auditEvent('foreign', { id: 'zz-foreign' })));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 4);
    assert.match(b.reason, /AuditEvent\/zz-foreign is not part of the chain/);
    const log = new AuditLog(store);
    const [next] = await log.append([auditEvent(4)]);
    await log.close();
    assert.equal(next!.id, id(4));
    assert.equal(broken(await verifyChain(store)).at, 5);
  });

  it('an event rewritten through the store (a second version, even with identical content)', async () => {
    await chainOf(4);
    const current = await store.read('AuditEvent', id(2));
    await store.transaction((tx) => tx.update(current!.resource));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 2);
    assert.match(b.reason, /rewritten \(it is version 2\)/);
  });

  it('the newest events removed: caught by the anchor, and by an anchor kept outside the database', async () => {
    await chainOf(6);
    const head = readChainLink((await store.read('AuditEvent', id(6)))!.resource)!.hash;
    withDatabase(file, (db) => {
      deleteEvent(db, id(6));
      deleteEvent(db, id(5));
    });
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 5);
    assert.match(b.reason, /the chain ends at event 4 but the stored anchor records event 6/);
    assert.equal((await auditVerify(dataDir)).code, 1);
    // Without the stored anchor (removed as well), only an anchor kept elsewhere shows the loss.
    await store.records.delete(ANCHOR_KIND, ANCHOR_ID);
    assert.equal((await verifyChain(store)).ok, true);
    const run = await auditVerify(dataDir, ['--anchor', `6:${head}`]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /BROKEN at sequence 5: the chain ends at event 4 but the given anchor records event 6/);
  });

  it('an anchor that disagrees with the chain, or is malformed, is a broken chain', async () => {
    await chainOf(4);
    await store.records.put({ kind: ANCHOR_KIND, id: ANCHOR_ID, data: { sequence: '3', hash: 'd'.repeat(64) }, expiresAt: '9999-12-31T23:59:59.999Z' });
    assert.equal(broken(await verifyChain(store)).at, 3);
    await store.records.put({ kind: ANCHOR_KIND, id: ANCHOR_ID, data: { sequence: 'three' }, expiresAt: '9999-12-31T23:59:59.999Z' });
    assert.equal(broken(await verifyChain(store)).at, 0);
  });

  it('a deleted head (through the store): the log builds on it rather than stop, and verify reports the gap', async () => {
    await chainOf(3, false);
    await store.transaction((tx) => tx.delete('AuditEvent', id(3)));
    const log = new AuditLog(store);
    const [next] = await log.append([auditEvent(4)]);
    await log.close();
    assert.equal(next!.id, id(4));
    const b = broken(await verifyChain(store));
    assert.equal(b.at, 3);
    assert.match(b.reason, /event 3 is missing/);
  });

  it('a newest event without a valid link stops the log (503) instead of burying the damage', async () => {
    await chainOf(2, false);
    withDatabase(file, (db) => {
      const e = JSON.parse(storedJson(db, id(2))) as AuditEvent;
      e.extension = [];
      setStoredJson(db, id(2), JSON.stringify(e));
    });
    const log = new AuditLog(store);
    try {
      await assert.rejects(log.append([auditEvent(3)]), (e: { status?: number }) => e.status === 503);
    } finally {
      await log.close();
    }
  });

  it('audit:verify refuses to run without a database (exit 2) rather than create an empty one', async () => {
    const run = await auditVerify(tempDir());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /No database at/);
  });
});

type Path = (string | number)[];
function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}
function setAt(root: any, path: Path, change: (v: unknown) => unknown): void {
  let at = root;
  for (const k of path.slice(0, -1)) at = at[k];
  const last = path[path.length - 1]!;
  at[last] = change(at[last]);
}
