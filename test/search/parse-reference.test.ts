import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { BASE, where } from './support/fixtures.js';

const eq = (p: string, v: string) => ({ k: 'idx', p, tests: [{ f: 's', op: 'eq', v }] });

describe('search/parse: reference', () => {
  it('Type/id', () => {
    expect(where('Slot', 'schedule=Schedule/s1')).to.deep.equal(eq('schedule', 'Schedule/s1'));
    expect(where('Slot', 'schedule=Schedule/s1/_history/3')).to.deep.equal(eq('schedule', 'Schedule/s1'));
  });
  it('a bare id when the parameter has one target type', () => {
    expect(where('Slot', 'schedule=s1')).to.deep.equal(eq('schedule', 'Schedule/s1'));
    expect(where('Appointment', 'patient=p1')).to.deep.equal(eq('patient', 'Patient/p1'));
  });
  it('a bare id with several target types: any of them', () => {
    expect(where('Patient', 'general-practitioner=g1')).to.deep.equal({
      k: 'idx', p: 'general-practitioner',
      tests: [{ f: 's', op: 'in', v: ['Practitioner/g1', 'Organization/g1', 'PractitionerRole/g1'] }],
    });
  });
  it('the :Type modifier picks the type', () => {
    expect(where('Appointment', 'actor:Location=l1')).to.deep.equal(eq('actor', 'Location/l1'));
    expect(where('Appointment', 'actor:Location=Location/l1')).to.deep.equal(eq('actor', 'Location/l1'));
    expect(where('Appointment', 'actor:Device=d1')).to.deep.equal(eq('actor', 'Device/d1'));
  });
  it('absolute URLs: this server\'s base is stripped, others compared as written (minus _history)', () => {
    expect(where('Slot', `schedule=${BASE}/Schedule/s1`)).to.deep.equal(eq('schedule', 'Schedule/s1'));
    expect(where('Slot', `schedule=${BASE}/Schedule/s1/_history/2`)).to.deep.equal(eq('schedule', 'Schedule/s1'));
    expect(where('Slot', 'schedule=http://other.org/fhir/Schedule/s1/_history/2')).to.deep.equal(eq('schedule', 'http://other.org/fhir/Schedule/s1'));
    expect(where('ServiceRequest', 'subject=urn:uuid:0c3a3c05-8d9b-4a3b-a3c4-2f1b8c7a1e55')).to.deep.equal(
      eq('subject', 'urn:uuid:0c3a3c05-8d9b-4a3b-a3c4-2f1b8c7a1e55'),
    );
  });
  it(':identifier searches the identifier carried by the reference', () => {
    expect(where('Appointment', 'patient:identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009')).to.deep.equal({
      k: 'idx', p: 'patient',
      tests: [{ f: 'sys', op: 'eq', v: 'https://fhir.nhs.uk/Id/nhs-number' }, { f: 'code', op: 'eq', v: '9000000009' }],
    });
    expect(where('AuditEvent', 'agent:identifier=Grahame')).to.deep.equal({ k: 'idx', p: 'agent', tests: [{ f: 'code', op: 'eq', v: 'Grahame' }] });
  });
  it('comma = OR, merged', () => {
    expect(where('Slot', 'schedule=s1,Schedule/s2')).to.deep.equal({
      k: 'idx', p: 'schedule', tests: [{ f: 's', op: 'in', v: ['Schedule/s1', 'Schedule/s2'] }],
    });
  });
  it(':missing', () => {
    expect(where('Appointment', 'slot:missing=true')).to.deep.equal({ k: 'not', of: { k: 'idx', p: 'slot', tests: [] } });
  });
  it('canonical references compare the URL as written', () => {
    expect(where('ServiceRequest', 'instantiates-canonical=http://x.org/PlanDefinition/p|2.0')).to.deep.equal(
      eq('instantiates-canonical', 'http://x.org/PlanDefinition/p|2.0'),
    );
  });
  it('wrong target types and unsupported modifiers are 400s', () => {
    fails('Slot', 'schedule=Patient/p1', /cannot refer to Patient/, 'schedule');
    fails('Slot', `schedule=${BASE}/Patient/p1`, /cannot refer to Patient/);
    fails('Appointment', 'actor:Observation=1', /cannot refer to Observation/, 'actor:Observation');
    fails('Appointment', 'actor:Location=Patient/p1', /does not refer to a Location/);
    fails('Slot', 'schedule:above=Schedule/1', /':above' is not supported/);
    fails('Slot', 'schedule:not=Schedule/1', /':not' is not supported/);
    fails('Slot', 'schedule:foo=1', /Unknown modifier/);
    fails('Slot', 'schedule=#contained', /not a searchable reference/);
  });
});
