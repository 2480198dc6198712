// Envelope's profiles (profiles/*.json): each accepts a conforming resource and refuses each of its
// rules broken, with the fault located; the AuditEvents Envelope writes meet its AuditEvent profile;
// the loader refuses profiles that claim rules the validator would not enforce.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_KINDS, alertEvent } from '../../../src/audit/alerts.js';
import { auditEventsFor } from '../../../src/audit/balp.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import { readProfiles } from '../../../src/fhir/validation/profile-loader.js';
import { installedProfiles, profileIssues, registryOf, validateAgainstProfile } from '../../../src/fhir/validation/profiles.js';
import { record, staff, system } from '../../audit/events/fixtures.js';
import { errorsOf, summary } from './support.js';

type R = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SD = 'https://envelope.example/fhir/StructureDefinition/';
const ref = (reference: string) => ({ reference });

interface Rule { what: string; change: (r: R) => void; at: string; code: string }
interface Case { profile: string; valid: () => R; rules: Rule[] }

const cases: Case[] = [
  {
    profile: 'envelope-booked-appointment',
    valid: () => ({
      resourceType: 'Appointment', status: 'booked', created: '2030-01-01T09:00:00Z', start: '2030-02-01T09:00:00Z', end: '2030-02-01T09:30:00Z',
      slot: [ref('Slot/s1')], basedOn: [ref('ServiceRequest/r1')],
      participant: [{ actor: ref('Practitioner/d1'), status: 'accepted' }, { actor: ref('Patient/p1'), required: 'required', status: 'accepted' }],
    }),
    rules: [
      { what: 'no slot', change: (r) => delete r.slot, at: 'Appointment.slot', code: 'required' },
      { what: 'no referral', change: (r) => delete r.basedOn, at: 'Appointment.basedOn', code: 'required' },
      { what: 'two referrals', change: (r) => r.basedOn.push(ref('ServiceRequest/r2')), at: 'Appointment.basedOn', code: 'structure' },
      { what: 'no booking time', change: (r) => delete r.created, at: 'Appointment.created', code: 'required' },
      { what: 'no patient participant', change: (r) => r.participant.pop(), at: 'Appointment.participant', code: 'required' },
      { what: 'two patient participants', change: (r) => r.participant.push({ actor: ref('Patient/p2'), required: 'required', status: 'accepted' }), at: 'Appointment.participant', code: 'structure' },
      { what: 'the patient optional', change: (r) => (r.participant[1].required = 'optional'), at: 'Appointment.participant[1].required', code: 'value' },
      { what: 'the patient not marked required', change: (r) => delete r.participant[1].required, at: 'Appointment.participant[1].required', code: 'required' },
      { what: 'starts before it was booked', change: (r) => (r.created = '2030-03-01T09:00:00Z'), at: 'Appointment', code: 'invariant env-appt-1' },
      { what: 'booked the same day without a time', change: (r) => (r.created = '2030-02-01'), at: 'Appointment', code: 'invariant env-appt-1' },
      { what: 'still a proposal', change: (r) => (r.status = 'proposed'), at: 'Appointment', code: 'invariant env-appt-2' },
    ],
  },
  {
    profile: 'envelope-bookable-slot',
    valid: () => ({
      resourceType: 'Slot', schedule: ref('Schedule/sch1'), status: 'free', start: '2030-02-01T09:00:00Z', end: '2030-02-01T09:30:00Z',
      serviceType: [{ coding: [{ system: 'http://snomed.info/sct', code: '394579002' }] }],
    }),
    rules: [
      { what: 'no service type', change: (r) => delete r.serviceType, at: 'Slot.serviceType', code: 'required' },
      { what: 'overbooked', change: (r) => (r.overbooked = true), at: 'Slot.overbooked', code: 'value' },
      { what: 'ends before it starts', change: (r) => (r.end = '2030-02-01T08:30:00Z'), at: 'Slot', code: 'invariant env-slot-1' },
    ],
  },
  {
    profile: 'envelope-referral',
    valid: () => ({
      resourceType: 'ServiceRequest', status: 'active', intent: 'order',
      category: [{ text: 'outpatient' }, { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
      subject: ref('Patient/p1'), authoredOn: '2030-01-01', requester: ref('PractitionerRole/gp'), performer: [ref('HealthcareService/cardio')],
    }),
    rules: [
      { what: 'a plan, not an order', change: (r) => (r.intent = 'plan'), at: 'ServiceRequest.intent', code: 'value' },
      { what: 'no referral category', change: (r) => r.category.pop(), at: 'ServiceRequest.category', code: 'required' },
      { what: 'no category at all', change: (r) => delete r.category, at: 'ServiceRequest.category', code: 'required' },
      { what: 'two referral categories', change: (r) => r.category.push(r.category[1]), at: 'ServiceRequest.category', code: 'structure' },
      { what: 'for a group', change: (r) => (r.subject = ref('Group/g1')), at: 'ServiceRequest.subject.reference', code: 'value' },
      { what: 'requested by a device', change: (r) => (r.requester = ref('Device/d1')), at: 'ServiceRequest.requester.reference', code: 'value' },
      { what: 'no requester', change: (r) => delete r.requester, at: 'ServiceRequest.requester', code: 'required' },
      { what: 'no date', change: (r) => delete r.authoredOn, at: 'ServiceRequest.authoredOn', code: 'required' },
      { what: 'neither what nor whom', change: (r) => delete r.performer, at: 'ServiceRequest', code: 'invariant env-ref-1' },
    ],
  },
  {
    profile: 'envelope-privacy-consent',
    valid: () => ({
      resourceType: 'Consent', status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: ref('Patient/p1'), dateTime: '2030-01-01',
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: { provision: [{ type: 'deny', provision: [{ type: 'permit' }] }] },
    }),
    rules: [
      { what: 'a research consent', change: (r) => (r.scope.coding[0].code = 'research'), at: 'Consent.scope', code: 'value' },
      { what: 'another server\'s patient', change: (r) => (r.patient = ref('https://elsewhere.example/fhir/Patient/p1')), at: 'Consent', code: 'invariant env-consent-2' },
      { what: 'a patient known only by identifier', change: (r) => (r.patient = { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' } }), at: 'Consent', code: 'invariant env-consent-2' },
      { what: 'no date', change: (r) => delete r.dateTime, at: 'Consent.dateTime', code: 'required' },
      { what: 'no provision', change: (r) => delete r.provision, at: 'Consent.provision', code: 'required' },
      {
        what: 'a nested provision deciding nothing',
        change: (r) => (r.provision.provision[0].provision[0] = { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }),
        at: 'Consent', code: 'invariant env-consent-1',
      },
    ],
  },
  {
    profile: 'envelope-audit-event',
    valid: () => auditEventsFor(record())[0] as unknown as R,
    rules: [
      { what: 'no subtype', change: (r) => delete r.subtype, at: 'AuditEvent.subtype', code: 'required' },
      { what: 'no outcome', change: (r) => delete r.outcome, at: 'AuditEvent.outcome', code: 'required' },
      { what: 'a source that is not an application server', change: (r) => (r.source.type[0].code = '1'), at: 'AuditEvent.source.type[0]', code: 'value' },
      { what: 'two source types', change: (r) => r.source.type.push({ ...r.source.type[0], display: 'again' }), at: 'AuditEvent.source.type', code: 'structure' },
      { what: 'no site', change: (r) => delete r.source.site, at: 'AuditEvent.source.site', code: 'required' },
      { what: 'two requestors', change: (r) => r.agent.forEach((a: R) => (a.requestor = true)), at: 'AuditEvent', code: 'invariant env-audit-1' },
    ],
  },
];

/** `code expression` of each error, with the invariant's key for invariants. */
const located = (issues: ReturnType<typeof validateResource>) =>
  errorsOf(issues).map((i) => `${i.code}${i.code === 'invariant' ? ` ${i.diagnostics.split(':')[0]}` : ''} ${(i.expression ?? []).join(',')}`);

describe('validation: Envelope profiles', () => {
  it('profiles/ holds the five profiles, one per booking-workflow type', () => {
    expect(installedProfiles().all.map((p) => `${p.type} ${p.url}`).sort()).to.deep.equal([
      `Appointment ${SD}envelope-booked-appointment`, `AuditEvent ${SD}envelope-audit-event`, `Consent ${SD}envelope-privacy-consent`,
      `ServiceRequest ${SD}envelope-referral`, `Slot ${SD}envelope-bookable-slot`,
    ]);
  });

  for (const c of cases) {
    describe(c.profile, () => {
      const url = SD + c.profile;
      it('a conforming resource passes the base definition and the profile', () => {
        const r = c.valid();
        expect(summary(validateResource(r))).to.deep.equal([]);
        expect(summary(validateAgainstProfile(r, url))).to.deep.equal([]);
        expect(summary(validateResource({ ...r, meta: { profile: [url] } }))).to.deep.equal([]);
      });
      for (const rule of c.rules) {
        it(`${rule.what} -> ${rule.code} at ${rule.at}`, () => {
          const r = c.valid();
          rule.change(r);
          // Claimed in meta.profile, the profile's rule is the only error: the base definition allows it.
          expect(located(validateResource(r))).to.deep.equal([]);
          expect(located(validateResource({ ...r, meta: { profile: [url] } }))).to.deep.equal([`${rule.code} ${rule.at}`]);
          expect(located(validateResource(r, { mandatoryProfiles: [url] }))).to.deep.equal([`${rule.code} ${rule.at}`]);
          const [issue] = errorsOf(validateAgainstProfile(r, url));
          expect(issue!.diagnostics).to.be.a('string').and.not.equal('');
        });
      }
    });
  }

  it('the AuditEvents Envelope writes (every interaction kind, sign-on, alerts) meet envelope-audit-event', () => {
    const url = `${SD}envelope-audit-event`;
    const records = [
      record(), record({ interaction: 'create', action: 'C', method: 'POST' }), record({ interaction: 'search-type', action: 'E', patients: [] }),
      record({ interaction: 'operation', operation: '$validate', action: 'E' }), record({ principal: undefined, outcome: { code: '4', status: 401, text: 'no token' } }),
      record({ interaction: 'login', action: 'E', principal: staff({ authMethod: 'saml' }) }), record({ interaction: 'token', action: 'E', principal: system() }),
      record({ interaction: 'capabilities', principal: undefined, resources: [], patients: [] }),
    ];
    const events = [
      ...records.flatMap((r) => auditEventsFor(r)),
      ...ALERT_KINDS.map((k) => alertEvent(k, { who: staff(), patient: 'p1', reason: 'seen in clinic', at: '2030-01-01T10:00:00Z' })),
      alertEvent('repeated-refusals', { address: '198.51.100.9', count: 20, windowMs: 600_000, at: '2030-01-01T10:00:00Z' }),
    ];
    for (const e of events) expect(summary(validateResource(e, { mandatoryProfiles: [url] })), JSON.stringify(e)).to.deep.equal([]);
  });

  it('mandatory profiles of other types are ignored; a claim of another type\'s profile is an error at the claim', () => {
    const slot = cases[1]!.valid();
    expect(summary(validateResource(slot, { mandatoryProfiles: [`${SD}envelope-referral`] }))).to.deep.equal([]);
    const claimed = { ...slot, meta: { profile: [`${SD}envelope-referral`] } };
    expect(summary(validateResource(claimed))).to.deep.equal(['invalid Slot.meta.profile[0]']);
  });

  it('an unknown profile claimed in meta.profile is a warning; the base R4 profile is no claim at all', () => {
    const slot = { ...cases[1]!.valid(), meta: { profile: [`${SD}nope`, 'http://hl7.org/fhir/StructureDefinition/Slot'] } };
    const issues = profileIssues(slot);
    expect(issues.map((i) => `${i.severity} ${i.code} ${i.expression!.join()}`)).to.deep.equal(['warning not-supported Slot.meta.profile[0]']);
    expect(validateAgainstProfile(slot, `${SD}nope`).map((i) => `${i.severity} ${i.code}`)).to.deep.equal(['error not-supported']);
    // A versioned canonical names the same profile.
    expect(located(validateResource({ ...slot, overbooked: true, meta: { profile: [`${SD}envelope-bookable-slot|0.1.0`] } }))).to.deep.equal(['value Slot.overbooked']);
  });
});

describe('validation: profile loader', () => {
  const good = JSON.parse(readFileSync(new URL('../../../../profiles/referral.json', import.meta.url), 'utf8')) as R;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-profiles-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (...sds: R[]) => {
    sds.forEach((sd, i) => writeFileSync(join(dir, `p${i}.json`), JSON.stringify(sd)));
    return readProfiles(dir);
  };
  const withElement = (id: string, change: (e: R) => void): R => {
    const sd = structuredClone(good);
    const e = sd.differential.element.find((x: R) => x.id === id);
    change(e);
    return sd;
  };

  it('reads a valid profile', () => {
    expect(load(good).map((p) => p.url)).to.deep.equal([`${SD}envelope-referral`]);
  });

  const refusals: [string, () => R[], RegExp][] = [
    ['a snapshot profile', () => [{ ...good, snapshot: { element: [] } }], /only a differential/],
    ['a specialisation', () => [{ ...good, derivation: 'specialization' }], /derivation must be constraint/],
    ['a URL outside Envelope\'s base', () => [{ ...good, url: 'http://example.org/sd' }], /url must start with/],
    ['a profile of a profile', () => [{ ...good, baseDefinition: `${SD}other` }], /baseDefinition/],
    ['two profiles with one URL', () => [good, good], /a second profile/],
    ['a path not in the base', () => [withElement('ServiceRequest.authoredOn', (e) => { e.id = 'ServiceRequest.authoredAt'; e.path = 'ServiceRequest.authoredAt'; })], /not an element of ServiceRequest/],
    ['an id and path that disagree', () => [withElement('ServiceRequest.authoredOn', (e) => (e.path = 'ServiceRequest.occurrence[x]'))], /path must be ServiceRequest.authoredOn/],
    ['a loosened minimum', () => [withElement('ServiceRequest.intent', (e) => (e.min = 0))], /loosens the base minimum/],
    ['a loosened maximum', () => [withElement('ServiceRequest.authoredOn', (e) => (e.max = '*'))], /loosens the base maximum/],
    ['a rule the validator does not enforce', () => [withElement('ServiceRequest.authoredOn', (e) => (e.maxLength = 10))], /maxLength is not enforced/],
    ['a fixed value of a type the element does not have', () => [withElement('ServiceRequest.intent', (e) => { delete e.fixedCode; e.fixedString = 'order'; })], /fixedString does not name a type/],
    ['a target the base does not allow', () => [withElement('ServiceRequest.subject', (e) => (e.type[0].targetProfile = ['http://hl7.org/fhir/StructureDefinition/Practitioner']))], /not allowed by the base/],
    ['an invariant that does not compile', () => [withElement('ServiceRequest', (e) => (e.constraint[0].expression = 'code.exists( or'))], /does not compile/],
    ['an unsupported discriminator', () => [withElement('ServiceRequest.category', (e) => (e.slicing.discriminator[0].type = 'profile'))], /not supported/],
    ['ordered slicing', () => [withElement('ServiceRequest.category', (e) => (e.slicing.ordered = true))], /ordered slicing/],
    ['a slice that does not state its discriminator', () => [withElement('ServiceRequest.category:referral', (e) => delete e.patternCodeableConcept)], /does not state its pattern/],
    ['a slice without slicing', () => [withElement('ServiceRequest.category', (e) => delete e.slicing)], /must follow the element that declares its slicing/],
    ['a binding to a value set that cannot be expanded', () => [withElement('ServiceRequest.authoredOn', (e) => { e.id = 'ServiceRequest.reasonCode'; e.path = e.id; delete e.min; e.binding = { strength: 'required', valueSet: 'http://snomed.info/sct?fhir_vs' }; })], /cannot be expanded/],
  ];
  for (const [what, sds, message] of refusals) {
    it(`refuses ${what}, naming the file and the element`, () => {
      let failure: unknown;
      try {
        load(...sds());
      } catch (e) {
        failure = e;
      }
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message).to.match(/^profiles\/p\d\.json: /).and.to.match(message);
    });
  }

  it('closed slicing, value and exists discriminators: each instance is matched and checked by its slice', () => {
    const sd = {
      resourceType: 'StructureDefinition', url: `${SD}test-patient`, name: 'TestPatient', kind: 'resource', type: 'Patient',
      baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient', derivation: 'constraint',
      differential: {
        element: [
          { id: 'Patient.identifier', path: 'Patient.identifier', slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'closed' } },
          { id: 'Patient.identifier:nhs', path: 'Patient.identifier', sliceName: 'nhs', min: 1, max: '1' },
          { id: 'Patient.identifier:nhs.system', path: 'Patient.identifier.system', fixedUri: 'https://fhir.nhs.uk/Id/nhs-number' },
          { id: 'Patient.identifier:nhs.value', path: 'Patient.identifier.value', min: 1 },
          { id: 'Patient.address', path: 'Patient.address', slicing: { discriminator: [{ type: 'exists', path: 'period' }], rules: 'open' } },
          { id: 'Patient.address:dated', path: 'Patient.address', sliceName: 'dated', max: '1' },
          { id: 'Patient.address:dated.period', path: 'Patient.address.period', min: 1 },
        ],
      },
    };
    const [profile] = load(sd);
    const registry = registryOf([profile!]);
    const check = (r: R) => located(validateAgainstProfile(r, sd.url, registry));
    const nhs = { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' };
    expect(check({ resourceType: 'Patient', identifier: [nhs], address: [{ city: 'Leeds' }, { city: 'York', period: { start: '2020-01-01' } }] })).to.deep.equal([]);
    expect(check({ resourceType: 'Patient', identifier: [nhs, { system: 'urn:oid:1.2.3', value: 'x' }] })).to.deep.equal(['structure Patient.identifier[1]']);
    expect(check({ resourceType: 'Patient', identifier: [{ system: nhs.system }] })).to.deep.equal(['required Patient.identifier[0].value']);
    expect(check({ resourceType: 'Patient', identifier: [nhs, nhs] })).to.deep.equal(['structure Patient.identifier']);
    const twoDated = { resourceType: 'Patient', identifier: [nhs], address: [{ period: { start: '2020-01-01' } }, { period: { start: '2021-01-01' } }] };
    expect(check(twoDated)).to.deep.equal(['structure Patient.address']);
  });
});
