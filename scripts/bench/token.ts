// Bearer tokens for the benchmark, minted by the development issuer whose key lives in the seeded
// data folder, so the server (started on that folder) accepts them like any `npm run token` token.
import { ensureDevIssuer } from '../../src/auth/dev-issuer.js';
import { loadRolePolicy } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { scopesForRole } from '../../src/policy/role-scopes.js';

/**
 * A `Bearer …` header value for `role` with every scope the role is granted, valid for `ttlSec`;
 * `organization`: the ODS code the principal acts for (patient data needs a relationship with it).
 */
export async function bearerFor(role: string, dataDir: string, env: NodeJS.ProcessEnv, ttlSec = 4 * 3600, organization?: string): Promise<string> {
  const policy = loadRolePolicy(configFromEnv(env).rolePolicyFile);
  if (!policy.roles.has(role)) throw new Error(`The role policy has no role '${role}'`);
  const scope = (scopesForRole(policy, role) ?? []).join(' ');
  const issuer = await ensureDevIssuer(dataDir, env);
  const claims = organization === undefined ? {} : { organization };
  const token = await issuer.sign({ sub: `bench-${role}${organization ? `-${organization}` : ''}`, role, scope, ...claims }, ttlSec);
  return `Bearer ${token}`;
}
