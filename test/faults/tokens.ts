// Bearer tokens for a server started on a data folder: signed with the development issuer's key in
// that folder (created here if the server has not made it yet), with the scopes the role policy
// grants the role, as `npm run token` makes them.
import { ensureDevIssuer } from '../../src/auth/dev-issuer.js';
import { loadRolePolicy } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';

export type TokenFor = (role: string, claims?: Record<string, unknown>) => Promise<string>;

export async function tokensFor(dataDir: string): Promise<TokenFor> {
  const env = { NODE_ENV: 'development', DATA_DIR: dataDir };
  const issuer = await ensureDevIssuer(dataDir, env);
  const policy = loadRolePolicy(configFromEnv(env).rolePolicyFile);
  return async (role, claims = {}) => {
    const scope = (scopesForRole(policy, role) ?? []).join(' ');
    return `Bearer ${await issuer.sign({ sub: `test-${role}`, role, scope, ...claims }, 3600)}`;
  };
}
