// The status state machines, as tables: for each status, the statuses a client may move it to.
// Staying in the same status is always allowed (an amendment); the rules that apply to an amendment
// live with the resource's other rules.

/** A state machine over status codes. */
export interface Transitions {
  /** What the machine is about, for messages. */
  readonly subject: string;
  readonly next: Readonly<Record<string, readonly string[]>>;
  /** Reachable from every status (for example entered-in-error); may carry extra conditions elsewhere. */
  readonly fromAny: readonly string[];
}

/**
 * proposed → pending → booked → arrived / checked-in → fulfilled; booked → noshow. An appointment
 * that has not happened can be cancelled; a cancelled one is final (book a new one). waitlist is a
 * request without capacity that becomes one of the booking statuses when a slot is found.
 */
export const APPOINTMENT_TRANSITIONS: Transitions = {
  subject: 'Appointment',
  next: {
    waitlist: ['proposed', 'pending', 'booked', 'cancelled'],
    proposed: ['pending', 'cancelled'],
    pending: ['booked', 'cancelled'],
    booked: ['arrived', 'checked-in', 'noshow', 'cancelled'],
    arrived: ['fulfilled'],
    'checked-in': ['fulfilled'],
    fulfilled: [],
    noshow: [],
    cancelled: [],
    'entered-in-error': [],
  },
  fromAny: ['entered-in-error'],
};

/** draft → active → completed / revoked; any → entered-in-error. A draft may be revoked unsent. */
export const REFERRAL_TRANSITIONS: Transitions = {
  subject: 'ServiceRequest (referral)',
  next: {
    draft: ['active', 'revoked'],
    active: ['completed', 'revoked'],
    completed: [],
    revoked: [],
    'entered-in-error': [],
  },
  fromAny: ['entered-in-error'],
};

/** Undefined when `from → to` is allowed; otherwise the rule that forbids it, in words. */
export function forbiddenTransition(machine: Transitions, from: string, to: string): string | undefined {
  if (from === to || machine.fromAny.includes(to)) return undefined;
  const allowed = machine.next[from];
  if (allowed === undefined) return `${machine.subject} status '${from}' is outside the workflow: it can only go to ${list(machine.fromAny)}`;
  if (allowed.includes(to)) return undefined;
  return `${machine.subject} status cannot go from '${from}' to '${to}': from '${from}' it can go to ${list([...allowed, ...machine.fromAny])}`;
}

function list(statuses: readonly string[]): string {
  return statuses.map((s) => `'${s}'`).join(', ');
}
