// The README walk-through's tools, end to end: `client-key` makes a key pair whose public half is
// registered, `client-assertion` signs an assertion that a real Envelope's /auth/token accepts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { startEnvelope } from '../../helpers/envelope.js';
import { tokenForm } from './support.js';

const run = promisify(execFile);
const KEY_SCRIPT = fileURLToPath(new URL('../../../scripts/client-key.js', import.meta.url));
const ASSERTION_SCRIPT = fileURLToPath(new URL('../../../scripts/client-assertion.js', import.meta.url));

describe('scripts/client-key and scripts/client-assertion', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'envelope-client-scripts-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  const node = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [script, ...args], { env: { PATH: process.env['PATH'], ...env } });

  it('a key made by client-key, registered, signs assertions that get a token (ES384 and RS384)', async () => {
    const clients = [];
    for (const alg of ['ES384', 'RS384']) {
      const keyFile = join(dir, `${alg}.key.json`);
      const { stdout } = await node(KEY_SCRIPT, ['--out', keyFile, '--alg', alg]);
      const jwks = JSON.parse(stdout);
      assert.equal(jwks.keys.length, 1);
      assert.ok(!('d' in jwks.keys[0]), 'only the public key is printed');
      if (process.platform !== 'win32') assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      assert.ok('d' in JSON.parse(await readFile(keyFile, 'utf8')));
      clients.push({ client_id: `script-${alg}`, jwks, scope: 'system/Slot.rs', organization: 'RXX', role: 'pas-system' });
    }
    const clientsFile = join(dir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify({ format: 'envelope-clients/1', clients }));
    const env = await startEnvelope({ AUTH_CLIENTS_FILE: clientsFile, PUBLIC_BASE_URL: 'https://envelope.test' });
    try {
      for (const alg of ['ES384', 'RS384']) {
        const { stdout } = await node(ASSERTION_SCRIPT, ['--client', `script-${alg}`, '--key', join(dir, `${alg}.key.json`)], { PUBLIC_BASE_URL: 'https://envelope.test/' });
        const assertion = stdout.trim();
        const claims = decodeJwt(assertion);
        assert.equal(claims.aud, 'https://envelope.test/auth/token');
        assert.equal(claims.exp! - claims.iat!, 300);
        assert.equal(decodeProtectedHeader(assertion).alg, alg);
        const res = await request(env.app).post('/auth/token').set('Content-Type', 'application/x-www-form-urlencoded').send(tokenForm(assertion));
        assert.equal(res.status, 200, res.text);
        await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
      }
    } finally {
      await env.stop();
    }
  });

  it('client-assertion defaults aud to http://localhost:PORT/auth/token and honours --aud and --ttl', async () => {
    const keyFile = join(dir, 'default.key.json');
    await node(KEY_SCRIPT, ['--out', keyFile]);
    const a = decodeJwt((await node(ASSERTION_SCRIPT, ['--client', 'c1', '--key', keyFile], { PORT: '9090' })).stdout.trim());
    assert.equal(a.aud, 'http://localhost:9090/auth/token');
    assert.equal(a.iss, 'c1');
    assert.equal(a.sub, 'c1');
    assert.ok(typeof a.jti === 'string' && a.jti.length > 0);
    const b = decodeJwt((await node(ASSERTION_SCRIPT, ['--client', 'c1', '--key', keyFile, '--aud', 'https://x.example/auth/token', '--ttl', '60'])).stdout.trim());
    assert.equal(b.aud, 'https://x.example/auth/token');
    assert.equal(b.exp! - b.iat!, 60);
    assert.notEqual(a.jti, b.jti);
  });

  it('refuse bad arguments and never overwrite a key', async () => {
    const keyFile = join(dir, 'once.key.json');
    await node(KEY_SCRIPT, ['--out', keyFile]);
    await assert.rejects(node(KEY_SCRIPT, ['--out', keyFile]), /already exists/);
    await assert.rejects(node(KEY_SCRIPT, []), /--out is required/);
    await assert.rejects(node(KEY_SCRIPT, ['--out', join(dir, 'x'), '--alg', 'HS256']), /--alg must be ES384 or RS384/);
    await assert.rejects(node(ASSERTION_SCRIPT, ['--key', keyFile]), /--client is required/);
    await assert.rejects(node(ASSERTION_SCRIPT, ['--client', 'c1', '--key', keyFile, '--ttl', '301']), /--ttl/);
    const pub = join(dir, 'pub.json');
    await writeFile(pub, JSON.stringify(JSON.parse((await node(KEY_SCRIPT, ['--out', join(dir, 'p.key.json')])).stdout).keys[0]));
    await assert.rejects(node(ASSERTION_SCRIPT, ['--client', 'c1', '--key', pub]), /not a private key/);
  });
});
