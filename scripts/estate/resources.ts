// FHIR R4 builders for the estate. Plain objects typed with @types/fhir, shaped like what NHS GP and
// PAS systems send (identifiers with NHS systems, coded service types, references with displays).
import type { r4 } from '../../src/domain/fhir.js';
import { REASONS, ROLES, STREETS, SYSTEMS, type Specialty } from './codes.js';
import type { Person, Practice, Schedule, Service, Site, Trust } from './directory.js';
import { fmix32 } from './prng.js';

const ORG_TYPE_PROVIDER = { coding: [{ system: SYSTEMS.orgType, code: 'prov', display: 'Healthcare Provider' }] };
const ROUTINE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment - default if not valued' }] };
const REFERRAL_CATEGORY = { coding: [{ system: SYSTEMS.snomed, code: '3457005', display: 'Patient referral' }] };

export function serviceTypeOf(s: Specialty): r4.CodeableConcept {
  return { coding: [{ system: SYSTEMS.treatmentFunction, code: s.tfc, display: s.name }] };
}

export function specialtyOf(s: Specialty): r4.CodeableConcept {
  return { coding: [{ system: SYSTEMS.snomed, code: s.snomed, display: s.snomedDisplay }] };
}

function ref(type: string, id: string, display?: string): r4.Reference {
  return display ? { reference: `${type}/${id}`, display } : { reference: `${type}/${id}` };
}

/** A landline-shaped number (01xxx xxxxxx), scattered by a hash of n. */
function phone(n: number): string {
  return `01${String(100_000_000 + (fmix32(n) % 899_999_999)).slice(0, 9)}`;
}

function postcode(area: string, n: number): string {
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  const h = fmix32(n + 1);
  return `${area}${(h % 19) + 1} ${(h >>> 8) % 9 + 1}${letters[(h >>> 12) % 20]}${letters[(h >>> 20) % 20]}`;
}

export function trustOrganization(t: Trust): r4.Organization {
  return {
    resourceType: 'Organization',
    id: t.id,
    identifier: [{ system: SYSTEMS.ods, value: t.ods }],
    active: true,
    type: [ORG_TYPE_PROVIDER],
    name: t.name,
    telecom: [{ system: 'phone', value: phone(t.index * 7919), use: 'work' }],
    address: [{ use: 'work', line: [`${t.town.name} General Hospital`], city: t.town.name, postalCode: postcode(t.town.postcode, t.index), country: 'GB' }],
  };
}

export function practiceOrganization(p: Practice): r4.Organization {
  return {
    resourceType: 'Organization',
    id: p.id,
    identifier: [{ system: SYSTEMS.ods, value: p.ods }],
    active: true,
    type: [ORG_TYPE_PROVIDER],
    name: p.name.toUpperCase(),
    telecom: [{ system: 'phone', value: phone(p.index * 104729), use: 'work' }],
    address: [{ use: 'work', line: [`${(p.index % 90) + 1} ${p.street}`], city: p.town.name, postalCode: postcode(p.town.postcode, p.index * 31), country: 'GB' }],
  };
}

export function siteLocation(s: Site, t: Trust, n: number): r4.Location {
  return {
    resourceType: 'Location',
    id: s.id,
    identifier: [{ system: SYSTEMS.odsSite, value: s.odsSite }],
    status: 'active',
    name: s.name,
    mode: 'instance',
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'HOSP', display: 'Hospital' }] }],
    address: { use: 'work', line: [`${(n % 200) + 1} ${STREETS[n % STREETS.length]}`], city: s.town.name, postalCode: postcode(s.town.postcode, n * 13), country: 'GB' },
    managingOrganization: ref('Organization', t.id, t.name),
  };
}

export function healthcareService(s: Service): r4.HealthcareService {
  return {
    resourceType: 'HealthcareService',
    id: s.id,
    active: true,
    providedBy: ref('Organization', s.trust.id, s.trust.name),
    type: [serviceTypeOf(s.specialty)],
    specialty: [specialtyOf(s.specialty)],
    location: [ref('Location', s.site.id, s.site.name)],
    name: `${s.specialty.name} Outpatients - ${s.site.name}`,
    telecom: [{ system: 'phone', value: phone(s.index * 15485863), use: 'work' }],
    appointmentRequired: true,
  };
}

function practitioner(p: Person, identifiers: r4.Identifier[]): r4.Practitioner {
  return {
    resourceType: 'Practitioner',
    id: p.id,
    identifier: identifiers,
    active: true,
    name: [{ use: 'official', family: p.family, given: [p.given], prefix: ['Dr'] }],
    gender: p.gender,
  };
}

export function gpPractitioner(p: Person): r4.Practitioner {
  return practitioner(p, [
    { system: SYSTEMS.sdsUserId, value: p.sdsId },
    { system: SYSTEMS.gmpNumber, value: `G${p.professionalId}` },
  ]);
}

export function consultantPractitioner(p: Person): r4.Practitioner {
  return practitioner(p, [
    { system: SYSTEMS.sdsUserId, value: p.sdsId },
    { system: SYSTEMS.gmcNumber, value: p.professionalId },
  ]);
}

export function displayName(p: { given: string; family: string }): string {
  return `Dr ${p.given} ${p.family}`;
}

export function gpRole(p: Person, practice: Practice): r4.PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: p.roleId,
    active: true,
    practitioner: ref('Practitioner', p.id, displayName(p)),
    organization: ref('Organization', practice.id, practice.name.toUpperCase()),
    code: [{ coding: [{ system: SYSTEMS.snomed, ...ROLES.gp }] }],
  };
}

