// Valid resources of every type Envelope serves, referring to the fuzz world's fixed resources: the
// starting point of mutations, so that a good share of cases get past parsing and validation and
// reach the rules and the store.
import type { Json } from './hostile.js';
import type { Random } from './random.js';

/** The fixed resources the fuzz world stores before the run (test/fuzz/world.ts). */
export const WORLD = {
  trust: 'fz-trust',
  practice: 'fz-practice',
  location: 'fz-site',
  service: 'fz-cardio',
  schedule: 'fz-schedule',
  patients: ['fz-patient-1', 'fz-patient-2'],
  referral: 'fz-referral-1',
  slots: ['fz-slot-0', 'fz-slot-1', 'fz-slot-2', 'fz-slot-3', 'fz-slot-4', 'fz-slot-5'],
  practitioner: 'fz-practitioner',
} as const;

export const SERVICE_TYPE = { coding: [{ system: 'http://snomed.info/sct', code: '394579002', display: 'Cardiology' }] };
export const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** Every id a case may use: the world's, some that do not exist, and hostile ones. */
export function someId(rnd: Random): string {
  return rnd.weighted<() => string>([
    [4, () => rnd.pick([...WORLD.patients, ...WORLD.slots, WORLD.referral, WORLD.schedule, WORLD.service, WORLD.trust, WORLD.practice])],
    [2, () => `fz-${rnd.string(rnd.between(1, 12))}`],
    [1, () => rnd.string(64, 'abcdefABCDEF0123456789-.')],
    [1, () => rnd.string(65)],
  ])();
}

function slotTimes(rnd: Random): { start: string; end: string } {
  const start = Date.UTC(2031, rnd.int(12), 1 + rnd.int(28), 8 + rnd.int(8), rnd.pick([0, 15, 30, 45]));
  return { start: new Date(start).toISOString(), end: new Date(start + 15 * 60_000).toISOString() };
}

export const TEMPLATES: Record<string, (rnd: Random) => Record<string, Json>> = {
  Patient: (rnd) => ({
    resourceType: 'Patient',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: String(9000000000 + rnd.int(999999999)) }],
    name: [{ family: rnd.pick(['Smith', 'Jones', 'Ó Briain']), given: ['Ann'] }],
    birthDate: '1970-05-01',
    gender: rnd.pick(['female', 'male', 'other', 'unknown']),
    generalPractitioner: [{ reference: `Organization/${WORLD.practice}` }],
  }),
  Organization: (rnd) => ({ resourceType: 'Organization', name: `Org ${rnd.string(5)}`, identifier: [{ system: ODS, value: rnd.string(5).toUpperCase() }] }),
  Location: (rnd) => ({ resourceType: 'Location', name: `Site ${rnd.string(4)}`, managingOrganization: { reference: `Organization/${WORLD.trust}` } }),
  HealthcareService: (rnd) => ({ resourceType: 'HealthcareService', name: `Service ${rnd.string(4)}`, providedBy: { reference: `Organization/${WORLD.trust}` }, type: [SERVICE_TYPE] }),
  Practitioner: (rnd) => ({ resourceType: 'Practitioner', name: [{ family: `Dr ${rnd.string(6)}` }] }),
  PractitionerRole: () => ({ resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${WORLD.practitioner}` }, organization: { reference: `Organization/${WORLD.trust}` } }),
  Schedule: () => ({ resourceType: 'Schedule', active: true, actor: [{ reference: `HealthcareService/${WORLD.service}` }], serviceType: [SERVICE_TYPE] }),
  Slot: (rnd) => ({ resourceType: 'Slot', schedule: { reference: `Schedule/${WORLD.schedule}` }, serviceType: [SERVICE_TYPE], status: rnd.pick(['free', 'busy-unavailable']), ...slotTimes(rnd) }),
  ServiceRequest: (rnd) => ({
    resourceType: 'ServiceRequest', status: rnd.pick(['active', 'draft']), intent: 'order', code: SERVICE_TYPE,
    subject: { reference: `Patient/${rnd.pick(WORLD.patients)}` }, performer: [{ reference: `HealthcareService/${WORLD.service}` }],
  }),
  Appointment: (rnd) => {
    const slot = rnd.pick(WORLD.slots);
    const i = Number(slot.slice(-1));
    const start = new Date(Date.UTC(2031, 5, 1, 9) + i * 15 * 60_000);
    return {
      resourceType: 'Appointment', status: rnd.pick(['booked', 'proposed', 'pending']), slot: [{ reference: `Slot/${slot}` }],
      start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), created: '2025-01-01',
      basedOn: [{ reference: `ServiceRequest/${WORLD.referral}` }], participant: [{ actor: { reference: `Patient/${WORLD.patients[0]}` }, status: 'accepted' }],
    };
  },
  Consent: (rnd) => ({
    resourceType: 'Consent', status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${rnd.pick(WORLD.patients)}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: { type: rnd.pick(['deny', 'permit']), actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] }, reference: { reference: `Organization/${WORLD.trust}` } }] },
  }),
  AuditEvent: () => ({
    resourceType: 'AuditEvent', type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' }, recorded: '2025-01-01T00:00:00Z',
    agent: [{ requestor: true, who: { display: 'me' } }], source: { observer: { display: 'fuzz' } },
  }),
};

export const TYPES = Object.keys(TEMPLATES);

/** The first published slots of the world (WORLD.slots[i] starts at this instant). */
export function worldSlot(i: number): Record<string, Json> {
  const start = new Date(Date.UTC(2031, 5, 1, 9) + i * 15 * 60_000);
  return {
    resourceType: 'Slot', id: WORLD.slots[i]!, schedule: { reference: `Schedule/${WORLD.schedule}` }, serviceType: [SERVICE_TYPE], status: 'free',
    start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(),
  };
}
