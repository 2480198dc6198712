// POST [base]/Patient/[id]/$claim-relationship (Parameters: reason, required): a self-claimed
// legitimate relationship with the patient, for roles the policy allows to claim one. It lasts a
// limited time and raises an alert for the privacy officer; the answer says until when.
import { errors, informational } from '../../domain/errors.js';
import { releaseOutcome } from '../../access/guard.js';
import type { Ctx } from '../context.js';
import type { FhirResponse } from '../types.js';
import { operationInputs } from './parameters.js';

export async function claimRelationship(ctx: Ctx, id: string): Promise<FhirResponse> {
  const inputs = operationInputs(ctx.req, ['reason']);
  const reasons = inputs.filter(([n]) => n === 'reason').map(([, v]) => v);
  if (reasons.length !== 1) throw errors.badRequest('Exactly one reason is required', "Parameters.parameter.where(name = 'reason')");
  const claim = await ctx.guard.claimRelationship(id, reasons[0]!, ctx.req.requestId);
  const text = `Relationship with Patient/${claim.patient} claimed until ${claim.expiresAt}; the privacy officer has been alerted`;
  return { status: 200, headers: {}, body: releaseOutcome(informational(text)) };
}
