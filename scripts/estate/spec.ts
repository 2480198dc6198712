// What an estate is made of: the two sizes the caller chooses (slots, patients) and everything that
// follows from them. Bump GENERATOR_VERSION whenever a change alters the generated resources, so a
// seeded data folder from an older generator is not reused by the benchmark.

export const GENERATOR_VERSION = 2;

export interface EstateSpec {
  /** Total Slot resources (over `weeks` weeks). */
  slots: number;
  patients: number;
  /** PRNG seed: the same spec always yields the same resources. */
  seed: number;
  /** First day of the calendar, a Monday (YYYY-MM-DD). */
  start: string;
  weeks: number;
}

export const DEFAULT_SPEC: EstateSpec = {
  slots: 1_000_000,
  patients: 100_000,
  seed: 20260105,
  start: '2026-01-05',
  weeks: 52,
};

/** Id streams: each kind of entity has its own, so ids and draws never depend on other kinds. */
export const STREAM = {
  trust: 1,
  site: 2,
  service: 3,
  consultant: 4,
  consultantRole: 5,
  schedule: 6,
  practice: 7,
  gp: 8,
  gpRole: 9,
  patient: 10,
  slot: 11,
  referral: 12,
  appointment: 13,
  extraReferral: 14,
  patientPractice: 15,
} as const;

/** Shape constants. Chosen to resemble an English ICS: a few trusts, many practices. */
export const SHAPE = {
  /** One acute trust per this many slots a year (10 for the default million). */
  slotsPerTrust: 100_000,
  sitesPerTrust: 2,
  specialtiesPerTrust: 12,
  /** Registered list size of a GP practice. */
  patientsPerPractice: 2_000,
  gpsPerPractice: [4, 8] as const,
  /** Half-day clinic sessions per schedule per week. */
  sessionsPerWeek: [2, 6] as const,
  sessionMinutes: 210,
  /** Share of slots booked (busy, with an Appointment and its referral) and blocked (busy-unavailable). */
  booked: 0.15,
  blocked: 0.03,
  /** Referrals not (or no longer) booked, per slot: awaiting booking (active) or withdrawn (revoked). */
  unbookedReferralPerSlot: 0.04,
  /** Past appointments that were missed. */
  noShow: 0.08,
};

export function checkSpec(spec: EstateSpec): void {
  const whole = (n: number, min: number, what: string) => {
    if (!Number.isInteger(n) || n < min) throw new Error(`${what} must be an integer of at least ${min} (got ${n})`);
  };
  whole(spec.slots, 1, '--slots');
  whole(spec.patients, 1, '--patients');
  whole(spec.weeks, 1, 'weeks');
  if (spec.patients > 9_999_999) throw new Error('--patients is at most 9,999,999 (synthetic NHS number range)');
  const d = new Date(`${spec.start}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(spec.start) || Number.isNaN(d.getTime()) || d.getUTCDay() !== 1) {
    throw new Error(`start must be a Monday as YYYY-MM-DD (got ${spec.start})`);
  }
}

/** Short, stable name of a spec, for data folder names. */
export function specKey(spec: EstateSpec): string {
  return `s${spec.slots}-p${spec.patients}-r${spec.seed}-v${GENERATOR_VERSION}`;
}
