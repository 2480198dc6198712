// A small estate for booking tests over HTTP: a trust with a site, two services with a Schedule each,
// a GP practice's patient with an active referral, and helpers to publish slots and book them.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { TestEnvelope } from '../../helpers/envelope.js';

export const SERVICE_TYPE = { coding: [{ system: 'http://snomed.info/sct', code: '394579002', display: 'Cardiology' }] };
export const OTHER_TYPE = { coding: [{ system: 'http://snomed.info/sct', code: '394582007', display: 'Dermatology' }] };

export type Json = Record<string, any>;

export interface World {
  env: TestEnvelope;
  /** Hospital PAS: publishes Schedules and Slots. */
  pas: string;
  /** A GP at practice A81001 (the default booker). */
  gp: string;
  /** A GP at another practice. */
  otherGp: string;
  patient: string;
  otherPatient: string;
  /** An active referral for `patient`, performer HealthcareService/cardio. */
  referral: string;
}

export async function put(env: TestEnvelope, auth: string, resource: Json): Promise<Json> {
  const res = await request(env.app).put(`/fhir/${resource.resourceType}/${resource.id}`).set('Authorization', auth).send(resource);
  assert.ok(res.status === 200 || res.status === 201, `PUT ${resource.resourceType}/${resource.id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Json;
}

export async function post(env: TestEnvelope, auth: string, resource: Json): Promise<Json> {
  const res = await request(env.app).post(`/fhir/${resource.resourceType}`).set('Authorization', auth).send(resource);
  assert.equal(res.status, 201, `POST ${resource.resourceType}: ${JSON.stringify(res.body)}`);
  return res.body as Json;
}

export async function read(env: TestEnvelope, auth: string, ref: string): Promise<Json> {
  const res = await request(env.app).get(`/fhir/${ref}`).set('Authorization', auth);
  assert.equal(res.status, 200, `GET ${ref}: ${JSON.stringify(res.body)}`);
  return res.body as Json;
}

export async function seedWorld(env: TestEnvelope): Promise<World> {
  const estate = await env.auth('estate-admin');
  const pas = await env.auth('pas-system', { sub: 'pas-1', organization: 'RR8' });
  const gp = await env.auth('gp-clinician', { sub: 'dr-jones', organization: 'A81001' });
  const otherGp = await env.auth('gp-clinician', { sub: 'dr-patel', organization: 'B82002' });
  await put(env, estate, { resourceType: 'Organization', id: 'trust', name: 'Leeds Teaching Hospitals', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RR8' }] });
  await put(env, estate, { resourceType: 'Location', id: 'sjuh', name: "St James's", managingOrganization: { reference: 'Organization/trust' } });
  await put(env, estate, { resourceType: 'HealthcareService', id: 'cardio', name: 'Cardiology', providedBy: { reference: 'Organization/trust' }, location: [{ reference: 'Location/sjuh' }], type: [SERVICE_TYPE] });
  // The two practices, by ODS code: the GP tokens act for them, and patients are registered with the first.
  await put(env, estate, { resourceType: 'Organization', id: 'practice', name: 'Jones Surgery', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A81001' }] });
  await put(env, estate, { resourceType: 'Organization', id: 'other-practice', name: 'Patel Practice', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B82002' }] });
  await put(env, estate, { resourceType: 'HealthcareService', id: 'derm', name: 'Dermatology', providedBy: { reference: 'Organization/trust' }, type: [OTHER_TYPE] });
  await put(env, pas, { resourceType: 'Schedule', id: 'sch-cardio', active: true, actor: [{ reference: 'HealthcareService/cardio' }, { reference: 'Location/sjuh' }], serviceType: [SERVICE_TYPE] });
  await put(env, pas, { resourceType: 'Schedule', id: 'sch-cardio-2', active: true, actor: [{ reference: 'HealthcareService/cardio' }], serviceType: [SERVICE_TYPE] });
  await put(env, pas, { resourceType: 'Schedule', id: 'sch-derm', active: true, actor: [{ reference: 'HealthcareService/derm' }], serviceType: [OTHER_TYPE] });
  const registered = { generalPractitioner: [{ reference: 'Organization/practice' }] };
  const patient = (await post(env, gp, { resourceType: 'Patient', name: [{ family: 'Smith', given: ['Ann'] }], birthDate: '1970-05-01', ...registered })).id as string;
  const otherPatient = (await post(env, gp, { resourceType: 'Patient', name: [{ family: 'Brown' }], birthDate: '1981-02-03', ...registered })).id as string;
  const referral = (await post(env, gp, referralFor(patient))).id as string;
  return { env, pas, gp, otherGp, patient, otherPatient, referral };
}

export function referralFor(patient: string, extra: Json = {}): Json {
  return {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient}` },
    performer: [{ reference: 'HealthcareService/cardio' }], code: SERVICE_TYPE, ...extra,
  };
}

let slotSeq = 0;

/** A free slot of `minutes` from `start` on a Schedule (cardiology by default), published by the PAS. */
export async function publishSlot(w: World, start: string, opts: { minutes?: number; schedule?: string; serviceType?: Json; status?: string; id?: string } = {}): Promise<Json> {
  const begin = new Date(start);
  const end = new Date(begin.getTime() + (opts.minutes ?? 15) * 60_000);
  return put(w.env, w.pas, {
    resourceType: 'Slot',
    id: opts.id ?? `slot-${++slotSeq}-${begin.getTime().toString(36)}`,
    schedule: { reference: `Schedule/${opts.schedule ?? 'sch-cardio'}` },
    serviceType: [opts.serviceType ?? SERVICE_TYPE],
    status: opts.status ?? 'free',
    start: begin.toISOString(),
    end: end.toISOString(),
  });
}

/** An appointment booking `slots` (start/end from their bounds) for the world's patient and referral. */
export function booking(w: World, slots: Json[], extra: Json = {}): Json {
  const sorted = [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return {
    resourceType: 'Appointment',
    status: 'booked',
    slot: slots.map((s) => ({ reference: `Slot/${s.id}` })),
    start: sorted[0]?.start,
    end: sorted[sorted.length - 1]?.end,
    created: '2025-01-01',
    basedOn: [{ reference: `ServiceRequest/${w.referral}` }],
    participant: [{ actor: { reference: `Patient/${w.patient}` }, status: 'accepted' }],
    ...extra,
  };
}

/** A distinct future instant for each call, so tests never share slot times by accident. */
let dayOffset = 0;
export function futureStart(hour = 9): string {
  dayOffset++;
  const d = new Date(Date.UTC(2031, 0, 1 + dayOffset, hour, 0, 0));
  return d.toISOString();
}

/** The issue of an OperationOutcome body, checked to carry the Spine code (when given) and the expression. */
export function issueOf(body: Json, code: string, spine?: string, expression?: string): Json {
  assert.equal(body.resourceType, 'OperationOutcome', JSON.stringify(body));
  const issue = body.issue[0];
  assert.equal(issue.code, code, JSON.stringify(issue));
  if (spine !== undefined) assert.equal(issue.details?.coding?.[0]?.code, spine, JSON.stringify(issue));
  if (expression !== undefined) assert.deepEqual(issue.expression, [expression], JSON.stringify(issue));
  return issue;
}
