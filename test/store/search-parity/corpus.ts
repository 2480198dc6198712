// The data the search parity suite searches: every official HL7 R4 example of the twelve served
// types, plus a small deterministic generated set aimed at the edges (DST boundaries, partial dates,
// open periods, accents and case, identifiers with and without systems, absolute / relative /
// versioned references, uris, missing elements, updated and deleted resources), and a second, "wide"
// corpus for the parameter kinds none of the served types has (number, quantity, composite).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Resource } from '../../../src/domain/fhir.js';

type R = Record<string, any>;

/** This server's base URL as the parser and indexer are told (absolute references under it are local). */
export const BASE = 'https://envelope.example.org/fhir';
/** `ap` on dates measures from "now": fixed, so expectations do not drift. */
export const NOW = new Date('2025-06-15T12:00:00.000Z');

/** One step of seeding: a write, in the order given (the store stamps lastUpdated in that order). */
export type SeedStep =
  | { op: 'put'; resource: Resource }
  | { op: 'delete'; type: string; id: string }
  /** Many creates in one transaction (their stamps may coincide). */
  | { op: 'batch'; resources: Resource[] };

export interface Corpus {
  name: string;
  steps: SeedStep[];
}

/** Whether every write gets its own millisecond (so _lastUpdated order is the same on every store). */
export function distinctStamps(c: Corpus): boolean {
  return c.steps.every((s) => s.op !== 'batch');
}

const EXAMPLES_DIR = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

/** Official examples whose file name and resourceType are among `types`, in file name order. */
export function officialExamples(types: readonly string[]): Resource[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json') && types.some((t) => f.startsWith(`${t}-`)))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(EXAMPLES_DIR, f), 'utf8')) as R)
    .filter((r) => types.includes(r.resourceType))
    .map((r) => r as Resource);
}

// ---- generated edge cases for the served types -----------------------------------------------

const SNOMED = 'http://snomed.info/sct';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const TAGS = 'http://example.org/fhir/tags';
const PROFILE = 'http://example.org/fhir/StructureDefinition/envelope-patient';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

const res = (r: R): Resource => r as Resource;

