// Type-level access decision: may this principal perform this interaction on this resource type at
// all? Effective permission = role grants ∩ token scopes; anything not granted by both is denied.
// Instance-level rules (relationship, consent, labels) come after this, on each resource.
import { RESOURCE_TYPES, isResourceType } from '../domain/fhir.js';
import type { ResourceType } from '../domain/fhir.js';
import type { Interaction } from '../domain/interaction.js';
import { smartPermission } from '../domain/interaction.js';
import type { Principal, Scope } from '../domain/principal.js';
import { ENFORCED_CONDITIONS, PERMISSION_ORDER } from './roles.js';
import type { Grant, Permission, RoleDefinition, RolePolicy } from './roles.js';

/** `reason` names the rule that refused; it holds no resource data, so it may go into an OperationOutcome. */
export type Decision = { permit: true } | { permit: false; reason: string };

const PERMIT: Decision = Object.freeze({ permit: true });
const deny = (reason: string): Decision => ({ permit: false, reason });

/** A grant counts only when every condition it carries can be enforced by this version. */
function grantApplies(g: Grant): boolean {
  return g.when.every((c) => ENFORCED_CONDITIONS.has(c));
}

function grantsFor(role: RoleDefinition, type: ResourceType, p: Permission): Grant[] {
  return role.grants.filter((g) => g.permissions.has(p) && (g.resources.includes(type) || g.resources.includes('*')));
}

function roleAllows(role: RoleDefinition, type: ResourceType, p: Permission): boolean {
  return grantsFor(role, type, p).some(grantApplies);
}

/**
 * Scopes in `patient/` context are limited to the launch patient, which nothing enforces yet, so they
 * grant nothing for now rather than acting as `user/` scopes.
 */
function scopeAllows(scopes: readonly Scope[], type: ResourceType, p: Permission): boolean {
  return scopes.some((s) => s.context !== 'patient' && (s.type === type || s.type === '*') && s.permissions.has(p));
}

/** The letters this principal may use on `type` (role ∩ scopes). Empty for an unknown role. */
export function effectivePermissions(policy: RolePolicy, principal: Principal, type: ResourceType): Set<Permission> {
  const role = policy.roles.get(principal.role);
  if (!role) return new Set();
  return new Set(PERMISSION_ORDER.filter((p) => roleAllows(role, type, p) && scopeAllows(principal.scopes, type, p)));
}

const LETTER_NAME: Record<Permission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/**
 * Rules for interactions without a resource type of their own:
 *  - capabilities: any principal whose role is defined (GET /metadata is public anyway).
 *  - batch, transaction: the Bundle is admitted if the principal has any effective permission on
 *    any type; each entry must then be decided on its own with its own interaction and type.
 *  - search-system, history-system: decide once per resource type searched; a call without a
 *    concrete type is denied.
 *  - operation: denied; operations will be granted by name in a later format version.
 */
export function decideInteraction(policy: RolePolicy, principal: Principal, interaction: Interaction, resourceType: string): Decision {
  const role = policy.roles.get(principal.role);
  if (!role) return deny('The role in the access token is not defined by the role policy');

  switch (interaction) {
    case 'capabilities':
      return PERMIT;
    case 'batch':
    case 'transaction':
      return RESOURCE_TYPES.some((t) => effectivePermissions(policy, principal, t).size > 0)
        ? PERMIT
        : deny(`Role '${role.name}' with the token's scopes permits no interaction, so a ${interaction} cannot succeed`);
    case 'operation':
      return deny('Operations are not granted by the role policy');
    default:
      break;
  }

  const p = smartPermission(interaction);
  if (p === undefined) return deny(`Interaction '${interaction}' is not granted by the role policy`);
  if (!isResourceType(resourceType)) return deny(`'${interaction}' must be decided for a concrete resource type`);

  const what = `${LETTER_NAME[p]} (${p}) on ${resourceType}`;
  if (!roleAllows(role, resourceType, p)) {
    return grantsFor(role, resourceType, p).length > 0
      ? deny(`Role '${role.name}' grants ${what} only under conditions this server does not yet enforce`)
      : deny(`Role '${role.name}' does not grant ${what}`);
  }
  if (!scopeAllows(principal.scopes, resourceType, p)) return deny(`The access token's scopes do not include ${what}`);
  return PERMIT;
}
