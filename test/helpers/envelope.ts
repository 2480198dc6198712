// A real Envelope for HTTP tests: the composed application on a fresh in-memory SQLite store (or a
// store the caller opens), with the development issuer's key in a temporary data folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevIssuer, type DevIssuer } from '../../src/auth/dev-issuer.js';
import { composeEnvelope, type ComposeOptions, type Envelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';

export interface TestEnvelope extends Envelope {
  issuer: DevIssuer;
  dataDir: string;
  /** A bearer header for a role; scopes default to everything the role is granted. */
  auth(role: string, claims?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/** `opts` supplies collaborators instead of the configured ones: another store (the MongoDB double), a clock. */
export async function startEnvelope(env: Record<string, string> = {}, opts: ComposeOptions = {}): Promise<TestEnvelope> {
  const dataDir = mkdtempSync(join(tmpdir(), 'envelope-test-'));
  const fullEnv = { DATA_DIR: dataDir, SQLITE_FILE: ':memory:', ...env } as NodeJS.ProcessEnv;
  const config = configFromEnv(fullEnv);
  const envelope = await composeEnvelope(config, fullEnv, opts);
  // The key the server verifies with (DATA_DIR may be shared by several Envelopes standing in for processes).
  const issuer = await ensureDevIssuer(config.dataDir, fullEnv);
  return {
    ...envelope,
    issuer,
    dataDir,
    async auth(role, claims = {}) {
      const scope = (scopesForRole(envelope.rolePolicy, role) ?? []).join(' ');
      const token = await issuer.sign({ sub: `test-${role}`, role, scope, ...claims }, 600);
      return `Bearer ${token}`;
    },
    async stop() {
      await envelope.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Grants of a test role: resource types and SMART permission letters (docs/policy.md), and whether
 * the role may choose the ids of what it creates (`mayChooseIds`: a loader PUTting fixtures).
 */
export type TestRoles = Record<string, { resources: string[]; permissions: string; mayChooseIds?: boolean }>;

/**
 * An Envelope whose role policy defines exactly `roles`, as a deployment's own policy file could.
 * The file lives in a private folder, so parallel or repeated runs never share it.
 */
export async function startEnvelopeWithRoles(roles: TestRoles, env: Record<string, string> = {}): Promise<TestEnvelope> {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-policy-'));
  const file = join(dir, 'roles.json');
  const policy = {
    format: 'envelope-role-policy/1',
    roles: Object.fromEntries(Object.entries(roles).map(([name, { mayChooseIds, ...g }]) =>
      [name, { description: `test role ${name}`, grants: [g], ...(mayChooseIds ? { mayChooseIds } : {}) }])),
  };
  writeFileSync(file, JSON.stringify(policy));
  const started = await startEnvelope({ ROLE_POLICY_FILE: file, ...env });
  return {
    ...started,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An Envelope whose role policy is exactly `policy` (a whole `envelope-role-policy/1` document, so a
 * test can set any role key, such as `weakAuthenticationAllowed`). `opts` as for startEnvelope.
 */
export async function startEnvelopeWithPolicy(policy: object, env: Record<string, string> = {}, opts: ComposeOptions = {}): Promise<TestEnvelope> {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-policy-'));
  const file = join(dir, 'roles.json');
  writeFileSync(file, JSON.stringify(policy));
  const started = await startEnvelope({ ROLE_POLICY_FILE: file, ...env }, opts);
  return {
    ...started,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
