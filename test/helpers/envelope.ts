// A real Envelope for HTTP tests: the composed application on a fresh in-memory SQLite store (or a
// store the caller opens), with the development issuer's key in a temporary data folder.
import { mkdtempSync, rmSync } from 'node:fs';
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
