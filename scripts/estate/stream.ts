// The estate as one ordered stream of resources, generated lazily so a million-slot estate never sits
// in memory: the directory first, then patients, then the calendar week by week (a PAS publishes slots
// on a rolling horizon across all its clinics), each booked slot followed by its referral and
// appointment.
import type { Resource } from '../../src/domain/fhir.js';
import { GIVEN_FEMALE, GIVEN_MALE, STREETS, TOWNS } from './codes.js';
import { DAY_MS, dayMsOf, isoDate, localInstant, localMs } from './calendar.js';
import { buildDirectory, patientNameOf, practiceOf, type Directory, type Schedule } from './directory.js';
import { nhsNumberFor } from './nhs-number.js';
import { entityId, hash32, Rng } from './prng.js';
import * as build from './resources.js';
import { SHAPE, STREAM, type EstateSpec } from './spec.js';

/** What the benchmark needs to draw realistic queries, collected while generating. */
export interface EstateSamples {
  /** Services that have clinics, with the service type the slot search filters on. */
  services: { id: string; serviceType: string }[];
  /** GP PractitionerRoles (requesters of referrals). */
  requesters: string[];
  /** Patients with an appointment, and that appointment's start (a reservoir sample). */
  appointments: { patient: string; start: string; id: string }[];
  /** First and last day of the calendar (YYYY-MM-DD). */
  firstDay: string;
  lastDay: string;
}

export interface Estate {
  spec: EstateSpec;
  directory: Directory;
  /** Filled in as the stream is consumed; complete once it is exhausted. */
  samples: EstateSamples;
  counts: Record<string, number>;
  resources(): Generator<Resource>;
}

const APPOINTMENT_SAMPLE = 5_000;

export function createEstate(spec: EstateSpec): Estate {
  const directory = buildDirectory(spec);
  const firstDayMs = dayMsOf(spec.start);
  const lastDayMs = firstDayMs + (spec.weeks * 7 - 1) * DAY_MS;
  const samples: EstateSamples = {
    services: directory.services.filter((s) => s.schedules.length > 0).map((s) => ({ id: s.id, serviceType: s.specialty.tfc })),
    requesters: directory.practices.flatMap((p) => p.gps.map((g) => g.roleId)),
    appointments: [],
    firstDay: isoDate(firstDayMs),
    lastDay: isoDate(lastDayMs),
  };
  const counts: Record<string, number> = {};
  const estate: Estate = { spec, directory, samples, counts, resources };

  function* resources(): Generator<Resource> {
    for (const r of directoryResources(directory, firstDayMs, lastDayMs)) yield counted(r);
    for (let p = 0; p < spec.patients; p++) yield counted(patientResource(spec, directory, p));
    for (const r of calendar(spec, directory, firstDayMs, samples)) yield counted(r);
  }
  function counted(r: Resource): Resource {
    counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
    return r;
  }
  return estate;
}

function* directoryResources(dir: Directory, firstDayMs: number, lastDayMs: number): Generator<Resource> {
  let siteN = 0;
  for (const t of dir.trusts) {
    yield build.trustOrganization(t);
    for (const s of t.sites) yield build.siteLocation(s, t, siteN++);
  }
  for (const p of dir.practices) yield build.practiceOrganization(p);
  for (const s of dir.services) yield build.healthcareService(s);
  for (const t of dir.trusts) {
    for (const c of t.consultants) {
      yield build.consultantPractitioner(c);
      const services = t.services.filter((s) => s.schedules.some((x) => x.consultant === c));
      yield build.consultantRole(c, t, services);
    }
  }
  for (const p of dir.practices) {
    for (const g of p.gps) {
      yield build.gpPractitioner(g);
      yield build.gpRole(g, p);
    }
  }
  const horizon = { start: isoDate(firstDayMs), end: isoDate(lastDayMs) };
  for (const s of dir.schedules) yield build.schedule(s, horizon);
}

function patientResource(spec: EstateSpec, dir: Directory, p: number): Resource {
  const { given, family, gender } = patientNameOf(spec.seed, p);
  const rng = Rng.for(spec.seed, STREAM.patient ^ 0x100, p);
  const practice = practiceOf(dir, spec.seed, p);
  // Ages 0–95, weighted towards adults as outpatient lists are.
  const age = rng.chance(0.15) ? rng.int(18) : 18 + rng.int(78);
  const birthMs = dayMsOf(spec.start) - age * 365.25 * DAY_MS - rng.int(365) * DAY_MS;
  const facts: build.PatientFacts = {
    id: entityId(spec.seed, STREAM.patient, p),
    nhsNumber: nhsNumberFor(p),
    given,
    family,
    gender,
    birthDate: isoDate(birthMs),
    houseNumber: 1 + rng.int(240),
    street: rng.pick(STREETS),
    town: rng.chance(0.8) ? practice.town : rng.pick(TOWNS),
    phone: `07${String(700000000 + (hash32(spec.seed, p, 7) % 299999999)).padStart(9, '0')}`,
    practice,
  };
  if (rng.chance(0.4)) facts.middle = rng.pick(gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE);
  return build.patient(facts, p) as Resource;
}

/** A minute between 08:00 and 18:00 (UTC) on the day of `ms`: when referrals are written and booked. */
function workingTime(ms: number, rng: Rng): number {
  return Math.floor(ms / DAY_MS) * DAY_MS + (8 * 60 + rng.int(600)) * 60_000;
}

function patientDisplay(seed: number, p: number): string {
  const n = patientNameOf(seed, p);
  return `${n.given} ${n.family.toUpperCase()}`;
}

