// Searches of the whole audit trail (auditors, privacy officers) must name a time window: `date` with a lower and an upper bound (two
// parameters, `ge…` and `le…`, or one `eq` day/month). An unbounded sweep of everyone's accesses is
// an investigation the API should not make casual, and it would scan the whole trail.
import { errors } from '../domain/errors.js';

const LOWER = /^(ge|gt|sa)/;
const UPPER = /^(le|lt|eb)/;
const BOTH = /^(eq)?\d/; // eq (or no prefix): the value's own precision bounds it on both sides

export function requireAuditWindow(types: readonly string[], criteria: readonly [string, string][]): void {
  if (!types.includes('AuditEvent')) return;
  const values = criteria.filter(([k]) => k === 'date').flatMap(([, v]) => v.split(','));
  const bounded = values.some((v) => BOTH.test(v)) || (values.some((v) => LOWER.test(v)) && values.some((v) => UPPER.test(v)));
  if (!bounded) {
    throw errors.badRequest('A search of AuditEvents needs a date range: date=ge… and date=le… (or one date)', 'date');
  }
}
