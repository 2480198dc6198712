// End to end: `node dist/scripts/token.js` prints a token that the server's verifier accepts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBearerAuth } from '../../src/auth/bearer-auth.js';
import { authConfigFromEnv } from '../../src/auth/config.js';
import { formatScope } from '../../src/auth/scopes.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/token.js', import.meta.url));

describe('scripts/token', function () {
  this.timeout(30_000);
  let dataDir: string;
  before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'envelope-token-')); });
  after(async () => { await rm(dataDir, { recursive: true, force: true }); });

  const token = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env['PATH'], DATA_DIR: dataDir, ...env } });

  it('prints a token for a role, with the role grants as scopes, that the verifier accepts', async () => {
    const { stdout } = await token(['--role', 'booking-clerk', '--org', 'rx1', '--user', 'Practitioner/55', '--purpose', 'TREAT', '--ttl', '15m']);
    const auth = await createBearerAuth(authConfigFromEnv({}), { dataDir, env: {} });
    const p = await auth.verifier.verifyBearer(`Bearer ${stdout.trim()}`);
    assert.equal(p.role, 'booking-clerk');
    assert.equal(p.organization, 'RX1');
    assert.equal(p.fhirUser, 'Practitioner/55');
    assert.equal(p.sub, 'Practitioner/55');
    assert.equal(p.purposeOfUse, 'TREAT');
    assert.ok(p.scopes.map(formatScope).includes('user/Appointment.crus'));
    assert.ok(!p.scopes.some((s) => s.type === 'AuditEvent'));
  });

  it('honours --scope and the configured claim names', async () => {
    const env = { AUTH_CLAIM_ROLE: 'selected_role' };
    const { stdout } = await token(['--role', 'auditor', '--scope', 'user/AuditEvent.r'], env);
    const auth = await createBearerAuth(authConfigFromEnv(env), { dataDir, env });
    const p = await auth.verifier.verifyBearer(`Bearer ${stdout.trim()}`);
    assert.equal(p.role, 'auditor');
    assert.deepEqual(p.scopes.map(formatScope), ['user/AuditEvent.r']);
  });

  it('refuses an unknown role, listing the known ones', async () => {
    await assert.rejects(token(['--role', 'superuser']), (e: { code: number; stderr: string }) =>
      e.code === 1 && /unknown role 'superuser'/.test(e.stderr) && /gp-clinician, gp-admin, gp-system/.test(e.stderr));
  });

  it('refuses bad arguments', async () => {
    await assert.rejects(token([]), /--role is required/);
    await assert.rejects(token(['--role', 'auditor', '--user', 'bob']), /--user must be a reference/);
    await assert.rejects(token(['--role', 'auditor', '--ttl', '2d']), /--ttl/);
    await assert.rejects(token(['--role', 'auditor', '--bogus']), /Unknown option/);
  });

  it('refuses in production and when an external IdP is configured', async () => {
    await assert.rejects(token(['--role', 'auditor'], { NODE_ENV: 'production' }), /NODE_ENV=production/);
    await assert.rejects(token(['--role', 'auditor'], { AUTH_JWKS_FILE: '/x.json', AUTH_ISSUER: 'https://idp' }), /identity provider/);
  });
});
