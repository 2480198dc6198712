// Envelope's own token signing key: generated once per DATA_DIR (0600), or read from a configured
// private JWK or PEM; anything else refused at start-up.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { TOKEN_KEY_DIR, TOKEN_KEY_FILE, loadSigningKey, type SigningKey } from '../../../src/auth/token/signing-key.js';

async function signsAndVerifies(key: SigningKey): Promise<void> {
  const t = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setExpirationTime('1m').sign(key.privateKey);
  await jwtVerify(t, createLocalJWKSet({ keys: [key.publicJwk] }));
}

describe('auth/token: Envelope signing key', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'envelope-key-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates an ES384 key in DATA_DIR once, owner-only, and reuses it', async () => {
    const a = await loadSigningKey({ dataDir: dir });
    assert.equal(a.alg, 'ES384');
    assert.ok(a.kid.length > 10);
    const file = join(dir, TOKEN_KEY_DIR, TOKEN_KEY_FILE);
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    const b = await loadSigningKey({ dataDir: dir });
    assert.equal(b.kid, a.kid);
    assert.deepEqual(b.publicJwk, a.publicJwk);
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.ok(!(m in a.publicJwk), m);
    assert.deepEqual({ alg: a.publicJwk.alg, use: a.publicJwk.use, kid: a.publicJwk.kid }, { alg: 'ES384', use: 'sig', kid: a.kid });
    await signsAndVerifies(a);
  });

  it('several Envelopes starting together on one DATA_DIR end up with one key', async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadSigningKey({ dataDir: dir })));
    assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
  });

  it('refuses a key file others can read', async function () {
    if (process.platform === 'win32') this.skip();
    await loadSigningKey({ dataDir: dir });
    const file = join(dir, TOKEN_KEY_DIR, TOKEN_KEY_FILE);
    await chmod(file, 0o644);
    await assert.rejects(loadSigningKey({ dataDir: dir }), /readable by other users; run: chmod 600/);
  });

  it('reads a configured PEM (EC P-384 → ES384, RSA → RS384) or private JWK, keeping a given kid', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const pemFile = join(dir, 'ec.pem');
    await writeFile(pemFile, ec.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const fromPem = await loadSigningKey({ file: pemFile, dataDir: dir });
    assert.equal(fromPem.alg, 'ES384');
    await signsAndVerifies(fromPem);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const jwkFile = join(dir, 'rsa.jwk.json');
    await writeFile(jwkFile, JSON.stringify({ ...rsa.export({ format: 'jwk' }), kid: 'ops-2025' }), { mode: 0o600 });
    const fromJwk = await loadSigningKey({ file: jwkFile, dataDir: dir });
    assert.equal(fromJwk.alg, 'RS384');
    assert.equal(fromJwk.kid, 'ops-2025');
    await signsAndVerifies(fromJwk);
    // A configured file means nothing is generated in DATA_DIR.
    await assert.rejects(stat(join(dir, TOKEN_KEY_DIR)), /ENOENT/);
  });

  it('refuses public keys, other curves, short RSA keys and garbage, without quoting the file', async () => {
    const write = async (name: string, text: string) => {
      const f = join(dir, name);
      await writeFile(f, text, { mode: 0o600 });
      return f;
    };
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await assert.rejects(loadSigningKey({ file: await write('pub.pem', pub), dataDir: dir }), /not a private key/);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await assert.rejects(loadSigningKey({ file: await write('p256.pem', p256), dataDir: dir }), /P-384 key \(ES384\) or an RSA key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await assert.rejects(loadSigningKey({ file: await write('small.pem', small), dataDir: dir }), /at least 2048 bits/);
    const secret = 'not a key but a secret: hunter2';
    await assert.rejects(loadSigningKey({ file: await write('junk', secret), dataDir: dir }), (e: Error) => /not a private key/.test(e.message) && !e.message.includes('hunter2'));
    await assert.rejects(loadSigningKey({ file: join(dir, 'missing.pem'), dataDir: dir }), /AUTH_SIGNING_KEY_FILE .*ENOENT/);
  });

  it('refuses a configured key file others can read', async function () {
    if (process.platform === 'win32') this.skip();
    const f = join(dir, 'open.pem');
    await writeFile(f, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await chmod(f, 0o640);
    await assert.rejects(loadSigningKey({ file: f, dataDir: dir }), /readable by other users/);
    assert.ok((await readFile(f, 'utf8')).includes('PRIVATE KEY'));
  });
});
