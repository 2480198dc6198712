import type { Resource } from '../../src/domain/fhir.js';
import type { IndexValue } from '../../src/domain/search-types.js';
import { createIndexer } from '../../src/search/indexer.js';
import { expect } from './support/chai.js';
import { BASE, example, registry, wideRegistry } from './support/fixtures.js';

const index = createIndexer(registry, { baseUrl: BASE });
const wideIndex = createIndexer(wideRegistry, { baseUrl: BASE });
const of = (entries: IndexValue[], p: string) => entries.filter((e) => e.p === p);

describe('search/indexer: official examples', () => {
  it('Slot-example: every parameter', () => {
    expect(index(example('Slot-example'))).to.deep.equal([
      { p: 'appointment-type', sys: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'WALKIN', text: 'a previously unscheduled walk-in visit' },
      { p: 'schedule', s: 'Schedule/example', rt: 'Schedule' },
      { p: 'service-category', sys: '', code: '17', text: 'general practice' },
      { p: 'service-type', sys: '', code: '57', text: 'immunization' },
      { p: 'specialty', sys: '', code: '408480009', text: 'clinical immunology' },
      { p: 'start', lo: '2013-12-25T09:15:00.000Z', hi: '2013-12-25T09:15:00.999Z' },
      { p: 'status', sys: '', code: 'free' },
    ]);
  });

  it('Appointment-example: references split by resolve() type, codes, date', () => {
    const e = index(example('Appointment-example'));
    expect(of(e, 'actor')).to.deep.equal([
      { p: 'actor', s: 'Patient/example', rt: 'Patient' },
      { p: 'actor', s: 'Practitioner/example', rt: 'Practitioner' },
      { p: 'actor', s: 'Location/1', rt: 'Location' },
    ]);
    expect(of(e, 'patient')).to.deep.equal([{ p: 'patient', s: 'Patient/example', rt: 'Patient' }]);
    expect(of(e, 'practitioner')).to.deep.equal([{ p: 'practitioner', s: 'Practitioner/example', rt: 'Practitioner' }]);
    expect(of(e, 'location')).to.deep.equal([{ p: 'location', s: 'Location/1', rt: 'Location' }]);
    expect(of(e, 'date')).to.deep.equal([{ p: 'date', lo: '2013-12-10T09:00:00.000Z', hi: '2013-12-10T09:00:00.999Z' }]);
    expect(of(e, 'status')).to.deep.equal([{ p: 'status', sys: '', code: 'booked' }]);
    // Three participants all "accepted": one entry.
    expect(of(e, 'part-status')).to.deep.equal([{ p: 'part-status', sys: '', code: 'accepted' }]);
    expect(of(e, 'specialty')).to.deep.equal([{ p: 'specialty', sys: 'http://snomed.info/sct', code: '394814009', text: 'general practice' }]);
    expect(of(e, 'based-on')).to.deep.equal([{ p: 'based-on', s: 'ServiceRequest/myringotomy', rt: 'ServiceRequest' }]);
  });

  it('Patient-example: names per part, address per part, identifier with :of-type entry, telecom, booleans', () => {
    const e = index(example('Patient-example'));
    expect(of(e, 'name').map((x) => x.s)).to.deep.equal(['chalmers', 'peter', 'james', 'jim', 'windsor']);
    expect(of(e, 'name')[0]).to.deep.equal({ p: 'name', s: 'chalmers', exact: 'Chalmers' });
    expect(of(e, 'family').map((x) => x.exact)).to.deep.equal(['Chalmers', 'Windsor']);
    expect(of(e, 'given').map((x) => x.exact)).to.deep.equal(['Peter', 'James', 'Jim']);
    expect(of(e, 'address').map((x) => x.s)).to.deep.equal([
      '534 erewhon st peasantville, rainbow, vic 3999', '534 erewhon st', 'pleasantville', 'rainbow', 'vic', '3999',
    ]);
    expect(of(e, 'address')[0]!.exact).to.equal('534 Erewhon St PeasantVille, Rainbow, Vic  3999');
    expect(of(e, 'address-city')).to.deep.equal([{ p: 'address-city', s: 'pleasantville', exact: 'PleasantVille' }]);
    expect(of(e, 'identifier')).to.deep.equal([{ p: 'identifier', sys: 'urn:oid:1.2.36.146.595.217.0.1', code: '12345' }]);
    expect(of(e, 'identifier:of-type')).to.deep.equal([
      { p: 'identifier:of-type', sys: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR|12345' },
    ]);
    expect(of(e, 'birthdate')).to.deep.equal([{ p: 'birthdate', lo: '1974-12-25T00:00:00.000Z', hi: '1974-12-25T23:59:59.999Z' }]);
    expect(of(e, 'active')).to.deep.equal([{ p: 'active', sys: '', code: 'true' }]);
    expect(of(e, 'deceased')).to.deep.equal([{ p: 'deceased', sys: '', code: 'false' }]);
    expect(of(e, 'gender')).to.deep.equal([{ p: 'gender', sys: '', code: 'male' }]);
    expect(of(e, 'phone').map((x) => x.code)).to.deep.equal(['(03) 5555 6473', '(03) 3410 5613', '(03) 5555 8834']);
    expect(of(e, 'email')).to.deep.equal([]);
    expect(of(e, 'organization')).to.deep.equal([{ p: 'organization', s: 'Organization/1', rt: 'Organization' }]);
  });

  it('Schedule-example: a Period as one range', () => {
    expect(of(index(example('Schedule-example')), 'date')).to.deep.equal([
      { p: 'date', lo: '2013-12-25T09:15:00.000Z', hi: '2013-12-25T09:30:00.999Z' },
    ]);
  });

  it('PractitionerRole-example: telecom split by system, date-precision period', () => {
    const e = index(example('PractitionerRole-example'));
    expect(of(e, 'email')).to.deep.equal([{ p: 'email', sys: '', code: 'adam.southern@example.org' }]);
    expect(of(e, 'date')).to.deep.equal([{ p: 'date', lo: '2012-01-01T00:00:00.000Z', hi: '2012-03-31T23:59:59.999Z' }]);
    expect(of(e, 'role')).to.deep.equal([{ p: 'role', sys: 'http://terminology.hl7.org/CodeSystem/v2-0286', code: 'RP' }]);
  });

  it('HealthcareService-example: CodeableConcept text as its own entry, codings with display', () => {
    const e = index(example('HealthcareService-example'));
    expect(of(e, 'service-category')).to.deep.equal([
      { p: 'service-category', sys: 'http://terminology.hl7.org/CodeSystem/service-category', code: '8', text: 'counselling' },
      { p: 'service-category', text: 'counselling' },
    ]);
    expect(of(e, 'program')).to.deep.equal([{ p: 'program', text: 'ptsd outreach' }]);
    expect(of(e, 'characteristic')).to.deep.equal([{ p: 'characteristic', sys: '', text: 'wheelchair access' }]);
    expect(of(e, 'name')).to.deep.equal([
      { p: 'name', s: 'consulting psychologists and/or psychology services', exact: 'Consulting psychologists and/or psychology services' },
    ]);
  });

  it('Location-1: name and alias under one parameter, address parts, `near` as a lat and a lon entry', () => {
    const e = index(example('Location-1'));
    expect(of(e, 'name').map((x) => x.exact)).to.deep.equal([
      'South Wing, second floor', 'BU MC, SW, F2', 'Burgers University Medical Center, South Wing, second floor',
    ]);
    expect(of(e, 'address-postalcode')).to.deep.equal([{ p: 'address-postalcode', s: '9105 pz', exact: '9105 PZ' }]);
    expect(of(e, 'near')).to.deep.equal([
      { p: 'near', code: 'lat', n: 42.25475478 },
      { p: 'near', code: 'lon', n: -83.6945691 },
    ]);
    expect(of(e, 'identifier')).to.deep.equal([{ p: 'identifier', sys: '', code: 'B1-S.F2' }]);
  });

  it('Consent-consent-example-basic: date, provision period, attachment source ignored', () => {
    const e = index(example('Consent-consent-example-basic'));
    expect(of(e, 'date')).to.deep.equal([{ p: 'date', lo: '2016-05-11T00:00:00.000Z', hi: '2016-05-11T23:59:59.999Z' }]);
    expect(of(e, 'period')).to.deep.equal([{ p: 'period', lo: '1964-01-01T00:00:00.000Z', hi: '2016-01-01T23:59:59.999Z' }]);
    expect(of(e, 'source-reference')).to.deep.equal([]);
    expect(of(e, 'patient')).to.deep.equal([{ p: 'patient', s: 'Patient/f001', rt: 'Patient' }]);
  });

  it('AuditEvent-example: zoned instant to UTC, identifier-only references, Coding tokens', () => {
    const e = index(example('AuditEvent-example'));
    expect(of(e, 'date')).to.deep.equal([{ p: 'date', lo: '2012-10-25T11:04:27.000Z', hi: '2012-10-25T11:04:27.999Z' }]);
    expect(of(e, 'agent')).to.deep.equal([
      { p: 'agent', sys: '', code: 'Grahame' },
      { p: 'agent', sys: 'urn:oid:2.16.840.1.113883.4.2', code: '2.16.840.1.113883.4.2' },
    ]);
    expect(of(e, 'type')).to.deep.equal([
      { p: 'type', sys: 'http://dicom.nema.org/resources/ontology/DCM', code: '110100', text: 'application activity' },
    ]);
    expect(of(e, 'address').map((x) => x.exact)).to.deep.equal(['127.0.0.1', 'Workstation1.ehr.familyclinic.com']);
    expect(of(e, 'altid')).to.deep.equal([{ p: 'altid', sys: '', code: '6580' }]);
  });
});

describe('search/indexer: value shapes', () => {
  it('Resource-level parameters from meta; _id is not indexed', () => {
    const slot = {
      resourceType: 'Slot', id: 's1', status: 'free', start: '2025-01-01T09:00:00Z', schedule: { reference: 'Schedule/1' },
      meta: {
        lastUpdated: '2025-01-02T03:04:05.678Z',
        tag: [{ system: 'http://envelope/tags', code: 'seed' }],
        security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'Restricted' }],
        profile: ['https://envelope.example.org/fhir/StructureDefinition/slot'],
        source: 'urn:envelope:seed',
      },
    } as Resource;
    const e = index(slot);
    expect(of(e, '_lastUpdated')).to.deep.equal([{ p: '_lastUpdated', lo: '2025-01-02T03:04:05.678Z', hi: '2025-01-02T03:04:05.678Z' }]);
    expect(of(e, '_tag')).to.deep.equal([{ p: '_tag', sys: 'http://envelope/tags', code: 'seed' }]);
    expect(of(e, '_security')).to.deep.equal([
      { p: '_security', sys: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', text: 'restricted' },
    ]);
    expect(of(e, '_profile')).to.deep.equal([{ p: '_profile', s: 'https://envelope.example.org/fhir/StructureDefinition/slot' }]);
    expect(of(e, '_source')).to.deep.equal([{ p: '_source', s: 'urn:envelope:seed' }]);
    expect(of(e, '_id')).to.deep.equal([]);
  });

  it('references: local absolute stripped to Type/id, _history removed, foreign kept, identifier and type', () => {
    const appt = {
      resourceType: 'Appointment', status: 'booked',
      participant: [
        { status: 'accepted', actor: { reference: `${BASE}/Patient/p1/_history/4` } },
        { status: 'accepted', actor: { reference: 'http://elsewhere.org/fhir/Practitioner/d1' } },
        { status: 'accepted', actor: { type: 'Patient', identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' } } },
        { status: 'accepted', actor: { reference: 'Location/l1/_history/1', identifier: { value: 'L1' } } },
        { status: 'accepted', actor: { reference: '#contained' } },
        { status: 'accepted', actor: { display: 'display only' } },
      ],
    } as Resource;
    const e = index(appt);
    expect(of(e, 'actor')).to.deep.equal([
      { p: 'actor', s: 'Patient/p1', rt: 'Patient' },
      { p: 'actor', s: 'http://elsewhere.org/fhir/Practitioner/d1', rt: 'Practitioner' },
      { p: 'actor', rt: 'Patient', sys: 'https://fhir.nhs.uk/Id/nhs-number', code: '9000000009' },
      { p: 'actor', s: 'Location/l1', rt: 'Location', sys: '', code: 'L1' },
    ]);
    // resolve() is Patient: by reference shape or by Reference.type.
    expect(of(e, 'patient')).to.deep.equal([
      { p: 'patient', s: 'Patient/p1', rt: 'Patient' },
      { p: 'patient', rt: 'Patient', sys: 'https://fhir.nhs.uk/Id/nhs-number', code: '9000000009' },
    ]);
    expect(of(e, 'practitioner')).to.deep.equal([{ p: 'practitioner', s: 'http://elsewhere.org/fhir/Practitioner/d1', rt: 'Practitioner' }]);
  });

  it('without a configured base, absolute references stay absolute', () => {
    const plain = createIndexer(registry);
    const e = plain({ resourceType: 'Slot', schedule: { reference: `${BASE}/Schedule/1` } } as Resource);
    expect(of(e, 'schedule')).to.deep.equal([{ p: 'schedule', s: `${BASE}/Schedule/1`, rt: 'Schedule' }]);
  });

  it('dates: open Period ends, partial dates, a dateTime without zone as UTC', () => {
    const open = index({ resourceType: 'Schedule', planningHorizon: { start: '2025-03' } } as Resource);
    expect(of(open, 'date')).to.deep.equal([{ p: 'date', lo: '2025-03-01T00:00:00.000Z', hi: '9999-12-31T23:59:59.999Z' }]);
    const openStart = index({ resourceType: 'Schedule', planningHorizon: { end: '2025-03-10T10:00:00+01:00' } } as Resource);
    expect(of(openStart, 'date')).to.deep.equal([{ p: 'date', lo: '0001-01-01T00:00:00.000Z', hi: '2025-03-10T09:00:00.999Z' }]);
    const empty = index({ resourceType: 'Schedule', planningHorizon: {} } as Resource);
    expect(of(empty, 'date')).to.deep.equal([]);
    const noZone = index({ resourceType: 'Consent', dateTime: '2025-03-10T10:00:00' } as Resource);
    expect(of(noZone, 'date')).to.deep.equal([{ p: 'date', lo: '2025-03-10T10:00:00.000Z', hi: '2025-03-10T10:00:00.999Z' }]);
    const malformed = index({ resourceType: 'Consent', dateTime: 'yesterday' } as Resource);
    expect(of(malformed, 'date')).to.deep.equal([]);
  });

  it('dates: the choice ServiceRequest.occurrence as dateTime, Period or Timing (outer limits)', () => {
    const dt = index({ resourceType: 'ServiceRequest', occurrenceDateTime: '2025-05-01' } as Resource);
    expect(of(dt, 'occurrence')).to.deep.equal([{ p: 'occurrence', lo: '2025-05-01T00:00:00.000Z', hi: '2025-05-01T23:59:59.999Z' }]);
    const period = index({ resourceType: 'ServiceRequest', occurrencePeriod: { start: '2025-05-01', end: '2025-05-03' } } as Resource);
    expect(of(period, 'occurrence')).to.deep.equal([{ p: 'occurrence', lo: '2025-05-01T00:00:00.000Z', hi: '2025-05-03T23:59:59.999Z' }]);
    const timing = index({
      resourceType: 'ServiceRequest',
      occurrenceTiming: { event: ['2025-05-10T09:00:00Z', '2025-05-02'], repeat: { boundsPeriod: { start: '2025-05-05', end: '2025-05-20' } } },
    } as Resource);
    expect(of(timing, 'occurrence')).to.deep.equal([{ p: 'occurrence', lo: '2025-05-02T00:00:00.000Z', hi: '2025-05-20T23:59:59.999Z' }]);
  });

  it('Patient.deceased: boolean expression and the dateTime variant', () => {
    const dead = index({ resourceType: 'Patient', deceasedDateTime: '2020-02-02' } as Resource);
    expect(of(dead, 'deceased')).to.deep.equal([{ p: 'deceased', sys: '', code: 'true' }]);
    expect(of(dead, 'death-date')).to.deep.equal([{ p: 'death-date', lo: '2020-02-02T00:00:00.000Z', hi: '2020-02-02T23:59:59.999Z' }]);
    const deadBool = index({ resourceType: 'Patient', deceasedBoolean: true } as Resource);
    expect(of(deadBool, 'deceased')).to.deep.equal([{ p: 'deceased', sys: '', code: 'true' }]);
    expect(of(deadBool, 'death-date')).to.deep.equal([]);
  });

  it('strings: accents and case folded; empty and extension-only values skipped', () => {
    const p = index({
      resourceType: 'Patient',
      name: [{ family: 'Müller-Lüdenscheidt', given: ['Zoë', null as unknown as string, '  '] , _given: [null, { extension: [] }, null] } as never],
    } as Resource);
    expect(of(p, 'family')).to.deep.equal([{ p: 'family', s: 'muller-ludenscheidt', exact: 'Müller-Lüdenscheidt' }]);
    expect(of(p, 'given')).to.deep.equal([{ p: 'given', s: 'zoe', exact: 'Zoë' }]);
  });

  it('de-duplicates identical entries', () => {
    const s = index({
      resourceType: 'Slot',
      serviceType: [{ coding: [{ system: 's', code: 'c' }] }, { coding: [{ system: 's', code: 'c' }] }],
      identifier: [{ system: 'x', value: '1' }, { system: 'x', value: '1' }],
    } as Resource);
    expect(of(s, 'service-type')).to.deep.equal([{ p: 'service-type', sys: 's', code: 'c' }]);
    expect(of(s, 'identifier')).to.deep.equal([{ p: 'identifier', sys: 'x', code: '1' }]);
  });

  it('de-duplicates long runs too', () => {
    const given = [...Array.from({ length: 20 }, () => 'Same'), ...Array.from({ length: 20 }, (_, i) => `N${i}`)];
    const e = index({ resourceType: 'Patient', name: [{ given }] } as Resource);
    expect(of(e, 'given').map((x) => x.exact)).to.deep.equal(['Same', ...Array.from({ length: 20 }, (_, i) => `N${i}`)]);
  });

  it('identifier :text from type.text, no entry without value and system', () => {
    const s = index({
      resourceType: 'Slot',
      identifier: [{ system: 'x', value: '1', type: { text: 'Booking Number', coding: [{ system: 'http://t', code: 'BN' }] } }, { use: 'usual' }],
    } as Resource);
    expect(of(s, 'identifier')).to.deep.equal([{ p: 'identifier', sys: 'x', code: '1', text: 'booking number' }]);
    expect(of(s, 'identifier:of-type')).to.deep.equal([{ p: 'identifier:of-type', sys: 'http://t', code: 'BN|1' }]);
  });

  it('canonical reference: with and without version', () => {
    const sr = index({ resourceType: 'ServiceRequest', instantiatesCanonical: ['http://x.org/PlanDefinition/p|2.0'], instantiatesUri: ['http://x.org/protocol'] } as Resource);
    expect(of(sr, 'instantiates-canonical')).to.deep.equal([
      { p: 'instantiates-canonical', s: 'http://x.org/PlanDefinition/p|2.0' },
      { p: 'instantiates-canonical', s: 'http://x.org/PlanDefinition/p' },
    ]);
    expect(of(sr, 'instantiates-uri')).to.deep.equal([{ p: 'instantiates-uri', s: 'http://x.org/protocol' }]);
  });

  it('numbers and quantities (Observation, RiskAssessment)', () => {
    const obs = wideIndex({
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      valueQuantity: { value: 120.5, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    } as Resource);
    expect(of(obs, 'value-quantity')).to.deep.equal([
      { p: 'value-quantity', n: 120.5, nlo: 120.45, nhi: 120.55, sys: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      { p: 'value-quantity', n: 120.5, nlo: 120.45, nhi: 120.55, sys: '', code: 'mmHg' },
    ]);
    const noCode = wideIndex({ resourceType: 'Observation', valueQuantity: { value: 5, unit: 'mg' } } as Resource);
    expect(of(noCode, 'value-quantity')).to.deep.equal([{ p: 'value-quantity', n: 5, nlo: 4.5, nhi: 5.5, sys: '', code: 'mg' }]);
    const risk = wideIndex({ resourceType: 'RiskAssessment', prediction: [{ probabilityDecimal: 0.25 }] } as Resource);
    expect(of(risk, 'probability')).to.deep.equal([{ p: 'probability', n: 0.25, nlo: 0.245, nhi: 0.255 }]);
  });

  it('does not modify the resource (either path)', () => {
    const slow = createIndexer(registry, { baseUrl: BASE, fastPath: false });
    for (const name of ['Patient-example', 'Appointment-example', 'AuditEvent-example', 'ServiceRequest-example']) {
      const r = example(name);
      const before = JSON.stringify(r);
      index(r);
      slow(r);
      expect(JSON.stringify(r), name).to.equal(before);
    }
  });

  it('a resource of a type without registry entries gets only the common parameters', () => {
    const e = index({ resourceType: 'Basic', meta: { tag: [{ code: 't' }] }, code: { text: 'x' } } as Resource);
    expect(e).to.deep.equal([{ p: '_tag', sys: '', code: 't' }]);
  });
});