export function consultantRole(p: Person, trust: Trust, services: Service[]): r4.PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: p.roleId,
    active: true,
    practitioner: ref('Practitioner', p.id, displayName(p)),
    organization: ref('Organization', trust.id, trust.name),
    code: [{ coding: [{ system: SYSTEMS.snomed, ...ROLES.consultant }] }],
    specialty: services.slice(0, 1).map((s) => specialtyOf(s.specialty)),
    healthcareService: services.map((s) => ref('HealthcareService', s.id)),
    location: services.slice(0, 1).map((s) => ref('Location', s.site.id, s.site.name)),
  };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];

export function schedule(s: Schedule, horizon: { start: string; end: string }): r4.Schedule {
  const svc = s.service;
  return {
    resourceType: 'Schedule',
    id: s.id,
    active: true,
    serviceType: [serviceTypeOf(svc.specialty)],
    specialty: [specialtyOf(svc.specialty)],
    actor: [
      ref('HealthcareService', svc.id, `${svc.specialty.name} Outpatients`),
      ref('Location', svc.site.id, svc.site.name),
      ref('Practitioner', s.consultant.id, displayName(s.consultant)),
    ],
    planningHorizon: horizon,
    comment: `${svc.specialty.name} clinic, ${displayName(s.consultant)}: ${s.sessions.map((x) => `${WEEKDAYS[x.weekday]} ${x.startMinute < 720 ? 'AM' : 'PM'}`).join(', ')}`,
  };
}

export function slot(id: string, s: Schedule, status: r4.Slot['status'], start: string, end: string): r4.Slot {
  const sp = s.service.specialty;
  return {
    resourceType: 'Slot',
    id,
    serviceType: [serviceTypeOf(sp)],
    specialty: [specialtyOf(sp)],
    appointmentType: ROUTINE,
    schedule: ref('Schedule', s.id),
    status,
    start,
    end,
  };
}

export interface PatientFacts {
  id: string;
  nhsNumber: string;
  given: string;
  middle?: string;
  family: string;
  gender: 'male' | 'female';
  birthDate: string;
  houseNumber: number;
  street: string;
  town: { name: string; postcode: string };
  phone: string;
  practice: Practice;
}

export function patient(f: PatientFacts, n: number): r4.Patient {
  return {
    resourceType: 'Patient',
    id: f.id,
    identifier: [{ system: SYSTEMS.nhsNumber, value: f.nhsNumber }],
    active: true,
    name: [{ use: 'official', family: f.family, given: f.middle ? [f.given, f.middle] : [f.given], prefix: [f.gender === 'female' ? 'Ms' : 'Mr'] }],
    telecom: [{ system: 'phone', value: f.phone, use: 'mobile' }],
    gender: f.gender,
    birthDate: f.birthDate,
    address: [{ use: 'home', line: [`${f.houseNumber} ${f.street}`], city: f.town.name, postalCode: postcode(f.town.postcode, n), country: 'GB' }],
    generalPractitioner: [ref('Organization', f.practice.id, f.practice.name.toUpperCase())],
    managingOrganization: ref('Organization', f.practice.id),
  };
}

export interface ReferralFacts {
  id: string;
  ubrn: string;
  status: 'active' | 'completed' | 'revoked';
  patientId: string;
  patientName: string;
  requester: Person;
  trust: Trust;
  specialty: Specialty;
  authoredOn: string;
}

export function serviceRequest(f: ReferralFacts): r4.ServiceRequest {
  const reason = REASONS[f.specialty.tfc];
  return {
    resourceType: 'ServiceRequest',
    id: f.id,
    identifier: [{ system: SYSTEMS.referralId, value: f.ubrn }],
    status: f.status,
    intent: 'order',
    category: [REFERRAL_CATEGORY],
    priority: 'routine',
    code: { coding: [{ system: SYSTEMS.treatmentFunction, code: f.specialty.tfc, display: f.specialty.name }], text: `Referral to ${f.specialty.name}` },
    subject: ref('Patient', f.patientId, f.patientName),
    authoredOn: f.authoredOn,
    requester: ref('PractitionerRole', f.requester.roleId, displayName(f.requester)),
    performer: [ref('Organization', f.trust.id, f.trust.name)],
    ...(reason ? { reasonCode: [{ coding: [{ system: SYSTEMS.snomed, ...reason }] }] } : {}),
  };
}

export interface AppointmentFacts {
  id: string;
  pasId: string;
  status: 'booked' | 'fulfilled' | 'noshow';
  slotId: string;
  schedule: Schedule;
  start: string;
  end: string;
  created: string;
  referralId: string;
  patientId: string;
  patientName: string;
}

export function appointment(f: AppointmentFacts): r4.Appointment {
  const svc = f.schedule.service;
  const attended = f.status === 'noshow' ? 'declined' : 'accepted';
  return {
    resourceType: 'Appointment',
    id: f.id,
    identifier: [{ system: SYSTEMS.pasAppointment, value: f.pasId }],
    status: f.status,
    serviceType: [serviceTypeOf(svc.specialty)],
    specialty: [specialtyOf(svc.specialty)],
    appointmentType: ROUTINE,
    start: f.start,
    end: f.end,
    minutesDuration: f.schedule.slotMinutes,
    slot: [ref('Slot', f.slotId)],
    created: f.created,
    basedOn: [ref('ServiceRequest', f.referralId)],
    participant: [
      { actor: ref('Patient', f.patientId, f.patientName), required: 'required', status: attended },
      { actor: ref('Location', svc.site.id, svc.site.name), required: 'required', status: 'accepted' },
      { actor: ref('Practitioner', f.schedule.consultant.id, displayName(f.schedule.consultant)), required: 'required', status: 'accepted' },
    ],
  };
}
