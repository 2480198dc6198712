// The SMART scopes that exactly cover a role's grants: what a client for that role should request,
// and what `npm run token` puts in a dev token by default. Pure.
import { RESOURCE_TYPES } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import { effectivePermissions } from './decide-interaction.js';
import type { RolePolicy } from './roles.js';

/**
 * One `context/Type.letters` scope per resource type the role can use, in RESOURCE_TYPES order.
 * Derived through effectivePermissions with unlimited scopes, so conditional grants that are not yet
 * enforced are left out exactly as the decision leaves them out. Undefined for an unknown role.
 */
export function scopesForRole(policy: RolePolicy, roleName: string, context: 'user' | 'system' = 'user'): string[] | undefined {
  if (!policy.roles.has(roleName)) return undefined;
  const unlimited: Principal = {
    sub: 'scopes-for-role', authMethod: 'jwt', role: roleName,
    scopes: [{ context, type: '*', permissions: new Set(['c', 'r', 'u', 'd', 's'] as const) }],
  };
  const out: string[] = [];
  for (const type of RESOURCE_TYPES) {
    const letters = [...effectivePermissions(policy, unlimited, type)].join('');
    if (letters) out.push(`${context}/${type}.${letters}`);
  }
  return out;
}
