// The WriteRules of Envelope's booking and referral workflow: one entry point that the access layer
// calls inside every write's transaction, dispatching on the resource type (and on the operation,
// for $hold). Other types pass unchanged.
import { errors } from '../domain/errors.js';
import { appointmentRules } from './appointment-rules.js';
import { HOLD_OPERATION, holdRules } from './hold-rules.js';
import type { RuleOutcome, WriteRules } from './port.js';
import { referralRules } from './referral-rules.js';
import { slotRules } from './slot-rules.js';
import { scheduleRules } from './schedule-rules.js';

export interface BookingRulesOptions {
  /** Minutes a $hold lasts. */
  holdMinutes: number;
}

const UNCHANGED: RuleOutcome = { followUps: [] };

export function bookingRules(opts: BookingRulesOptions): WriteRules {
  return {
    async check(intent, ctx) {
      if (intent.operation !== undefined) {
        if (intent.operation === HOLD_OPERATION && intent.type === 'Slot' && intent.current) return holdRules(intent, ctx, opts.holdMinutes);
        throw errors.notImplemented(`${intent.operation} is not available on ${intent.type}`);
      }
      switch (intent.type) {
        case 'Appointment':
          return appointmentRules(intent, ctx);
        case 'Slot':
          return slotRules(intent, ctx);
        case 'Schedule':
          return scheduleRules(intent, ctx);
        case 'ServiceRequest':
          return referralRules(intent, ctx);
        default:
          return UNCHANGED;
      }
    },
  };
}
