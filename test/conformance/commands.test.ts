// The two commands as a user runs them (`node dist/scripts/conformance/cli.js` is what
// `npm run conformance` starts): exit codes, the printed report, the files written, usage errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { startListeningEnvelope, type ListeningEnvelope } from './envelope-server.js';

const SCRIPTS = fileURLToPath(new URL('../../scripts/conformance/', import.meta.url));

function node(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(SCRIPTS, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const varArgs = (tokens: Record<string, string>, names?: string[]) =>
  Object.entries(tokens).filter(([k]) => !names || names.includes(k)).flatMap(([k, v]) => ['--var', `${k}=${v}`]);

describe('conformance: the commands', function () {
  this.timeout(180_000);
  let server: ListeningEnvelope;
  let out: string;
  before(async () => {
    server = await startListeningEnvelope();
    out = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
  });
  after(async () => {
    await server.stop();
    rmSync(out, { recursive: true, force: true });
  });

  describe('npm run conformance', () => {
    it('passes a suite: exit 0, the report, the TestReport and JUnit files', async () => {
      const r = await node('cli.js', ['--base', server.base, ...varArgs(server.tokens), '--out', out, 'estate', 'hold']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /PASS estate: 11\/11 tests passed/);
      assert.match(r.stdout, /PASS hold: 5\/5 tests passed/);
      assert.match(r.stdout, /2\/2 suites passed, 16\/16 tests/);
      for (const f of ['TestReport-estate.json', 'junit-estate.xml', 'TestReport-hold.json', 'junit-hold.xml']) assert.ok(existsSync(join(out, f)), f);
    });

    it('fails a suite: exit 1, with the reason and the variables that were not set', async () => {
      const r = await node('cli.js', ['--base', server.base, '--var', `estateToken=${server.tokens.estateToken}`, 'publish-slots']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL publish-slots/);
      assert.match(r.stdout, /note: not set: gpToken, pasToken/);
      assert.match(r.stdout, /found '401'/);
    });

    it('lists the suites with the variables each uses', async () => {
      const r = await node('cli.js', ['--list']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^break-glass: Break glass\n {2}6 tests; variables: clerkToken, consultantToken, estateToken, gpToken$/m);
    });

    it('usage errors: exit 2 with the usage text', async () => {
      for (const args of [[], ['--base', 'ftp://x'], ['--base', server.base, 'no-such-suite'], ['--base', server.base, '--var', 'novalue'], ['--base', server.base, '--bogus']]) {
        const r = await node('cli.js', args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^conformance: /);
      }
    });
  });

  describe('npm run seed', () => {
    // A server of its own: the conformance runs above have loaded the estate into the first one.
    let empty: ListeningEnvelope;
    before(async () => {
      empty = await startListeningEnvelope();
    });
    after(() => empty.stop());
    const estateVars = () => varArgs(empty.tokens, ['estateToken', 'pasToken', 'gpSystemToken']);

    it('loads the estate in three transactions, one per identity, and again as updates', async () => {
      const first = await node('seed.js', ['--base', empty.base, '--fixtures', 'estate', ...estateVars()]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /batch 1 \(23 resources, Authorization: Bearer \$\{estateToken\}\): one transaction/);
      assert.match(first.stdout, /batch 2 \(27 resources, Authorization: Bearer \$\{pasToken\}\): one transaction/);
      assert.match(first.stdout, /batch 3 \(4 resources, Authorization: Bearer \$\{gpSystemToken\}\): one transaction/);
      assert.match(first.stdout, /Slot\s+24 {2}\(24 created, 0 updated\)/);
      assert.match(first.stdout, /estate: 54 resources \(54 created, 0 updated\), transaction/);
      assert.doesNotMatch(first.stdout, /note:/, 'every identity the uploads need was given');
      assert.doesNotMatch(first.stdout, new RegExp(empty.tokens.pasToken!.slice(-20)), 'tokens are never printed');

      const slots = await request(empty.env.app).get('/fhir/Slot?schedule=Schedule/est-sch-rr8-dermatology&_total=accurate').set('Authorization', `Bearer ${empty.tokens.gpToken}`).expect(200);
      assert.equal(slots.body.total, 8);

      const again = await node('seed.js', ['--base', empty.base, '--fixtures', 'estate', ...estateVars()]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /estate: 54 resources \(0 created, 54 updated\), transaction/);
    });

    it('one request per resource, in dependency order, on another empty server', async () => {
      const fresh = await startListeningEnvelope();
      try {
        const r = await node('seed.js', ['--base', fresh.base, '--fixtures', 'estate', '--no-transaction', ...varArgs(fresh.tokens, ['estateToken', 'pasToken', 'gpSystemToken'])]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /batch 2 \(27 resources, Authorization: Bearer \$\{pasToken\}\): 27 requests/);
        assert.match(r.stdout, /estate: 54 resources \(54 created, 0 updated\), one by one/);
      } finally {
        await fresh.stop();
      }
    });

    it('stops at the first refusal with the server\'s reason: exit 1', async () => {
      const r = await node('seed.js', ['--base', server.base, '--fixtures', 'estate', ...varArgs(server.tokens, ['estateToken', 'gpSystemToken'])]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /note: not set: pasToken; uploads that authenticate with them send no Authorization/);
      assert.match(r.stderr, /^seed: batch 2 \(27 resources, Authorization: no Authorization\): the transaction was refused with 401: OperationOutcome/);
    });

    it('usage errors: exit 2', async () => {
      for (const args of [['--fixtures', 'estate'], ['--base', server.base], ['--base', server.base, '--fixtures', 'nope']]) {
        const r = await node('seed.js', args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      }
    });
  });
});
