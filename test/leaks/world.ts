// The leak suite's world: one patient (`pat`) whom every staff principal of the suite is related
// to, and around them resources hidden for exactly one reason each (no role, no relationship,
// consent deny, sealed, sealed and locked, expired break glass), each carrying marker strings found
// nowhere else. Seeded through the store (not the API) so that the data can be anything a client or
// an import might once have written; only the break glass and the locked team's relationship claim
// go through the API, because they are server-side facts that only the API creates.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import type { TestEnvelope } from '../helpers/envelope.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const SNOMED = 'http://snomed.info/sct';
export const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const TEAM = 'https://envelope.example/fhir/CodeSystem/seal-team';
export const LEAK_ID = 'https://leak.example/id';
export const LEAK_TAG = 'https://leak.example/tag';
export const BTG_CATEGORY = 'BTG; scheme="http://terminology.hl7.org/CodeSystem/v3-ActReason"';

/** The fixed public base, so that links and Location headers do not carry supertest's random port. */
export const BASE = 'https://leak.example';

/** Organisations, by ODS code. The seal team's code appears only in security labels. */
export const PRACTICE_A = 'A81001';
export const PRACTICE_B = 'B82002';
export const TRUST = 'RR8';
export const SEAL_TEAM = 'SEAL7Q';

/** The HIV SNOMED code: a sensitive element of the sealed referrals and their label's reason. */
export const HIV_CODE = '86406008';

/** The clock: the world is seeded at T0; break glass happens at T0; the tests run after the window. */
export const T0 = new Date('2031-01-02T10:00:00Z');
export const BREAK_GLASS_MINUTES = 20;
export const AFTER_WINDOW = new Date(T0.getTime() + (BREAK_GLASS_MINUTES + 1) * 60_000);

/** The claim reason the seal team gives: its alert (an AuditEvent) is the hidden AuditEvent. */
export const CLAIM_REASON = 'leak-claim-reason-4c2a';

const ref = (r: string) => ({ reference: r });
const ident = (value: string) => [{ system: LEAK_ID, value }];
const tag = (code: string) => [{ system: LEAK_TAG, code }];

const referral = (id: string, extra: Json): Json => ({
  resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: ref('Patient/pat'),
  requester: ref('PractitionerRole/gp-a'), performer: [ref('HealthcareService/clinic')], authoredOn: '2031-01-01', ...extra,
});
const sealedLabels = [{ system: ACT, code: 'HIV' }, { system: TEAM, code: SEAL_TEAM }];
const lockedLabels = [{ system: CONF, code: 'V' }, { system: TEAM, code: SEAL_TEAM }];
const hivReason = [{ coding: [{ system: SNOMED, code: HIV_CODE }] }];
const slot = (id: string, start: string, extra: Json = {}): Json => ({
  resourceType: 'Slot', id, schedule: ref('Schedule/clinic-sched'), status: 'free', start,
  end: new Date(new Date(start).getTime() + 15 * 60_000).toISOString(), ...extra,
});
const consentBase = (id: string, status: string, extra: Json): Json => ({
  resourceType: 'Consent', id, status, patient: ref('Patient/pat'), dateTime: '2031-01-01',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  policyRule: { coding: [{ system: ACT, code: 'OPTIN' }] }, ...extra,
});
const odsActor = (code: string) => ({
  role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] },
  reference: { identifier: { system: ODS, value: code } },
});

