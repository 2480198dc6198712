// The provision elements decided per request, before any data is touched: actor, action, purpose
// and period. Each folds into a constant, so a provision that cannot match this access disappears
// from the compiled condition. A stated element matches only what Envelope can verify; an actor,
// action or purpose it cannot read matches nobody.
import type { r4 } from '../../domain/fhir.js';
import { ACT_REASON_SYSTEM, CONSENT_ACTION_SYSTEM, ENVELOPE_ROLE_SYSTEM, ODS_SYSTEM, codesOf, codingIs, localReference } from './codes.js';
import { periodContains } from './dates.js';
import type { AccessContext } from './types.js';

/** Whether the Reference identifies the principal: its organisation, its Practitioner or one of its PractitionerRoles. */
function referenceIsPrincipal(ref: r4.Reference, ctx: AccessContext): boolean {
  const local = localReference(ref);
  if (local !== undefined) {
    return ctx.organizationRefs.includes(local) || ctx.practitionerRef === local || ctx.practitionerRoleRefs.includes(local);
  }
  // A logical reference to the organisation by its ODS code (an Organization the server may not hold).
  const id = ref.identifier;
  return ctx.organization !== undefined && id?.system === ODS_SYSTEM && id.value === ctx.organization &&
    (ref.type === undefined || ref.type === 'Organization');
}

/**
 * One actor entry matches when every constraint it states holds, and it states at least one: an
 * Envelope role coding in `role` (the principal's role must be one of them) and a reference that
 * names someone (`reference` or `identifier`: it must be the principal). An entry naming no one
 * Envelope can recognise (a display only, a role from another code system only) matches nobody.
 */
export function actorMatches(actor: r4.ConsentProvisionActor, ctx: AccessContext): boolean {
  const roles = codesOf(actor.role?.coding, ENVELOPE_ROLE_SYSTEM);
  const ref = actor.reference;
  const namesSomeone = ref !== undefined && (ref.reference !== undefined || ref.identifier !== undefined);
  if (roles.length === 0 && !namesSomeone) return false;
  if (roles.length > 0 && !roles.includes(ctx.role)) return false;
  return !namesSomeone || referenceIsPrincipal(ref!, ctx);
}

/** Whether the provision's request-level elements (each absent one matches anything) hold for this access. */
export function requestMatches(p: r4.ConsentProvision, ctx: AccessContext, purposes: readonly string[]): boolean {
  if (p.actor !== undefined && p.actor.length > 0 && !p.actor.some((a) => actorMatches(a, ctx))) return false;
  if (p.action !== undefined && p.action.length > 0 &&
    !p.action.some((cc) => (cc.coding ?? []).some((c) => codingIs(c, CONSENT_ACTION_SYSTEM, ctx.action)))) return false;
  // Several purposes: the access must carry all of them (FHIR Consent.provision.purpose).
  if (p.purpose !== undefined && p.purpose.length > 0 &&
    !p.purpose.every((c) => codingIs(c, ACT_REASON_SYSTEM) && purposes.includes(c.code!))) return false;
  return periodContains(p.period, ctx.now);
}
