import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { buildRegistry } from '../../src/search/registry.js';
import { LENIENT, parse, STRICT, where } from './support/fixtures.js';

const sw = (p: string, v: string) => ({ k: 'idx', p, tests: [{ f: 's', op: 'sw', v }] });

describe('search/parse: chaining', () => {
  it('one level: patient.identifier', () => {
    expect(where('Appointment', 'patient.identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009')).to.deep.equal({
      k: 'chain', p: 'patient', types: ['Patient'],
      where: { k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: 'https://fhir.nhs.uk/Id/nhs-number' }, { f: 'code', op: 'eq', v: '9000000009' }] },
    });
  });
  it('two levels with a type modifier: schedule.actor:HealthcareService.name', () => {
    expect(where('Slot', 'schedule.actor:HealthcareService.name=Physio')).to.deep.equal({
      k: 'chain', p: 'schedule', types: ['Schedule'],
      where: { k: 'chain', p: 'actor', types: ['HealthcareService'], where: sw('name', 'physio') },
    });
  });
  it('three levels: slot.schedule.actor:Location.address-city', () => {
    expect(where('Appointment', 'slot.schedule.actor:Location.address-city=Den%20Burg')).to.deep.equal({
      k: 'chain', p: 'slot', types: ['Slot'],
      where: { k: 'chain', p: 'schedule', types: ['Schedule'], where: { k: 'chain', p: 'actor', types: ['Location'], where: sw('address-city', 'den burg') } },
    });
  });
  it('several target types: only those (served) that have the parameter, grouped when the condition is the same', () => {
    expect(where('Appointment', 'actor.name=smith')).to.deep.equal({
      k: 'chain', p: 'actor', types: ['Practitioner', 'Patient', 'HealthcareService', 'Location'], where: sw('name', 'smith'),
    });
    expect(where('Appointment', 'actor.birthdate=1974')).to.deep.equal({
      k: 'chain', p: 'actor', types: ['Patient'],
      where: { k: 'idx', p: 'birthdate', tests: [{ f: 'lo', op: 'ge', v: '1974-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '1974-12-31T23:59:59.999Z' }] },
    });
  });
  it('target types without the parameter are left out', () => {
    expect(where('Schedule', 'actor.active=true')).to.deep.equal({
      k: 'chain', p: 'actor', types: ['Practitioner', 'Patient', 'HealthcareService', 'PractitionerRole'],
      where: { k: 'idx', p: 'active', tests: [{ f: 'code', op: 'eq', v: 'true' }] },
    });
  });
  it('different parameter types behind the same code become separate chains', () => {
    const sp = (code: string, base: string, type: string, expression: string, target?: string[]) => ({
      resource: { resourceType: 'SearchParameter', url: `urn:test:${base}-${code}`, name: code, status: 'active', description: code, code, base: [base], type, expression, target },
    });
    const reg = buildRegistry({
      resourceType: 'Bundle', type: 'collection',
      entry: [
        sp('ref', 'Slot', 'reference', 'Slot.schedule', ['Schedule', 'Location']),
        sp('x', 'Schedule', 'token', 'Schedule.serviceType'),
        sp('x', 'Location', 'string', 'Location.name'),
      ] as never,
    }, { types: ['Slot', 'Schedule', 'Location'] });
    expect(parse('Slot', 'ref.x=Abc', LENIENT, reg).request.where).to.deep.equal([{
      k: 'or', of: [
        { k: 'chain', p: 'ref', types: ['Schedule'], where: { k: 'idx', p: 'x', tests: [{ f: 'code', op: 'eq', v: 'Abc' }] } },
        { k: 'chain', p: 'ref', types: ['Location'], where: sw('x', 'abc') },
      ],
    }]);
  });
  it('modifiers and _id at the end of a chain', () => {
    expect(where('ServiceRequest', 'patient.name:exact=Peter')).to.deep.equal({
      k: 'chain', p: 'patient', types: ['Patient'], where: { k: 'idx', p: 'name', tests: [{ f: 'exact', op: 'eq', v: 'Peter' }] },
    });
    expect(where('ServiceRequest', 'patient.identifier:missing=true')).to.deep.equal({
      k: 'chain', p: 'patient', types: ['Patient'], where: { k: 'not', of: { k: 'idx', p: 'identifier', tests: [] } },
    });
    expect(where('Slot', 'schedule._id=s1,s2')).to.deep.equal({ k: 'chain', p: 'schedule', types: ['Schedule'], where: { k: 'id', ids: ['s1', 's2'] } });
    expect(where('Slot', 'schedule._lastUpdated=gt2025')).to.deep.equal({
      k: 'chain', p: 'schedule', types: ['Schedule'], where: { k: 'idx', p: '_lastUpdated', tests: [{ f: 'hi', op: 'gt', v: '2025-12-31T23:59:59.999Z' }] },
    });
  });
  it('unknown chained parameters follow the lenient/strict policy', () => {
    const lenient = parse('Appointment', 'patient.nope=1&status=booked');
    expect(lenient.request.where).to.deep.equal([{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] }]);
    expect(lenient.issues).to.deep.equal([{
      severity: 'warning', code: 'not-supported', expression: ['patient.nope'],
      diagnostics: "Unknown search parameter 'nope' for Patient; ignored",
    }]);
    fails('Appointment', 'patient.nope=1', /Unknown search parameter 'nope' for Patient/, 'patient.nope', STRICT);
  });
  it('chaining through a non-reference, into a wrong or unserved type, is a 400', () => {
    fails('Appointment', 'status.name=x', /'status' is not a reference parameter/, 'status.name');
    fails('Slot', 'schedule:Patient.name=x', /cannot refer to Patient/);
    fails('Appointment', 'actor:Device.name=x', /not a resource type served here/);
    fails('Appointment', 'actor:location.name=x', /only a resource type modifier/);
  });
  it('a malformed value deep in a chain is a 400 naming the whole parameter', () => {
    fails('Slot', 'schedule.date=2024-99', /not a valid date/, 'schedule.date');
  });
});

