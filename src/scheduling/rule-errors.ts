// The errors the booking and referral rules raise, each an OperationOutcome with the Spine code
// GP Connect uses for it (domain-requirements §1.5): an unknown slot or referral is 422
// REFERENCE_NOT_FOUND, a slot someone else has is 409 DUPLICATE_REJECTED, any other broken rule is
// 422 INVALID_RESOURCE. Messages name the rule and the reference at fault, never stored content.
import { errors, FhirError, SPINE_ERROR_SYSTEM } from '../domain/errors.js';

/** The referenced resource does not exist (or was deleted). */
export function referenceNotFound(msg: string, expression: string): FhirError {
  return errors.unprocessable(
    errors.issue('not-found', msg, expression, { system: SPINE_ERROR_SYSTEM, code: 'REFERENCE_NOT_FOUND', display: 'Reference not found' }),
  );
}

/** The slot was taken (booked or held) by someone else: the booking is a duplicate of theirs. */
export function slotTaken(msg: string, expression: string): FhirError {
  return errors.duplicate(msg, expression);
}

/** A booking or lifecycle rule is broken; `msg` says which. */
export function ruleBroken(msg: string, expression: string | string[]): FhirError {
  return errors.invalid(msg, expression, 'business-rule');
}
