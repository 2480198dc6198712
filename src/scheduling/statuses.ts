// Status vocabularies and the groups of statuses the rules reason about.

/** Appointment statuses in which the appointment has its slots (they are `busy` for it). */
export const HOLDS_SLOTS: ReadonlySet<string> = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'fulfilled', 'noshow']);

/** Statuses a new appointment may have: the booking statuses, and waitlist (a request without capacity). */
export const CREATE_STATUSES: ReadonlySet<string> = new Set(['proposed', 'pending', 'booked', 'waitlist']);

/** Statuses in which an appointment must reference the slots it books (a proposal may come first). */
export const NEEDS_SLOTS: ReadonlySet<string> = new Set(['pending', 'booked', 'arrived', 'checked-in', 'fulfilled', 'noshow']);

/** Statuses of an appointment that still lies ahead and would be cancelled with its referral. */
export const UPCOMING: readonly string[] = ['proposed', 'pending', 'booked', 'waitlist'];

/** Slot statuses a PAS uses to take capacity away. */
export const WITHDRAWN_SLOT: ReadonlySet<string> = new Set(['busy-unavailable', 'entered-in-error']);

/** Referral statuses that end its bookings' purpose: their upcoming appointments are cancelled. */
export const REFERRAL_ENDS_BOOKINGS: ReadonlySet<string> = new Set(['revoked', 'entered-in-error']);