describe('search/parse: _has', () => {
  it('_has:Type:refParam:param', () => {
    expect(where('Patient', '_has:Appointment:patient:status=booked')).to.deep.equal({
      k: 'has', type: 'Appointment', p: 'patient', where: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'booked' }] },
    });
    expect(where('Schedule', '_has:Slot:schedule:start=ge2025-01-01')).to.deep.equal({
      k: 'has', type: 'Slot', p: 'schedule',
      where: { k: 'or', of: [
        { k: 'idx', p: 'start', tests: [{ f: 'hi', op: 'gt', v: '2025-01-01T23:59:59.999Z' }] },
        { k: 'idx', p: 'start', tests: [{ f: 'lo', op: 'ge', v: '2025-01-01T00:00:00.000Z' }, { f: 'hi', op: 'le', v: '2025-01-01T23:59:59.999Z' }] },
      ] },
    });
  });
  it('nested _has', () => {
    expect(where('Patient', '_has:Appointment:patient:_has:AuditEvent:entity:action=R')).to.deep.equal({
      k: 'has', type: 'Appointment', p: 'patient',
      where: { k: 'has', type: 'AuditEvent', p: 'entity', where: { k: 'idx', p: 'action', tests: [{ f: 'code', op: 'eq', v: 'R' }] } },
    });
  });
  it('_has with a modifier, and with a chain inside', () => {
    expect(where('Slot', '_has:Appointment:slot:status:not=cancelled')).to.deep.equal({
      k: 'has', type: 'Appointment', p: 'slot', where: { k: 'not', of: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'cancelled' }] } },
    });
    expect(where('Slot', '_has:Appointment:slot:patient.name=peter')).to.deep.equal({
      k: 'has', type: 'Appointment', p: 'slot', where: { k: 'chain', p: 'patient', types: ['Patient'], where: sw('name', 'peter') },
    });
  });
  it('errors', () => {
    fails('Patient', '_has:Appointment=1', /_has needs the form/, '_has:Appointment');
    fails('Patient', '_has:Observation:patient:code=1', /'Observation' is not a resource type served here/);
    fails('Patient', '_has:Appointment:status:status=booked', /not a reference parameter of Appointment/);
    fails('Patient', '_has:Appointment:slot:status=booked', /Appointment.slot cannot refer to Patient/);
    fails('Patient', '_has:Appointment:patient:date=20xx', /not a valid date|Unknown prefix/);
    const lenient = parse('Patient', '_has:Appointment:patient:nope=1');
    expect(lenient.request.where).to.deep.equal([]);
    expect(lenient.issues[0]!.expression).to.deep.equal(['_has:Appointment:patient:nope']);
    fails('Patient', '_has:Appointment:nope:status=booked', /Unknown search parameter 'nope' for Appointment/, undefined, STRICT);
  });
});
