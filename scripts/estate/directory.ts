// The service directory of an estate: hospital trusts with their sites, services, consultants and
// clinic schedules; GP practices with their GPs. Small (thousands of entries even for the largest
// estate), so it is built in memory up front; the bulk (patients, slots, referrals, appointments)
// is streamed from it by stream.ts.
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, SPECIALTIES, TOWNS, type Specialty } from './codes.js';
import { entityId, hash32, Rng } from './prng.js';
import { SHAPE, STREAM, type EstateSpec } from './spec.js';

export interface Person {
  id: string;
  roleId: string;
  given: string;
  family: string;
  gender: 'male' | 'female';
  /** SDS user id (12 digits) and, for GPs, a GMP code; for consultants a GMC number. */
  sdsId: string;
  professionalId: string;
}

export interface Site {
  id: string;
  odsSite: string;
  name: string;
  town: (typeof TOWNS)[number];
}

export interface Trust {
  index: number;
  id: string;
  ods: string;
  name: string;
  town: (typeof TOWNS)[number];
  sites: Site[];
  services: Service[];
  consultants: Person[];
}

export interface Service {
  index: number;
  id: string;
  trust: Trust;
  site: Site;
  specialty: Specialty;
  schedules: Schedule[];
}

/** A half-day clinic session in the weekly pattern: weekday 0 (Mon) .. 4 (Fri), start minute of day. */
export interface Session {
  weekday: number;
  startMinute: number;
}

export interface Schedule {
  index: number;
  id: string;
  service: Service;
  consultant: Person;
  sessions: Session[];
  slotMinutes: number;
  slotsPerSession: number;
  slotsPerWeek: number;
}

export interface Practice {
  index: number;
  id: string;
  ods: string;
  name: string;
  town: (typeof TOWNS)[number];
  street: string;
  gps: Person[];
}

export interface Directory {
  trusts: Trust[];
  services: Service[];
  schedules: Schedule[];
  practices: Practice[];
  /** Slots the schedules offer per week in total (≥ spec.slots / spec.weeks). */
  slotsPerWeek: number;
}

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXY0123456789';
const SESSION_STARTS = [9 * 60, 13 * 60 + 30];

function person(seed: number, stream: number, roleStream: number, index: number): Person {
  const rng = Rng.for(seed, stream, index);
  const gender = rng.chance(0.5) ? 'female' : 'male';
  return {
    id: entityId(seed, stream, index),
    roleId: entityId(seed, roleStream, index),
    given: rng.pick(gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE),
    family: rng.pick(FAMILY),
    gender,
    sdsId: String(500_000_000_000 + hash32(seed, stream, index) * 10 + (index % 10)).slice(0, 12),
    professionalId: String(1_000_000 + ((hash32(seed, stream, index, 9) % 8_999_999) >>> 0)).slice(0, 7),
  };
}

/** Trust ODS codes are three characters starting with R; unique by construction (index in base 33). */
function trustOds(index: number): string {
  return `R${ALNUM[Math.floor(index / ALNUM.length) % ALNUM.length]}${ALNUM[index % ALNUM.length]}`;
}

/** GP practice ODS codes: a letter and five digits (A81001 style); unique per index. */
function practiceOds(index: number): string {
  const letter = 'ABCDEFGHJKLMNPY'[index % 15]!;
  return `${letter}${String(81_001 + Math.floor(index / 15)).padStart(5, '0')}`;
}

