import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createBearerAuth } from '../../src/auth/bearer-auth.js';
import { authConfigFromEnv } from '../../src/auth/config.js';
import { DEV_ISSUER, DEV_KEY_DIR, DEV_KEY_FILE, ensureDevIssuer } from '../../src/auth/dev-issuer.js';
import { FhirError } from '../../src/domain/errors.js';

describe('auth/dev-issuer', () => {
  let dataDir: string;
  beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'envelope-dev-')); });
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }); });
  const keyFile = () => join(dataDir, DEV_KEY_DIR, DEV_KEY_FILE);

  for (const v of ['production', 'Production', ' production ']) {
    it(`refuses to run when NODE_ENV=${JSON.stringify(v)}, and creates no key`, async () => {
      await assert.rejects(ensureDevIssuer(dataDir, { NODE_ENV: v }), /disabled when NODE_ENV=production/);
      await assert.rejects(stat(keyFile()), { code: 'ENOENT' });
    });
  }

  it('creates the key on first use with mode 0600 in a 0700 folder', async () => {
    await ensureDevIssuer(dataDir, {});
    if (process.platform === 'win32') return;
    assert.equal((await stat(keyFile())).mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, DEV_KEY_DIR))).mode & 0o777, 0o700);
  });

  it('persists the key across calls (same kid, same public key)', async () => {
    const a = await ensureDevIssuer(dataDir, {});
    const b = await ensureDevIssuer(dataDir, {});
    assert.equal(a.kid, b.kid);
    assert.deepEqual(a.jwks, b.jwks);
  });

  it('ends with one key when two processes start at once', async () => {
    const [a, b, c] = await Promise.all([ensureDevIssuer(dataDir, {}), ensureDevIssuer(dataDir, {}), ensureDevIssuer(dataDir, {})]);
    const onDisk = JSON.parse(await readFile(keyFile(), 'utf8')) as { kid: string };
    assert.deepEqual([a.kid, b.kid, c.kid], [onDisk.kid, onDisk.kid, onDisk.kid]);
  });

  it('publishes only the public key', async () => {
    const dev = await ensureDevIssuer(dataDir, {});
    assert.equal(dev.jwks.keys.length, 1);
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(m in dev.jwks.keys[0]!, false, m);
    assert.equal(dev.issuer, DEV_ISSUER);
  });

  it('refuses a key file other users can read', async function () {
    if (process.platform === 'win32') this.skip();
    await ensureDevIssuer(dataDir, {});
    await chmod(keyFile(), 0o644);
    await assert.rejects(ensureDevIssuer(dataDir, {}), /readable by other users/);
  });

  it('refuses a corrupt key file instead of replacing it', async () => {
    await ensureDevIssuer(dataDir, {});
    await writeFile(keyFile(), '{"kty":"oct"}', { mode: 0o600 });
    await assert.rejects(ensureDevIssuer(dataDir, {}), /not an ES256 private JWK/);
  });

  it('signs tokens with iss/aud/exp/jti set by the issuer, which the ordinary verifier accepts', async () => {
    const dev = await ensureDevIssuer(dataDir, { AUTH_AUDIENCE: 'my-aud' });
    const token = await dev.sign({ sub: 's', role: 'auditor', scope: 'user/AuditEvent.rs', iss: 'forged', exp: 1 }, 60);
    assert.equal(decodeProtectedHeader(token).kid, dev.kid);
    const claims = decodeJwt(token);
    assert.equal(claims.iss, DEV_ISSUER);
    assert.equal(claims.aud, 'my-aud');
    assert.equal(claims.exp! - claims.iat!, 60);
    assert.equal(typeof claims.jti, 'string');

    const env = { AUTH_AUDIENCE: 'my-aud' };
    const auth = await createBearerAuth(authConfigFromEnv(env), { dataDir, env });
    assert.equal(auth.keySource, 'dev-issuer');
    const p = await auth.verifier.verifyBearer(`Bearer ${token}`);
    assert.equal(p.role, 'auditor');
    assert.equal(p.issuer, DEV_ISSUER);
  });

  it('dev tokens are refused when the audience does not match', async () => {
    const dev = await ensureDevIssuer(dataDir, { AUTH_AUDIENCE: 'other' });
    const token = await dev.sign({ sub: 's', role: 'auditor' }, 60);
    const auth = await createBearerAuth(authConfigFromEnv({}), { dataDir, env: {} });
    await assert.rejects(auth.verifier.verifyBearer(`Bearer ${token}`), (e: unknown) => e instanceof FhirError && e.status === 401);
  });

  it('refuses a ttl outside 1 s .. 24 h', async () => {
    const dev = await ensureDevIssuer(dataDir, {});
    for (const ttl of [0, -1, 1.5, 24 * 3600 + 1]) await assert.rejects(dev.sign({ sub: 's', role: 'r' }, ttl), /ttl/);
  });

  it('createBearerAuth refuses to start the dev issuer in production', async () => {
    const env = { NODE_ENV: 'production' };
    await assert.rejects(createBearerAuth(authConfigFromEnv(env), { dataDir, env }), /NODE_ENV=production/);
  });
});
