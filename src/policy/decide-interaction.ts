// Type-level access decision: may this principal perform this interaction on this resource type at
// all, and on which of its resources? Effective permission = role grants ∩ token scopes; anything
// not granted by both is denied. A grant with conditions (`when`) permits only the resources that
// satisfy them: the decision carries them as Limits (conditions.ts) for the access layer to push
// into queries and to check on single reads and writes.
import { RESOURCE_TYPES, isResourceType } from '../domain/fhir.js';
import type { ResourceType } from '../domain/fhir.js';
import type { Interaction } from '../domain/interaction.js';
import { smartPermission } from '../domain/interaction.js';
import type { Principal, Scope } from '../domain/principal.js';
import { and, or, type Cond } from '../domain/search-types.js';
import { conditionCond, PATIENT_PARAM, type PolicyFacts } from './conditions.js';
import { PERMISSION_ORDER } from './roles.js';
import type { Condition, Grant, Permission, RoleDefinition, RolePolicy } from './roles.js';

/**
 * One grant's conditions for one principal and type. The interaction is permitted on the resources
 * that satisfy ANY of a decision's limits.
 */
export interface Limit {
  /** The grant's conditions, for messages and audit. */
  conditions: readonly Condition[];
  /** The resources of the type this limit covers. */
  where(facts: PolicyFacts): Cond;
  /**
   * Set when the limit rests on a relationship with the patient a resource of this type is about:
   * the parameter naming that patient (`_id` for Patient itself). Writes must be about patients the
   * principal was related to BEFORE the write (the access layer checks it this way).
   */
  patientParam?: string;
  /** With patientParam, on a type other than Patient: what those patients must satisfy. */
  patientWhere?(facts: PolicyFacts): Cond;
}

/** `reason` names the rule that refused; it holds no resource data, so it may go into an OperationOutcome. */
export type Decision = { permit: true; limits?: readonly Limit[] } | { permit: false; reason: string };

const PERMIT: Decision = Object.freeze({ permit: true });
const deny = (reason: string): Decision => ({ permit: false, reason });

function grantsFor(role: RoleDefinition, type: ResourceType, p: Permission): Grant[] {
  return role.grants.filter((g) => g.permissions.has(p) && (g.resources.includes(type) || g.resources.includes('*')));
}

function roleAllows(role: RoleDefinition, type: ResourceType, p: Permission): boolean {
  return grantsFor(role, type, p).length > 0;
}

/**
 * Undefined when some grant is unconditional (every resource of the type) and nothing else limits
 * it; else one Limit per grant. `also`: conditions every grant gets in addition (a `patient/` scope
 * adds own-patient: such a token reaches only the launch patient's record).
 */
function limitsOf(grants: readonly Grant[], type: ResourceType, principal: Principal, also: readonly Condition[] = []): Limit[] | undefined {
  if (also.length === 0 && grants.some((g) => g.when.length === 0)) return undefined;
  const sets = grants.some((g) => g.when.length === 0) ? [also] : grants.map((g) => [...new Set([...g.when, ...also])]);
  return sets.map((when) => {
    const limit: Limit = {
      conditions: when,
      where: (facts) => and(...when.map((c) => conditionCond(c, type, principal, facts))),
    };
    if (when.includes('relationship')) {
      limit.patientParam = type === 'Patient' ? '_id' : PATIENT_PARAM[type];
      if (type !== 'Patient') limit.patientWhere = (facts) => and(...when.map((c) => conditionCond(c, 'Patient', principal, facts)));
    }
    return limit;
  });
}

/** The resources of the type that the limits cover together (undefined limits: all of them). */
export function limitsWhere(limits: readonly Limit[] | undefined, facts: PolicyFacts): Cond | undefined {
  return limits && or(...limits.map((l) => l.where(facts)));
}

/**
 * What the scopes allow: 'all' through a `user/`, `system/` or bare scope; 'own-patient' through a
 * `patient/` scope only — SMART's launch patient, which for Envelope is the Patient the token's
 * `fhirUser` names (no fhirUser Patient: nothing); false otherwise.
 */
function scopeAllows(scopes: readonly Scope[], type: ResourceType, p: Permission): 'all' | 'own-patient' | false {
  const covering = scopes.filter((s) => (s.type === type || s.type === '*') && s.permissions.has(p));
  if (covering.some((s) => s.context !== 'patient')) return 'all';
  return covering.length > 0 ? 'own-patient' : false;
}

/** The letters this principal may use on `type` (role ∩ scopes), conditions or not. Empty for an unknown role. */
export function effectivePermissions(policy: RolePolicy, principal: Principal, type: ResourceType): Set<Permission> {
  const role = policy.roles.get(principal.role);
  if (!role) return new Set();
  return new Set(PERMISSION_ORDER.filter((p) => roleAllows(role, type, p) && scopeAllows(principal.scopes, type, p) !== false));
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
  const grants = grantsFor(role, resourceType, p);
  if (grants.length === 0) return deny(`Role '${role.name}' does not grant ${what}`);
  const scoped = scopeAllows(principal.scopes, resourceType, p);
  if (scoped === false) return deny(`The access token's scopes do not include ${what}`);
  const limits = limitsOf(grants, resourceType, principal, scoped === 'own-patient' ? ['own-patient'] : []);
  return limits ? { permit: true, limits } : PERMIT;
}
