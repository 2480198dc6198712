// The booking searches of the "search" suite, as a GP system sends them, with every request drawn
// afresh from the seeded estate (a random service and two-week window, a random patient, a random
// referrer) so that no cache or hot page makes one query look cheaper than the traffic it stands for.
import { SYSTEMS } from '../../estate/codes.js';
import { DAY_MS, dayMsOf, isoDate } from '../../estate/calendar.js';
import { buildDirectory } from '../../estate/directory.js';
import type { EstateSpec } from '../../estate/spec.js';
import { bundleShape, estateOf, type Scenario } from '../scenario.js';

const q = encodeURIComponent;

/**
 * How many two-week windows (by first day) the free-slot search may draw: each must hold at least
 * seven days of weeks the estate filled completely. The generator stops when it has made spec.slots
 * slots, so a small estate's calendar ends weeks before its last day; a window there would be empty.
 * (At the default size 51 of 52 weeks are full, and this is every window of the year, as before.)
 */
export function windowStarts(spec: EstateSpec, calendarDays: number): number {
  const fullWeeks = Math.floor(spec.slots / buildDirectory(spec).slotsPerWeek);
  return Math.max(1, Math.min(calendarDays - 13, fullWeeks * 7 - 6));
}

/** Slot search for one service over two weeks, with its schedules and their actors. */
export const freeSlots: Scenario = {
  id: 'search.free-slots',
  title: 'Free slots of one service over two weeks, with schedules and their actors',
  target: 'envelope',
  role: 'gp-clinician',
  example:
    'GET /fhir/Slot?status=free&start=ge2026-03-02&start=le2026-03-15&schedule.actor=HealthcareService/{id}' +
    `&service-type=${SYSTEMS.treatmentFunction}|{code}&_include=Slot:schedule&_include:iterate=Schedule:actor`,
  create(ctx) {
    const { rng } = ctx;
    const estate = estateOf(ctx, 'search.free-slots');
    const { services, firstDay, lastDay } = estate.samples;
    const first = dayMsOf(firstDay);
    const starts = windowStarts(estate.spec, Math.round((dayMsOf(lastDay) - first) / DAY_MS) + 1);
    return {
      next() {
        const s = rng.pick(services);
        const from = first + rng.int(starts) * DAY_MS;
        const to = from + 13 * DAY_MS;
        return {
          method: 'GET',
          path:
            `/fhir/Slot?status=free&start=ge${isoDate(from)}&start=le${isoDate(to)}` +
            `&schedule.actor=${q(`HealthcareService/${s.id}`)}&service-type=${q(`${SYSTEMS.treatmentFunction}|${s.serviceType}`)}` +
            `&_include=Slot:schedule&_include:iterate=Schedule:actor`,
        };
      },
      // Every sampled service has clinics each week, so a two-week window always has free slots.
      check: (status, body) => bundleShape(status, body, 1),
    };
  },
};

/** A patient's appointments from a date on (what a GP checks before booking another). */
export const patientAppointments: Scenario = {
  id: 'search.patient-appointments',
  title: "A patient's appointments from a date",
  target: 'envelope',
  role: 'gp-clinician',
  example: 'GET /fhir/Appointment?patient=Patient/{id}&date=ge2026-05-11',
  create(ctx) {
    const { rng, practices, authFor } = ctx;
    const { appointments, firstDay } = estateOf(ctx, 'search.patient-appointments').samples;
    const first = dayMsOf(firstDay);
    return {
      next() {
        // A patient known to have an appointment, from a day between the calendar start and that
        // appointment: the answer is never empty, and the bound varies.
        const a = rng.pick(appointments);
        const apptDay = dayMsOf(a.start.slice(0, 10));
        const from = first + rng.int(Math.max(1, Math.round((apptDay - first) / DAY_MS) + 1)) * DAY_MS;
        // Asked by a clinician of the patient's own practice (a legitimate relationship).
        return {
          method: 'GET',
          path: `/fhir/Appointment?patient=${q(`Patient/${a.patient}`)}&date=ge${isoDate(from)}`,
          ...(authFor && practices ? { headers: { authorization: authFor(practices.ofPatient(a.patient)) } } : {}),
        };
      },
      check: (status, body) => bundleShape(status, body, 1),
    };
  },
};

/** A referrer's open referrals, with the appointments booked against them. */
export const referrerWorklist: Scenario = {
  id: 'search.referrals',
  title: "A GP's active referrals, with the appointments based on them",
  target: 'envelope',
  role: 'gp-clinician',
  example: 'GET /fhir/ServiceRequest?requester=PractitionerRole/{id}&status=active&_revinclude=Appointment:based-on',
  create(ctx) {
    const { rng, practices, authFor } = ctx;
    const { requesters } = estateOf(ctx, 'search.referrals').samples;
    return {
      next() {
        const r = rng.pick(requesters);
        // Asked by the referrer's own practice: its patients are registered there.
        return {
          method: 'GET',
          path: `/fhir/ServiceRequest?requester=${q(`PractitionerRole/${r}`)}&status=active&_revinclude=Appointment:based-on`,
          ...(authFor && practices ? { headers: { authorization: authFor(practices.ofRequester(r)) } } : {}),
        };
      },
      check: (status, body) => bundleShape(status, body, 1),
    };
  },
};

export const SEARCH_SCENARIOS: readonly Scenario[] = [freeSlots, patientAppointments, referrerWorklist];