export function buildDirectory(spec: EstateSpec): Directory {
  const { seed } = spec;
  const trustCount = Math.max(1, Math.min(ALNUM.length * ALNUM.length, Math.ceil(spec.slots / SHAPE.slotsPerTrust)));
  const trusts: Trust[] = [];
  const services: Service[] = [];
  let consultantIndex = 0;
  for (let t = 0; t < trustCount; t++) {
    const rng = Rng.for(seed, STREAM.trust, t);
    const town = TOWNS[t % TOWNS.length]!;
    const ods = trustOds(t);
    const trust: Trust = {
      index: t,
      id: entityId(seed, STREAM.trust, t),
      ods,
      name: `${town.name} ${rng.chance(0.5) ? 'Teaching Hospitals' : 'Hospitals'} NHS Foundation Trust`,
      town,
      sites: [],
      services: [],
      consultants: [],
    };
    for (let s = 0; s < SHAPE.sitesPerTrust; s++) {
      const si = t * SHAPE.sitesPerTrust + s;
      trust.sites.push({
        id: entityId(seed, STREAM.site, si),
        odsSite: `${ods}${String(s + 1).padStart(2, '0')}`,
        name: s === 0 ? `${town.name} General Hospital` : `${town.name} ${rng.pick(['St Mary', 'St James', 'Royal', 'Victoria', 'Queen Elizabeth'])} Hospital`,
        town,
      });
    }
    // Each trust offers a different subset of specialties, so a service type is not everywhere.
    const offered = [...SPECIALTIES].sort((a, b) => hash32(seed, t, Number(a.tfc)) - hash32(seed, t, Number(b.tfc)));
    for (const specialty of offered.slice(0, SHAPE.specialtiesPerTrust)) {
      const index = services.length;
      const service: Service = {
        index,
        id: entityId(seed, STREAM.service, index),
        trust,
        site: rng.pick(trust.sites),
        specialty,
        schedules: [],
      };
      trust.services.push(service);
      services.push(service);
    }
    trusts.push(trust);
  }

  // Schedules: one consultant's clinic each, assigned round-robin over services until the weekly
  // capacity covers the requested slots over the calendar.
  const schedules: Schedule[] = [];
  let slotsPerWeek = 0;
  const weeklyNeed = spec.slots / spec.weeks;
  while (slotsPerWeek < weeklyNeed) {
    const index = schedules.length;
    const service = services[index % services.length]!;
    const rng = Rng.for(seed, STREAM.schedule, index);
    const consultant = person(seed, STREAM.consultant, STREAM.consultantRole, consultantIndex++);
    service.trust.consultants.push(consultant);
    const n = rng.range(SHAPE.sessionsPerWeek[0], SHAPE.sessionsPerWeek[1]);
    const all: Session[] = [];
    for (let d = 0; d < 5; d++) for (const m of SESSION_STARTS) all.push({ weekday: d, startMinute: m });
    const sessions = all
      .map((s, i) => ({ s, k: hash32(seed, index, i) }))
      .sort((a, b) => a.k - b.k)
      .slice(0, n)
      .map((x) => x.s)
      .sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
    const slotMinutes = service.specialty.slotMinutes;
    const slotsPerSession = Math.floor(SHAPE.sessionMinutes / slotMinutes);
    const schedule: Schedule = {
      index,
      id: entityId(seed, STREAM.schedule, index),
      service,
      consultant,
      sessions,
      slotMinutes,
      slotsPerSession,
      slotsPerWeek: slotsPerSession * sessions.length,
    };
    service.schedules.push(schedule);
    schedules.push(schedule);
    slotsPerWeek += schedule.slotsPerWeek;
  }

  const practiceCount = Math.max(1, Math.ceil(spec.patients / SHAPE.patientsPerPractice));
  const practices: Practice[] = [];
  let gpIndex = 0;
  for (let p = 0; p < practiceCount; p++) {
    const rng = Rng.for(seed, STREAM.practice, p);
    const town = TOWNS[p % TOWNS.length]!;
    const street = rng.pick(['Park', 'Church', 'Mill', 'Station', 'Beech', 'Elm', 'Oak', 'Riverside', 'Abbey', 'Market']);
    const practice: Practice = {
      index: p,
      id: entityId(seed, STREAM.practice, p),
      ods: practiceOds(p),
      name: rng.chance(0.5) ? `${street} Surgery` : `${street} Medical Centre`,
      town,
      street: `${street} Road`,
      gps: [],
    };
    const gps = rng.range(SHAPE.gpsPerPractice[0], SHAPE.gpsPerPractice[1]);
    for (let g = 0; g < gps; g++) practice.gps.push(person(seed, STREAM.gp, STREAM.gpRole, gpIndex++));
    practices.push(practice);
  }
  return { trusts, services, schedules, practices, slotsPerWeek };
}

/** The practice a patient is registered with: a pure function of the index, so streams agree. */
export function practiceOf(dir: Directory, seed: number, patient: number): Practice {
  return dir.practices[hash32(seed, STREAM.patientPractice, patient) % dir.practices.length]!;
}

/** Same person's given name and gender for a patient index (used by the patient and by displays). */
export function patientNameOf(seed: number, patient: number): { given: string; family: string; gender: 'male' | 'female' } {
  const rng = Rng.for(seed, STREAM.patient, patient);
  const gender = rng.chance(0.5) ? 'female' : 'male';
  return { gender, given: rng.pick(gender === 'female' ? GIVEN_FEMALE : GIVEN_MALE), family: rng.pick(FAMILY) };
}