/** Slots in week-major order, each booked slot followed by its referral and appointment. */
function* calendar(spec: EstateSpec, dir: Directory, firstDayMs: number, samples: EstateSamples): Generator<Resource> {
  const { seed } = spec;
  // Appointments before this instant have happened (fulfilled / no-show, referral completed).
  const nowMs = firstDayMs + Math.floor(spec.weeks / 2) * 7 * DAY_MS;
  let slotIndex = 0;
  let booked = 0;
  let unbooked = 0;
  let seen = 0;
  const sampleRng = new Rng(hash32(seed, 0xa11));
  for (let w = 0; w < spec.weeks && slotIndex < spec.slots; w++) {
    for (const sch of dir.schedules) {
      for (const session of sch.sessions) {
        const dayMs = firstDayMs + (w * 7 + session.weekday) * DAY_MS;
        for (let k = 0; k < sch.slotsPerSession; k++) {
          if (slotIndex >= spec.slots) return;
          const g = slotIndex++;
          const rng = Rng.for(seed, STREAM.slot, g);
          const startMin = session.startMinute + k * sch.slotMinutes;
          const start = localInstant(dayMs, startMin);
          const end = localInstant(dayMs, startMin + sch.slotMinutes);
          const startMs = localMs(dayMs, startMin);
          const slotId = entityId(seed, STREAM.slot, g);
          const draw = rng.next();
          if (draw < SHAPE.booked) {
            yield build.slot(slotId, sch, 'busy', start, end) as Resource;
            const drawn = { patient: '', id: '' };
            yield* booking(spec, dir, sch, rng, booked++, { slotId, start, end, startMs, nowMs }, drawn);
            // Reservoir sample of (patient, appointment start) for the appointment search.
            const { patient, id } = drawn;
            seen++;
            if (samples.appointments.length < APPOINTMENT_SAMPLE) samples.appointments.push({ patient, start, id });
            else {
              const j = sampleRng.int(seen);
              if (j < APPOINTMENT_SAMPLE) samples.appointments[j] = { patient, start, id };
            }
          } else {
            yield build.slot(slotId, sch, draw < SHAPE.booked + SHAPE.blocked ? 'busy-unavailable' : 'free', start, end) as Resource;
          }
          if (rng.chance(SHAPE.unbookedReferralPerSlot)) {
            yield unbookedReferral(spec, dir, sch, unbooked++, startMs, nowMs);
          }
        }
      }
    }
  }
}

interface SlotTimes {
  slotId: string;
  start: string;
  end: string;
  startMs: number;
  nowMs: number;
}

/** The referral and appointment of booked slot number `b`; `drawn.patient` receives the patient id. */
function* booking(
  spec: EstateSpec, dir: Directory, sch: Schedule, rng: Rng, b: number, t: SlotTimes, drawn: { patient: string; id: string },
): Generator<Resource> {
  const { slotId, start, end, startMs, nowMs } = t;
  const { seed } = spec;
  const p = rng.int(spec.patients);
  const patientId = entityId(seed, STREAM.patient, p);
  const patientName = patientDisplay(seed, p);
  const practice = practiceOf(dir, seed, p);
  const requester = rng.pick(practice.gps);
  const past = startMs < nowMs;
  const referralId = entityId(seed, STREAM.referral, b);
  // Referred 2–12 weeks before the appointment during surgery hours, booked within days of that.
  const authoredMs = workingTime(startMs - rng.range(14, 84) * DAY_MS, rng);
  const createdMs = workingTime(authoredMs + rng.range(1, 10) * DAY_MS, rng);
  yield build.serviceRequest({
    id: referralId,
    ubrn: String(100_000_000_000 + b * 7 + 3).slice(0, 12),
    status: past ? 'completed' : 'active',
    patientId,
    patientName,
    requester,
    trust: sch.service.trust,
    specialty: sch.service.specialty,
    authoredOn: new Date(authoredMs).toISOString(),
  }) as Resource;
  yield build.appointment({
    id: entityId(seed, STREAM.appointment, b),
    pasId: `APT${String(b).padStart(8, '0')}`,
    status: past ? (rng.chance(SHAPE.noShow) ? 'noshow' : 'fulfilled') : 'booked',
    slotId,
    schedule: sch,
    start,
    end,
    created: new Date(createdMs).toISOString(),
    referralId,
    patientId,
    patientName,
  }) as Resource;
  drawn.patient = patientId;
  drawn.id = entityId(seed, STREAM.appointment, b);
}

function unbookedReferral(spec: EstateSpec, dir: Directory, sch: Schedule, u: number, startMs: number, nowMs: number): Resource {
  const { seed } = spec;
  const rng = Rng.for(seed, STREAM.extraReferral, u);
  const p = rng.int(spec.patients);
  const practice = practiceOf(dir, seed, p);
  // Around the calendar time it is generated at: still waiting (active) or withdrawn (revoked).
  const authoredMs = workingTime(Math.min(startMs, nowMs) - rng.int(60) * DAY_MS, rng);
  return build.serviceRequest({
    id: entityId(seed, STREAM.extraReferral, u),
    ubrn: String(200_000_000_000 + u * 7 + 5).slice(0, 12),
    status: rng.chance(0.6) ? 'active' : 'revoked',
    patientId: entityId(seed, STREAM.patient, p),
    patientName: patientDisplay(seed, p),
    requester: rng.pick(practice.gps),
    trust: sch.service.trust,
    specialty: sch.service.specialty,
    authoredOn: new Date(authoredMs).toISOString(),
  }) as Resource;
}