function patients(): Resource[] {
  return [
    res({
      resourceType: 'Patient', id: 'g-pat-accent',
      meta: { security: [{ system: CONF, code: 'R' }], tag: [{ system: TAGS, code: 'vip' }], profile: [`${PROFILE}|1.0`] },
      identifier: [
        { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009', type: { coding: [{ system: V2_0203, code: 'NH' }], text: 'NHS number' } },
        { value: 'LOCAL-7' },
      ],
      active: true,
      name: [{ use: 'official', family: 'Müller', given: ['Zoë', 'Anaïs'] }],
      gender: 'female',
      birthDate: '1985',
      address: [{ city: 'São Paulo', country: 'BRA', line: ['Rua Três, 10'] }],
      telecom: [{ system: 'email', value: 'zoe@example.org' }],
      generalPractitioner: [{ reference: 'Practitioner/g-prac-1' }],
      managingOrganization: { reference: 'Organization/g-org-1' },
    }),
    res({
      resourceType: 'Patient', id: 'g-pat-case',
      meta: { tag: [{ system: TAGS, code: 'test' }, { code: 'untyped-tag' }], profile: [PROFILE] },
      identifier: [{ value: '9000000009' }],
      active: false,
      name: [{ family: 'MÜLLER', given: ['zoe'] }],
      gender: 'female',
      birthDate: '1985-06',
      telecom: [{ system: 'phone', value: '+44 20 7946 0000' }],
      generalPractitioner: [{ reference: `${BASE}/Practitioner/g-prac-2` }],
    }),
    res({
      resourceType: 'Patient', id: 'g-pat-plain',
      meta: { source: 'http://example.org/fhir/sources/registration' },
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000017' }],
      name: [{ family: 'Muller', given: ['Zoe'] }, { use: 'nickname', text: 'Zo' }],
      gender: 'male',
      birthDate: '1985-06-15',
      deceasedDateTime: '2025-03-30T01:30:00+01:00',
      link: [{ other: { reference: 'Patient/g-pat-accent' }, type: 'seealso' }],
      generalPractitioner: [{ reference: 'https://other.example.com/fhir/Practitioner/ext-9' }],
    }),
    res({
      resourceType: 'Patient', id: 'g-pat-nobirth',
      name: [{ text: 'Ängström, Anders' }],
      gender: 'other',
      generalPractitioner: [{ reference: 'Organization/g-org-2' }],
    }),
    res({ resourceType: 'Patient', id: 'g-pat-bare' }),
    // A year before 1000 (epoch milliseconds far below zero) and a letter NFD does not decompose.
    res({ resourceType: 'Patient', id: 'g-pat-old', name: [{ family: 'Æthelred', given: ['Unræd'] }], birthDate: '0966', gender: 'male' }),
    res({
      resourceType: 'Patient', id: 'g-pat-updated',
      name: [{ family: 'Before' }],
      birthDate: '2001-02-03',
      gender: 'unknown',
    }),
    res({
      resourceType: 'Patient', id: 'g-pat-deleted',
      name: [{ family: 'Müller', given: ['Gone'] }],
      birthDate: '1985-06-15',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000025' }],
    }),
  ];
}

function people(): Resource[] {
  return [
    res({
      resourceType: 'Practitioner', id: 'g-prac-1',
      meta: { tag: [{ system: TAGS, code: 'vip' }] },
      identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: 'C1234567' }],
      active: true,
      name: [{ family: 'Ødegaard', given: ['Åse'], prefix: ['Dr.'] }],
      gender: 'female',
      communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'nb' }], text: 'Norwegian' }],
    }),
    res({
      resourceType: 'Practitioner', id: 'g-prac-2',
      identifier: [{ value: 'C7654321' }],
      active: false,
      name: [{ family: "O'Brien", given: ['Seán'] }],
      address: [{ city: 'Dublin', country: 'IRL' }],
    }),
    res({
      resourceType: 'Organization', id: 'g-org-1',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RX1' }],
      active: true,
      name: "St. Mary's Hospital",
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' }] }],
      partOf: { reference: 'Organization/g-org-2' },
      address: [{ city: 'London', country: 'GBR', postalCode: 'W2 1NY' }],
    }),
    // Characters beyond the BMP sort after U+FFFF by code point, before it by UTF-16 unit.
    res({ resourceType: 'Practitioner', id: 'g-prac-astral', name: [{ family: '𝔄lpha', given: ['Ω'] }] }),
    res({ resourceType: 'Practitioner', id: 'g-prac-fullwidth', name: [{ family: 'ｚｅｎ', given: ['Ｚ'] }] }),
    // SQL LIKE and regex metacharacters must be literal.
    res({ resourceType: 'Organization', id: 'g-org-pct', name: '100% Care_Home (North) [beds: 5+]' }),
    res({
      resourceType: 'Organization', id: 'g-org-2',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RX' }],
      name: 'NHS Trust Ångström',
      address: [{ country: 'GBR' }],
    }),
    res({
      resourceType: 'Location', id: 'g-loc-1',
      status: 'active',
      name: 'Main Building',
      address: { city: 'London', postalCode: 'W2 1NY' },
      managingOrganization: { reference: 'Organization/g-org-1' },
      partOf: { reference: 'Location/g-loc-2' },
    }),
    res({ resourceType: 'Location', id: 'g-loc-2', status: 'suspended', name: 'Paddington Campus' }),
    res({
      resourceType: 'HealthcareService', id: 'g-hs-1',
      active: true,
      providedBy: { reference: 'Organization/g-org-1' },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-category', code: '8', display: 'Counselling' }] }],
      type: [{ coding: [{ system: SNOMED, code: '310000008', display: 'Physiotherapy service' }] }],
      location: [{ reference: 'Location/g-loc-1' }],
      name: 'Physiotherapy Clinic',
    }),
    res({
      resourceType: 'HealthcareService', id: 'g-hs-2',
      active: false,
      providedBy: { reference: 'Organization/g-org-2' },
      type: [{ coding: [{ code: '57', display: 'Immunization' }] }],
      name: 'Immunisation Drop-in',
    }),
    res({
      resourceType: 'PractitionerRole', id: 'g-role-1',
      active: true,
      period: { start: '2024-01-01' },
      practitioner: { reference: 'Practitioner/g-prac-1' },
      organization: { reference: 'Organization/g-org-1' },
      location: [{ reference: 'Location/g-loc-1' }],
      healthcareService: [{ reference: 'HealthcareService/g-hs-1' }],
      code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'doctor' }] }],
    }),
    res({
      resourceType: 'PractitionerRole', id: 'g-role-2',
      period: { end: '2025-03-30T01:00:00Z' },
      practitioner: { reference: 'Practitioner/g-prac-2' },
      healthcareService: [{ reference: 'HealthcareService/g-hs-2' }],
    }),
  ];
}