/** Every stored version, oldest first per resource: a resource listed twice gets two versions. */
export const WORLD: Json[] = [
  // The directory.
  { resourceType: 'Organization', id: 'practice-a', name: 'Practice A', identifier: [{ system: ODS, value: PRACTICE_A }] },
  { resourceType: 'Organization', id: 'practice-b', name: 'Practice B', identifier: [{ system: ODS, value: PRACTICE_B }] },
  { resourceType: 'Organization', id: 'trust', name: 'Trust', identifier: [{ system: ODS, value: TRUST }] },
  { resourceType: 'Organization', id: 'far-trust', name: 'Far Trust', identifier: [{ system: ODS, value: 'RX9' }] },
  { resourceType: 'PractitionerRole', id: 'gp-a', organization: ref('Organization/practice-a') },
  { resourceType: 'PractitionerRole', id: 'gp-b', organization: ref('Organization/practice-b') },
  { resourceType: 'Location', id: 'site', name: 'Site', managingOrganization: ref('Organization/trust') },
  { resourceType: 'HealthcareService', id: 'clinic', name: 'Clinic', providedBy: ref('Organization/trust'), location: [ref('Location/site')] },
  { resourceType: 'HealthcareService', id: 'far-clinic', name: 'Far clinic', providedBy: ref('Organization/far-trust') },
  { resourceType: 'Schedule', id: 'clinic-sched', active: true, actor: [ref('HealthcareService/clinic')] },
  slot('open-slot', '2031-02-10T09:00:00.000Z'),

  // The patients: `pat` (registered at practice A, referred to the trust), the patient-role
  // principal's own record, and a scratch patient that write paths create data for.
  { resourceType: 'Patient', id: 'pat', name: [{ family: 'Pemberton', given: ['Ann'] }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  { resourceType: 'Patient', id: 'other-pat', name: [{ family: 'Otterley' }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  { resourceType: 'Patient', id: 'scratch-pat', name: [{ family: 'Scratchley' }], generalPractitioner: [ref('PractitionerRole/gp-a')] },
  referral('sr-open', { note: [{ text: 'an ordinary referral' }] }),

  // No role: one resource of each type some default role has no grant on.
  referral('hidden-norole-sr', { identifier: ident('norole-sr-ident-2c9e'), meta: { tag: tag('norole-sr-tag') }, note: [{ text: 'norole-sr-note-3b8d' }] }),
  referral('hidden-norole-sr', { identifier: ident('norole-sr-ident-2c9e'), meta: { tag: tag('norole-sr-tag') }, note: [{ text: 'norole-sr-note-3b8d' }], priority: 'urgent' }),
  consentBase('hidden-norole-consent', 'inactive', { identifier: ident('norole-consent-ident-8d1f'), meta: { tag: tag('norole-consent-tag') } }),
  consentBase('hidden-norole-consent', 'inactive', { identifier: ident('norole-consent-ident-8d1f'), meta: { tag: tag('norole-consent-tag') }, dateTime: '2031-01-02' }),
  slot('hidden-norole-slot', '2031-02-12T09:00:00.000Z', { identifier: ident('norole-slot-ident-5a70'), meta: { tag: tag('norole-slot-tag') }, comment: 'norole-slot-comment-91e4' }),
  slot('hidden-norole-slot', '2031-02-12T09:00:00.000Z', { identifier: ident('norole-slot-ident-5a70'), meta: { tag: tag('norole-slot-tag') }, comment: 'norole-slot-comment-91e4', overbooked: false }),

  // No relationship: a patient registered at practice B, referred to a trust none of the suite's
  // principals work for.
  { resourceType: 'Patient', id: 'hidden-norel-pat', name: [{ family: 'Norquist', given: ['Nell'] }], generalPractitioner: [ref('PractitionerRole/gp-b')] },
  {
    resourceType: 'ServiceRequest', id: 'hidden-norel-sr', status: 'active', intent: 'order', subject: ref('Patient/hidden-norel-pat'),
    requester: ref('PractitionerRole/gp-b'), performer: [ref('HealthcareService/far-clinic')], authoredOn: '2031-01-01',
    identifier: ident('norel-sr-ident-6b3a'), meta: { tag: tag('norel-sr-tag') }, note: [{ text: 'norel-sr-note-0d4c' }],
  },
  {
    resourceType: 'ServiceRequest', id: 'hidden-norel-sr', status: 'active', intent: 'order', subject: ref('Patient/hidden-norel-pat'),
    requester: ref('PractitionerRole/gp-b'), performer: [ref('HealthcareService/far-clinic')], authoredOn: '2031-01-01',
    identifier: ident('norel-sr-ident-6b3a'), meta: { tag: tag('norel-sr-tag') }, note: [{ text: 'norel-sr-note-0d4c' }], priority: 'urgent',
  },

  // Consent deny: pat's opt-in consent denies the suite's organisations (named by ODS code, as a
  // logical reference) her appointments on 3 March 2031: that one appointment, nothing else.
  consentBase('consent-deny', 'active', {
    provision: {
      provision: [{
        type: 'deny', actor: [odsActor(PRACTICE_A), odsActor(TRUST)],
        class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Appointment' }],
        dataPeriod: { start: '2031-03-03', end: '2031-03-03' },
      }],
    },
  }),
  ...[1, 2].map((n) => ({
    resourceType: 'Appointment', id: 'hidden-consent-appt', status: 'booked', start: '2031-03-03T10:00:00.000Z', end: '2031-03-03T10:15:00.000Z',
    participant: [{ actor: ref('Patient/pat'), status: 'accepted' }, { actor: ref('Location/site'), status: 'accepted' }],
    basedOn: [ref('ServiceRequest/sr-open')], identifier: ident('consent-appt-ident-7c55'), meta: { tag: tag('consent-appt-tag') },
    comment: 'consent-appt-comment-5e21', ...(n === 2 ? { description: 'consent-appt-description-5e21' } : {}),
  })),

  // Sealed (HIV, sealed by a team none of the suite's principals belong to): masked for them.
  ...[1, 2].map((n) => referral('hidden-sealed-sr', {
    meta: { security: sealedLabels, tag: tag('sealed-sr-tag') }, identifier: ident('sealed-sr-ident-1f0b'),
    reasonCode: hivReason, note: [{ text: 'sealed-note-7f3a' }], ...(n === 2 ? { priority: 'urgent' } : {}),
  })),
  // Sealed once, open now: the first version stays sealed.
  referral('was-sealed-sr', { meta: { security: sealedLabels }, identifier: ident('was-sealed-ident-3e8e'), reasonCode: hivReason, note: [{ text: 'was-sealed-note-c7a2' }] }),
  referral('was-sealed-sr', { identifier: ident('was-sealed-ident-3e8e'), priority: 'urgent' }),
  // Sealed and opened by break glass, whose window has lapsed when the tests run.
  ...[1, 2].map((n) => referral('hidden-btg-sr', {
    meta: { security: sealedLabels, tag: tag('btg-sr-tag') }, identifier: ident('btg-sr-ident-94d0'),
    reasonCode: hivReason, note: [{ text: 'btg-note-2b6e' }], ...(n === 2 ? { priority: 'urgent' } : {}),
  })),

  // Sealed and locked by the seal team: does not exist for anyone else.
  ...[1, 2].map((n) => referral('hidden-locked-sr', {
    meta: { security: lockedLabels, tag: tag('locked-sr-tag') }, identifier: ident('locked-sr-ident-0a61'),
    note: [{ text: 'locked-note-e5d3' }], ...(n === 2 ? { priority: 'urgent' } : {}),
  })),
  ...[1, 2].map((n) => slot('hidden-locked-slot', '2031-02-14T09:00:00.000Z', {
    meta: { security: lockedLabels, tag: tag('locked-slot-tag') }, identifier: ident('locked-slot-ident-77b9'),
    comment: 'locked-slot-comment-3d3d', ...(n === 2 ? { overbooked: false } : {}),
  })),
  // Locked once, open now: the first version stays hidden.
  referral('was-locked-sr', { meta: { security: lockedLabels }, identifier: ident('was-locked-ident-50c8'), note: [{ text: 'was-locked-note-8f19' }] }),
  referral('was-locked-sr', { identifier: ident('was-locked-ident-50c8'), priority: 'urgent' }),

  // A visible appointment of pat that points at the hidden referrals and slots: the way an
  // _include or a chain could reach them from something the principal may see.
  {
    resourceType: 'Appointment', id: 'ptr-appt', status: 'booked', start: '2031-03-05T10:00:00.000Z', end: '2031-03-05T10:15:00.000Z',
    participant: [{ actor: ref('Patient/pat'), status: 'accepted' }, { actor: ref('Location/site'), status: 'accepted' }],
    basedOn: ['hidden-norole-sr', 'hidden-norel-sr', 'hidden-sealed-sr', 'was-sealed-sr', 'hidden-btg-sr', 'hidden-locked-sr', 'was-locked-sr', 'sr-open'].map((id) => ref(`ServiceRequest/${id}`)),
    slot: [ref('Slot/hidden-norole-slot'), ref('Slot/hidden-locked-slot')],
  },
];

/** Seeds WORLD through the store: the first mention of an id creates it, each later one is a new version. */
export async function seedWorld(env: TestEnvelope): Promise<void> {
  const seen = new Set<string>();
  await env.store.transaction(async (tx) => {
    for (const r of WORLD) {
      const key = `${r.resourceType}/${r.id}`;
      if (seen.has(key)) await tx.update(r as Resource);
      else await tx.create(r as Resource);
      seen.add(key);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Principals.

interface RoleGrant { resources: string[] | '*'; permissions: string }
interface RoleDef { grants: RoleGrant[]; mayBreakGlass?: boolean; mayChooseIds?: boolean }

/** The default role policy, as the server loads it: every role in it is tested. */
export const ROLE_POLICY = JSON.parse(readFileSync(new URL('../../../policy/roles.json', import.meta.url), 'utf8')) as { roles: Record<string, RoleDef> };
export const ROLES = Object.keys(ROLE_POLICY.roles);

/** Whether `role` has a grant on `type` with every permission letter in `letters` (any grant at all for ''). */
export function hasGrant(role: string, type: string, letters = ''): boolean {
  return ROLE_POLICY.roles[role]!.grants.some((g) => (g.resources === '*' || g.resources.includes(type)) && [...letters].every((l) => g.permissions.includes(l)));
}

export function mayBreakGlass(role: string): boolean {
  return ROLE_POLICY.roles[role]!.mayBreakGlass === true;
}

const GP_SIDE = new Set(['gp-clinician', 'gp-admin', 'gp-system']);

/**
 * The claims of the suite's principal in `role`: the GP roles act for practice A (pat's practice),
 * the others for the trust pat is referred to; the patient is ANOTHER patient.
 */
export function claimsOf(role: string): Record<string, unknown> {
  if (role === 'patient') return { sub: 'leak-patient', fhirUser: 'Patient/other-pat' };
  return { sub: `leak-${role}`, organization: GP_SIDE.has(role) ? PRACTICE_A : TRUST };
}

/** Principals for whom the hidden things are NOT hidden: they prove each path reaches its target. */
export type ControlKey = 'practice-a-gp' | 'practice-b-gp' | 'pat-herself' | 'seal-team' | 'privacy-officer';

export const CONTROLS: Record<ControlKey, { role: string; claims: Record<string, unknown> }> = {
  'practice-a-gp': { role: 'gp-clinician', claims: { sub: 'control-gp-a', organization: PRACTICE_A } },
  'practice-b-gp': { role: 'gp-clinician', claims: { sub: 'control-gp-b', organization: PRACTICE_B } },
  'pat-herself': { role: 'patient', claims: { sub: 'control-pat', fhirUser: 'Patient/pat' } },
  'seal-team': { role: 'gp-clinician', claims: { sub: 'control-team', organization: SEAL_TEAM } },
  'privacy-officer': { role: 'privacy-officer', claims: { sub: 'control-po', organization: TRUST } },
};

export interface World {
  env: TestEnvelope;
  /** Bearer headers of the suite's principals, by role. */
  tokens: Record<string, string>;
  controls: Record<ControlKey, string>;
  /** The id of the AuditEvent hidden from roles without AuditEvent grants (the seal team's claim alert). */
  auditEventId: string;
  /** The clock the Envelope reads. */
  clock: { now: Date };
}

/**
 * Seeds the world, then: the seal team claims a relationship with pat (its alert is the hidden
 * AuditEvent); every suite principal tries to break the glass for pat's sealed referral at T0 (the
 * roles allowed to do so get it whole, proving the window opened); the clock moves past the window.
 */
export async function buildWorld(env: TestEnvelope, clock: { now: Date }): Promise<World> {
  clock.now = T0;
  await seedWorld(env);
  const tokens: Record<string, string> = {};
  for (const role of ROLES) tokens[role] = await env.auth(role, claimsOf(role));
  const controls = {} as Record<ControlKey, string>;
  for (const [key, c] of Object.entries(CONTROLS)) controls[key as ControlKey] = await env.auth(c.role, c.claims);

  // The seal team and practice B claim a relationship with pat, so that their controls also see
  // pat's data that points at their hidden things (ptr-appt).
  for (const [control, reason] of [['seal-team', CLAIM_REASON], ['practice-b-gp', 'leak suite: practice B control']] as const) {
    const claim = await request(env.app).post('/fhir/Patient/pat/$claim-relationship').set('Authorization', controls[control])
      .send({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: reason }] });
    assert.equal(claim.status, 200, `${control}'s claim: ${claim.text}`);
  }
  const events = await env.store.search({ types: ['AuditEvent'], where: [], sort: [], count: 10_000, total: 'none' });
  const alert = events.matches.find((m) => JSON.stringify(m.resource).includes(CLAIM_REASON));
  assert.ok(alert, 'the claim raised an alert');

  for (const role of ROLES) {
    const res = await request(env.app).get('/fhir/ServiceRequest/hidden-btg-sr').set('Authorization', tokens[role]!)
      .set('Category', BTG_CATEGORY).set('X-Break-Glass-Reason', 'leak suite: unconscious patient');
    if (mayBreakGlass(role)) {
      assert.equal(res.status, 200, `${role} breaks the glass: ${res.text}`);
      assert.ok(res.text.includes('btg-note-2b6e'), `${role}: break glass opened the sealed referral`);
    } else {
      assert.notEqual(res.status, 200, `${role} may not break the glass`);
    }
  }
  // Within the window the breakers still see it whole without asking again; after it, never.
  clock.now = new Date(T0.getTime() + (BREAK_GLASS_MINUTES - 1) * 60_000);
  for (const role of ROLES.filter(mayBreakGlass)) {
    const res = await request(env.app).get('/fhir/ServiceRequest/hidden-btg-sr').set('Authorization', tokens[role]!);
    assert.ok(res.text.includes('btg-note-2b6e'), `${role}: the window is open before it lapses`);
  }
  clock.now = AFTER_WINDOW;
  return { env, tokens, controls, auditEventId: alert.id, clock };
}
