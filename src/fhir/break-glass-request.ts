// Reading a break-glass assertion off a request. FHIR carries a request's purpose of use in the HTTP
// `Category` header (security labels page); break glass is v3-ActReason BTG. The reason is required
// and travels in `X-Break-Glass-Reason`. A token whose purpose-of-use claim is BTG asserts it too.
// Whether the principal may break the glass at all is the access layer's decision, not this file's.
import { errors } from '../domain/errors.js';
import type { FhirRequest } from './types.js';

export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const BREAK_GLASS_REASON_HEADER = 'x-break-glass-reason';
const MAX_REASON = 1000;

/** `BTG; scheme="…v3-ActReason"; label="…"`, `…v3-ActReason#BTG` or `…v3-ActReason|BTG`. */
function isBreakGlassTerm(term: string): boolean {
  const t = term.trim();
  const m = /^([^;\s]+)\s*(?:;(.*))?$/.exec(t);
  if (!m) return false;
  const head = m[1]!.replace(/^"|"$/g, '');
  if (head === `${ACT_REASON}#BTG` || head === `${ACT_REASON}|BTG`) return true;
  if (head !== 'BTG') return false;
  const scheme = /(?:^|;)\s*scheme\s*=\s*"([^"]*)"/.exec(m[2] ?? '')?.[1];
  return scheme === ACT_REASON || scheme === `${ACT_REASON}/`;
}

/** Whether the request asserts break glass, through the Category header or the token's purpose of use. */
export function assertsBreakGlass(req: Pick<FhirRequest, 'headers' | 'principal'>): boolean {
  const category = req.headers['category'];
  if (category !== undefined && category.split(',').some(isBreakGlassTerm)) return true;
  return req.principal.purposeOfUse === 'BTG';
}

/**
 * The break-glass assertion of a request: undefined when there is none; the stated reason when
 * there is one; a 400 naming the header when the reason is missing or too long.
 */
export function breakGlassOf(req: Pick<FhirRequest, 'headers' | 'principal'>): { reason: string } | undefined {
  if (!assertsBreakGlass(req)) return undefined;
  const reason = (req.headers[BREAK_GLASS_REASON_HEADER] ?? '').trim();
  if (reason.length === 0) {
    throw errors.badRequest('Break glass needs a reason: send it in the X-Break-Glass-Reason header', 'X-Break-Glass-Reason');
  }
  if (reason.length > MAX_REASON) throw errors.badRequest(`The break-glass reason may be at most ${MAX_REASON} characters`, 'X-Break-Glass-Reason');
  return { reason };
}