function schedules(): Resource[] {
  return [
    res({
      resourceType: 'Schedule', id: 'g-sch-1',
      active: true,
      serviceType: [{ coding: [{ system: SNOMED, code: '310000008', display: 'Physiotherapy service' }] }],
      actor: [{ reference: 'HealthcareService/g-hs-1' }, { reference: 'Practitioner/g-prac-1' }],
      planningHorizon: { start: '2025-03-01', end: '2025-04-30' },
    }),
    res({
      resourceType: 'Schedule', id: 'g-sch-2',
      active: true,
      actor: [{ reference: 'Practitioner/g-prac-2' }],
      planningHorizon: { start: '2025-03-30T00:00:00+01:00' },
    }),
    res({
      resourceType: 'Schedule', id: 'g-sch-3',
      active: false,
      actor: [{ reference: 'Location/g-loc-1' }, { reference: 'HealthcareService/g-hs-2' }],
      planningHorizon: { end: '2025-03' },
    }),
  ];
}

/** A deterministic generator (a plain LCG): the corpus is the same on every run and every store. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

function slot(id: string, start: string | undefined, o: R = {}): Resource {
  const r: R = { resourceType: 'Slot', id, status: 'free', schedule: { reference: 'Schedule/g-sch-1' }, ...o };
  if (start !== undefined) {
    r.start = start;
    r.end = o.end ?? new Date(Date.parse(start) + 30 * 60_000).toISOString();
  }
  return res(r);
}

const PHYSIO = { coding: [{ system: SNOMED, code: '310000008', display: 'Physiotherapy service' }] };
const IMMUNISATION = { coding: [{ code: '57', display: 'Immunization' }] };
const WALK_IN = { text: 'Walk-in Clinic' };

function slots(): Resource[] {
  const out: Resource[] = [
    // Europe/London springs forward at 2025-03-30T01:00Z; the local hour 01:00-02:00 does not exist.
    slot('g-slot-dst-1', '2025-03-30T00:30:00+00:00', { end: '2025-03-30T02:00:00+01:00', serviceType: [PHYSIO] }),
    slot('g-slot-dst-2', '2025-03-30T02:30:00+01:00', { serviceType: [PHYSIO], comment: 'First slot after the clocks change' }),
    slot('g-slot-dst-3', '2025-03-30T03:00:00+01:00', { status: 'busy', serviceType: [PHYSIO] }),
    // ... and falls back at 2025-10-26T01:00Z: local 01:30 happens twice, an hour apart.
    slot('g-slot-dst-4', '2025-10-26T01:30:00+01:00', { schedule: { reference: 'Schedule/g-sch-2' } }),
    slot('g-slot-dst-5', '2025-10-26T01:30:00+00:00', { schedule: { reference: 'Schedule/g-sch-2' }, status: 'busy-tentative' }),
    // US Eastern springs forward at 2025-03-09T07:00Z.
    slot('g-slot-dst-6', '2025-03-09T01:30:00-05:00', { schedule: { reference: 'Schedule/g-sch-3' }, serviceType: [IMMUNISATION] }),
    slot('g-slot-dst-7', '2025-03-09T03:30:00-04:00', { schedule: { reference: 'Schedule/g-sch-3' }, serviceType: [IMMUNISATION] }),
    // Sub-second precision, and a fraction shorter than milliseconds.
    slot('g-slot-ms', '2025-03-31T09:00:00.123Z', { serviceType: [PHYSIO] }),
    slot('g-slot-ms2', '2025-03-31T09:00:00.5+00:00', { serviceType: [PHYSIO], status: 'busy' }),
    // Missing elements: no start, no end, no service type, no schedule.
    res({ resourceType: 'Slot', id: 'g-slot-nostart', status: 'free' }),
    // References: absolute under this server's base (local), versioned, and to another server.
    slot('g-slot-abs', '2025-04-01T10:00:00Z', { schedule: { reference: `${BASE}/Schedule/g-sch-1` }, serviceType: [PHYSIO] }),
    slot('g-slot-hist', '2025-04-01T10:30:00Z', { schedule: { reference: 'Schedule/g-sch-2/_history/1' } }),
    slot('g-slot-ext', '2025-04-01T11:00:00Z', { schedule: { reference: 'https://other.example.com/fhir/Schedule/ext-1' } }),
    // Ids that order differently by byte than by "human" order.
    slot('Z9', '2025-04-02T08:00:00Z', { status: 'busy-unavailable', identifier: [{ system: 'urn:slot', value: 'Z9' }] }),
    slot('0a', '2025-04-02T08:00:00Z', { status: 'busy-unavailable', identifier: [{ value: '0a' }] }),
    slot('g-slot-recreated', '2025-04-03T08:00:00Z', { status: 'entered-in-error' }),
  ];
  const rnd = lcg(20250330);
  const statuses = ['free', 'free', 'busy', 'busy-unavailable', 'busy-tentative', 'free'];
  const scheds = ['Schedule/g-sch-1', 'Schedule/g-sch-2', 'Schedule/g-sch-1', 'Schedule/example'];
  const comments = ['Morning clinic', 'ÉVENING session', 'morning CLINIC (overflow)', undefined];
  const base = Date.parse('2025-03-31T08:00:00.000Z');
  for (let i = 0; i < 24; i++) {
    const o: R = {
      status: statuses[i % statuses.length],
      schedule: { reference: scheds[i % scheds.length] },
      serviceType: [[PHYSIO, IMMUNISATION, WALK_IN][i % 3]],
    };
    const c = comments[Math.floor(rnd() * comments.length)];
    if (c !== undefined) o.comment = c;
    if (i % 5 === 0) o.identifier = [{ system: 'urn:slot', value: `R${i}` }];
    if (i % 7 === 3) o.specialty = [{ coding: [{ system: SNOMED, code: '394602003', display: 'Rehabilitation' }] }];
    if (i % 4 === 1) o.appointmentType = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: i % 8 === 1 ? 'ROUTINE' : 'WALKIN' }] };
    // Every few, two slots share a start (ties in date order break by id).
    const start = new Date(base + Math.floor(i - (i % 6 === 5 ? 1 : 0)) * 45 * 60_000 + Math.floor(rnd() * 3) * 1000).toISOString();
    out.push(slot(`g-slot-r${String(i).padStart(2, '0')}`, start, o));
  }
  return out;
}

function workflow(): Resource[] {
  return [
    res({
      resourceType: 'ServiceRequest', id: 'g-sr-1',
      identifier: [{ system: 'https://example.org/referrals', value: 'REF-1' }],
      instantiatesUri: ['http://example.org/fhir/protocols/physio/v2'],
      status: 'active', intent: 'order', priority: 'routine',
      code: { coding: [{ system: SNOMED, code: '91251008', display: 'Physical therapy procedure' }], text: 'Physiotherapy referral' },
      subject: { reference: 'Patient/g-pat-accent' },
      requester: { reference: 'Practitioner/g-prac-1' },
      performer: [{ reference: 'HealthcareService/g-hs-1' }],
      authoredOn: '2025-03-29T23:30:00-01:00',
      occurrencePeriod: { start: '2025-04-01' },
    }),
    res({
      resourceType: 'ServiceRequest', id: 'g-sr-2',
      instantiatesUri: ['http://example.org/fhir/protocols/physio'],
      status: 'draft', intent: 'proposal', priority: 'urgent',
      code: { coding: [{ system: SNOMED, code: '91251008' }] },
      subject: { reference: 'Patient/g-pat-plain' },
      requester: { reference: 'Organization/g-org-1' },
      basedOn: [{ reference: 'ServiceRequest/g-sr-1' }],
      replaces: [{ reference: 'ServiceRequest/ambulation' }],
      authoredOn: '2025-03',
      occurrenceDateTime: '2025-03-30T01:00:00Z',
    }),
    res({
      resourceType: 'ServiceRequest', id: 'g-sr-3',
      instantiatesUri: ['urn:uuid:0b4b0a6e-9f0c-4d47-8f76-2f1f3e7d1a11'],
      status: 'active', intent: 'order',
      code: { text: 'Hydrotherapy' },
      subject: { reference: 'Patient/g-pat-case/_history/1' },
      requester: { reference: `${BASE}/Practitioner/g-prac-2` },
      authoredOn: '2024',
      occurrencePeriod: { end: '2024-12-31' },
    }),
    res({
      resourceType: 'ServiceRequest', id: 'g-sr-4',
      status: 'revoked', intent: 'plan',
      subject: { reference: 'Patient/g-pat-deleted' },
      occurrenceTiming: { event: ['2025-03-30T00:59:59Z', '2025-03-30T02:00:00+01:00'] },
    }),
    res({
      resourceType: 'ServiceRequest', id: 'g-sr-far',
      status: 'on-hold', intent: 'order',
      subject: { reference: 'Patient/g-pat-old' },
      authoredOn: '2025-03-30T01:00:00.000+00:00',
      // Past the last instant once the zone is applied: clamped to 9999-12-31T23:59:59.999Z.
      occurrenceDateTime: '9999-12-31T23:30:00-05:00',
    }),
    res({
      resourceType: 'Appointment', id: 'g-appt-1',
      identifier: [{ system: 'https://example.org/appointments', value: 'A-1' }],
      status: 'booked',
      serviceType: [PHYSIO],
      start: '2025-03-30T02:30:00+01:00', end: '2025-03-30T03:00:00+01:00',
      priority: 5, minutesDuration: 30,
      slot: [{ reference: 'Slot/g-slot-dst-2' }],
      basedOn: [{ reference: 'ServiceRequest/g-sr-1' }],
      participant: [
        { actor: { reference: 'Patient/g-pat-accent' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/g-prac-1' }, status: 'accepted' },
        { actor: { reference: 'HealthcareService/g-hs-1' }, status: 'accepted' },
      ],
    }),
    res({
      resourceType: 'Appointment', id: 'g-appt-2',
      status: 'cancelled',
      start: '2025-10-26T01:30:00+01:00', end: '2025-10-26T01:15:00+00:00',
      priority: 0, minutesDuration: 45,
      participant: [
        { actor: { reference: `${BASE}/Patient/g-pat-plain` }, status: 'declined' },
        { actor: { identifier: { system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: 'C7654321' }, display: "Dr O'Brien" }, status: 'accepted' },
      ],
    }),
    res({
      resourceType: 'Appointment', id: 'g-appt-3',
      status: 'proposed',
      participant: [{ actor: { reference: 'Location/g-loc-1' }, status: 'needs-action' }, { type: [{ text: 'interpreter' }], status: 'tentative' }],
    }),
    res({
      resourceType: 'Appointment', id: 'g-appt-4',
      status: 'booked',
      start: '2025-03-31T09:00:00.123Z', end: '2025-03-31T09:30:00Z',
      priority: 1, minutesDuration: 30,
      slot: [{ reference: 'Slot/g-slot-ms' }],
      participant: [
        { actor: { reference: 'Patient/g-pat-case/_history/2' }, status: 'accepted' },
        { actor: { reference: 'Patient/g-pat-deleted' }, status: 'accepted' },
      ],
    }),
    res({
      resourceType: 'Consent', id: 'g-consent-1',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/g-pat-accent' },
      dateTime: '2025',
      provision: { period: { end: '2025-12-31' }, actor: [{ role: { text: 'GP' }, reference: { reference: 'Practitioner/g-prac-1' } }] },
    }),
    res({
      resourceType: 'AuditEvent', id: 'g-audit-1',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'R', recorded: '2025-03-30T01:59:59.999Z', outcome: '0',
      agent: [{ who: { reference: 'Practitioner/g-prac-1' }, requestor: true, policy: ['http://example.org/policies/access/v1'] }],
      source: { observer: { reference: 'Organization/g-org-1' } },
      entity: [{ what: { reference: 'Patient/g-pat-accent' }, name: 'Zoë Müller' }],
    }),
    res({
      resourceType: 'AuditEvent', id: 'g-audit-2',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'E', recorded: '2025-03-30T02:00:00+01:00', outcome: '4',
      agent: [{ who: { reference: 'Practitioner/g-prac-2' }, requestor: true, policy: ['http://example.org/policies'] }],
      source: { observer: { reference: 'Organization/g-org-2' } },
      entity: [{ what: { reference: 'Slot/g-slot-dst-3' } }],
    }),
  ];
}

/** Writes after the first pass: updates move resources in _lastUpdated order and change their index. */
function laterSteps(): SeedStep[] {
  return [
    { op: 'put', resource: res({ resourceType: 'Patient', id: 'g-pat-updated', name: [{ family: 'After' }], birthDate: '2001-02-03', gender: 'unknown' }) },
    { op: 'put', resource: slot('g-slot-r03', '2025-03-31T12:15:00Z', { status: 'free', serviceType: [PHYSIO], comment: 'Rebooked' }) },
    { op: 'delete', type: 'Patient', id: 'g-pat-deleted' },
    { op: 'delete', type: 'Slot', id: 'g-slot-r05' },
    { op: 'delete', type: 'Slot', id: 'g-slot-recreated' },
    { op: 'put', resource: slot('g-slot-recreated', '2025-04-03T08:00:00Z', { status: 'free', comment: 'Re-created after deletion' }) },
  ];
}

