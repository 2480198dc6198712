// A real Envelope for HTTP tests: the composed application on a fresh in-memory SQLite store (or a
// store the caller opens), with the development issuer's key in a temporary data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevIssuer, type DevIssuer } from '../../src/auth/dev-issuer.js';
import { composeEnvelope, type Envelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';

export interface TestEnvelope extends Envelope {
  issuer: DevIssuer;
  dataDir: string;
  /** A bearer header for a role; scopes default to everything the role is granted. */
  auth(role: string, claims?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export async function startEnvelope(env: Record<string, string> = {}): Promise<TestEnvelope> {
  const dataDir = mkdtempSync(join(tmpdir(), 'envelope-test-'));
  const fullEnv = { DATA_DIR: dataDir, SQLITE_FILE: ':memory:', ...env } as NodeJS.ProcessEnv;
  const envelope = await composeEnvelope(configFromEnv(fullEnv), fullEnv);
  const issuer = await ensureDevIssuer(dataDir, fullEnv);
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