export function generatedServed(): Resource[] {
  return [...patients(), ...people(), ...schedules(), ...slots(), ...workflow()];
}

export function servedCorpus(types: readonly string[]): Corpus {
  const steps: SeedStep[] = [...officialExamples(types), ...generatedServed()].map((resource) => ({ op: 'put', resource }));
  return { name: 'served types', steps: [...steps, ...laterSteps()] };
}

// ---- the wide corpus: number, quantity and composite parameters --------------------------------

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';

function observation(id: string, value: R | undefined, o: R = {}): Resource {
  return res({
    resourceType: 'Observation', id, status: 'final',
    code: { coding: [{ system: LOINC, code: '15074-8', display: 'Glucose [Moles/volume] in Blood' }] },
    subject: { reference: 'Patient/g-wp-1' },
    ...(value ? { valueQuantity: value } : {}),
    ...o,
  });
}

function risk(id: string, probability: number | undefined, o: R = {}): Resource {
  return res({
    resourceType: 'RiskAssessment', id, status: 'final',
    subject: { reference: 'Patient/g-wp-2' },
    ...(probability !== undefined ? { prediction: [{ probabilityDecimal: probability }] } : {}),
    ...o,
  });
}

export function wideCorpus(): Corpus {
  const generated: Resource[] = [
    res({ resourceType: 'Patient', id: 'g-wp-1', name: [{ family: 'Quantité', given: ['Ève'] }], birthDate: '1970' }),
    res({ resourceType: 'Patient', id: 'g-wp-2', name: [{ family: 'Number' }], identifier: [{ system: 'urn:wide', value: 'W2' }] }),
    observation('g-q-5.4', { value: 5.4, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }),
    observation('g-q-5.40', { value: 5.40, unit: 'mmol/l', system: UCUM, code: 'mmol/L' }),
    observation('g-q-5.45', { value: 5.45, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }),
    observation('g-q-5.35', { value: 5.35, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }),
    observation('g-q-100', { value: 100, unit: 'mg', system: UCUM, code: 'mg' }, { subject: { reference: 'Patient/g-wp-2' } }),
    observation('g-q-99.5', { value: 99.5, unit: 'mg', system: UCUM, code: 'mg' }),
    observation('g-q-100.5', { value: 100.5, unit: 'milligram' }),
    observation('g-q-150', { value: 150, code: 'mg' }),
    observation('g-q-1e6', { value: 1000000, unit: 'mg', system: UCUM, code: 'mg' }),
    observation('g-q-tiny', { value: 0.0001, unit: 'g', system: UCUM, code: 'g' }),
    observation('g-q-neg', { value: -3, unit: 'Cel', system: UCUM, code: 'Cel' }),
    observation('g-q-huge', { value: 1e21, unit: 'mg', system: UCUM, code: 'mg' }),
    observation('g-q-small', { value: 1e-7, unit: 'g', system: UCUM, code: 'g' }),
    observation('g-q-none', undefined, { valueString: 'not measured' }),
    observation('g-q-comp', undefined, {
      code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
      component: [
        { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
        { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      ],
    }),
    risk('g-r-0.02', 0.02),
    risk('g-r-0.025', 0.025),
    risk('g-r-0.5', 0.5),
    risk('g-r-0.75', 0.75, { subject: { reference: 'Patient/g-wp-1' } }),
    risk('g-r-1', 1),
    risk('g-r-0.9999', 0.9999),
    risk('g-r-none', undefined, { prediction: [{ probabilityRange: { low: { value: 10 }, high: { value: 20 } } }] }),
    risk('g-r-two', 0.1, { prediction: [{ probabilityDecimal: 0.1 }, { probabilityDecimal: 0.9 }] }),
  ];
  const steps: SeedStep[] = [...officialExamples(['Observation', 'RiskAssessment']), ...generated].map((resource) => ({ op: 'put', resource }));
  steps.push({ op: 'put', resource: observation('g-q-5.35', { value: 5.36, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }) });
  steps.push({ op: 'delete', type: 'RiskAssessment', id: 'g-r-0.9999' });
  return { name: 'number, quantity and composite (Observation, RiskAssessment)', steps };
}

// ---- the volume corpus: enough booking data for the SQLite planner's other paths ---------------

/**
 * 2,400 slots over ten days on eight schedules of three services (plus a few without a start), so
 * that searches cross the SQLite planner's thresholds: probe stages of 2,000 rows, walking the
 * resources index when one large driver is all there is (1,000), and the ordered walk over a date
 * index, which gives up on rare late statuses. Written in transactions of 200 (stamps may coincide;
 * no query here depends on _lastUpdated).
 */
export function volumeCorpus(): Corpus {
  const rnd = lcg(7);
  const head: Resource[] = [
    res({ resourceType: 'Practitioner', id: 'v-prac-1', identifier: [{ system: 'urn:gmc', value: 'V1' }], name: [{ family: 'Volume', given: ['Vera'] }] }),
    res({ resourceType: 'Practitioner', id: 'v-prac-2', identifier: [{ system: 'urn:gmc', value: 'V2' }], name: [{ family: 'Volkov' }] }),
  ];
  const services = ['v-hs-1', 'v-hs-2', 'v-hs-3'];
  const codes = ['310000008', '57', '394602003'];
  services.forEach((id, i) => head.push(res({
    resourceType: 'HealthcareService', id, active: true, name: `Service ${i + 1}`,
    type: [{ coding: [{ system: SNOMED, code: codes[i] }] }],
  })));
  for (let k = 0; k < 8; k++) {
    head.push(res({
      resourceType: 'Schedule', id: `v-sch-${k}`, active: k !== 7,
      actor: [{ reference: `HealthcareService/${services[k % 3]}` }, { reference: `Practitioner/v-prac-${(k % 2) + 1}` }],
    }));
  }
  const slotsOut: Resource[] = [];
  const day0 = Date.parse('2025-05-01T08:00:00.000Z');
  let n = 0;
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < 8; k++) {
      for (let q = 0; q < 30; q++) {
        n++;
        const x = rnd();
        // busy-tentative only on the last two days: rare, and late in start order.
        const status = d >= 8 && x < 0.08 ? 'busy-tentative' : x < 0.55 ? 'free' : 'busy';
        const start = n % 97 === 0 ? undefined : new Date(day0 + d * 86_400_000 + q * 15 * 60_000).toISOString();
        slotsOut.push(slot(`v-${String(n).padStart(4, '0')}`, start, {
          status, schedule: { reference: `Schedule/v-sch-${k}` },
          serviceType: [{ coding: [{ system: SNOMED, code: codes[k % 3] }] }],
        }));
      }
    }
  }
  const steps: SeedStep[] = [{ op: 'batch', resources: head }];
  for (let i = 0; i < slotsOut.length; i += 200) steps.push({ op: 'batch', resources: slotsOut.slice(i, i + 200) });
  return { name: 'booking volume', steps };
}
