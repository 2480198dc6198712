import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import { buildRegistry, loadR4Registry } from '../../src/search/registry.js';
import { expect } from './support/chai.js';
import { registry, wideRegistry } from './support/fixtures.js';

describe('search/registry', () => {
  it('covers the served types, in CapabilityStatement order', () => {
    expect(registry.types).to.deep.equal([...RESOURCE_TYPES]);
    expect(registry.isType('Slot')).to.equal(true);
    expect(registry.isType('Observation')).to.equal(false);
  });

  it('reads the official definitions: code, type, narrowed expression, targets, description, url', () => {
    expect(registry.param('Appointment', 'status')).to.deep.include({
      code: 'status',
      base: 'Appointment',
      type: 'token',
      expression: 'Appointment.status',
      targets: [],
      url: 'http://hl7.org/fhir/SearchParameter/Appointment-status',
      supported: true,
      valueTypes: ['code'],
    });
    const slotSchedule = registry.param('Slot', 'schedule')!;
    expect(slotSchedule.type).to.equal('reference');
    expect(slotSchedule.targets).to.deep.equal(['Schedule']);
    expect(slotSchedule.description).to.equal('The Schedule Resource that we are seeking a slot within');
  });

  it('narrows multi-resource union expressions to the part for the base type', () => {
    expect(registry.param('ServiceRequest', 'code')!.expression).to.equal('ServiceRequest.code');
    expect(registry.param('ServiceRequest', 'patient')!.expression).to.equal('ServiceRequest.subject.where(resolve() is Patient)');
    expect(registry.param('Consent', 'patient')!.expression).to.equal('Consent.patient');
    expect(registry.param('Practitioner', 'email')!.expression).to.equal("Practitioner.telecom.where(system='email')");
    expect(registry.param('Patient', 'death-date')!.expression).to.equal('Patient.deceased.ofType(dateTime)');
    expect(registry.param('Patient', 'birthdate')!.expression).to.equal('Patient.birthDate');
    // Unions within one type survive.
    expect(registry.param('Location', 'name')!.expression).to.equal('Location.name | Location.alias');
    expect(registry.param('AuditEvent', 'patient')!.expression).to.equal(
      'AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)',
    );
  });

  it('narrows multi-resource descriptions to the line for the base type', () => {
    expect(registry.param('Patient', 'family')!.description).to.equal('A portion of the family name of the patient');
    expect(registry.param('Practitioner', 'family')!.description).to.equal('A portion of the family name');
  });

  it('adds the Resource-level parameters to every type, but not _text/_content/_query', () => {
    const common = registry.commonParams().map((d) => d.code).sort();
    expect(common).to.deep.equal(['_id', '_lastUpdated', '_profile', '_security', '_source', '_tag']);
    expect(registry.param('Slot', '_lastUpdated')).to.deep.include({ type: 'date', expression: 'Resource.meta.lastUpdated', base: 'Resource' });
    expect(registry.param('Slot', '_tag')!.type).to.equal('token');
    expect(registry.param('Slot', '_profile')!.type).to.equal('uri');
    expect(registry.param('Slot', '_text')).to.equal(undefined);
    expect(registry.param('Slot', '_content')).to.equal(undefined);
    expect(registry.param('Resource', '_id')!.code).to.equal('_id');
    expect(registry.param('Resource', 'status')).to.equal(undefined);
    expect(registry.paramsFor('Resource').map((d) => d.code)).to.deep.equal(registry.commonParams().map((d) => d.code));
    const slotCodes = registry.paramsFor('Slot').map((d) => d.code);
    expect(slotCodes).to.deep.equal([
      'appointment-type', 'identifier', 'schedule', 'service-category', 'service-type', 'specialty', 'start', 'status',
      '_id', '_lastUpdated', '_profile', '_security', '_source', '_tag',
    ]);
  });

  it('supports every parameter of the served types, `near` and `phonetic` through their own matching', () => {
    expect(registry.param('Location', 'near')).to.deep.include({ type: 'special', supported: true, matching: 'nearby' });
    expect(registry.param('Location', 'near')!.description).to.match(/over-approximates/);
    for (const t of ['Patient', 'Practitioner', 'Organization']) {
      expect(registry.param(t, 'phonetic'), t).to.deep.include({ type: 'string', supported: true, matching: 'phonetic' });
    }
    expect(registry.param('Patient', 'name')!.supported).to.equal(true);
    expect(registry.param('Patient', 'name')!.matching).to.equal(undefined);
    const unsupported = registry.types.flatMap((t) => registry.paramsFor(t).filter((d) => !d.supported).map((d) => `${t}.${d.code}`));
    expect(unsupported).to.deep.equal([]);
  });

  it('keeps other special parameters unsupported', () => {
    const sp = {
      resourceType: 'SearchParameter', url: 'urn:y', name: 'y', status: 'active', description: 'd',
      code: 'y', base: ['Slot'], type: 'special', xpathUsage: 'other', expression: 'Slot.status',
    };
    const r = buildRegistry({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: sp as never }] }, { types: ['Slot'] });
    expect(r.param('Slot', 'y')).to.deep.include({ supported: false });
    expect(r.param('Slot', 'y')!.unsupported).to.match(/special parameter 'y'/);
  });

  it('has no parameters of types it does not serve', () => {
    expect(registry.param('Observation', 'code')).to.equal(undefined);
    expect(registry.paramsFor('Observation')).to.deep.equal([]);
  });

  it('finds reference parameters targeting a type', () => {
    const toSlot = registry.referenceParamsTargeting('Slot').map((r) => `${r.sourceType}.${r.param.code}`);
    expect(toSlot).to.include('Appointment.slot');
    const toSchedule = registry.referenceParamsTargeting('Schedule').map((r) => `${r.sourceType}.${r.param.code}`);
    expect(toSchedule).to.deep.equal(['Appointment.supporting-info', 'AuditEvent.entity', 'Consent.data', 'Slot.schedule']);
    const toPatient = registry.referenceParamsTargeting('Patient').map((r) => `${r.sourceType}.${r.param.code}`);
    expect(toPatient).to.include.members(['Appointment.patient', 'Appointment.actor', 'Consent.patient', 'ServiceRequest.subject', 'Schedule.actor']);
  });

  it('reads static value types from the R4 model', () => {
    expect(registry.param('ServiceRequest', 'occurrence')!.valueTypes).to.deep.equal(['dateTime', 'Period', 'Timing']);
    expect(registry.param('Patient', 'active')!.valueTypes).to.deep.equal(['boolean']);
    expect(registry.param('Patient', 'name')!.valueTypes).to.deep.equal(['HumanName']);
    expect(registry.param('Patient', 'deceased')!.valueTypes).to.equal(undefined); // not a plain path
  });

  it('resolves composite components to parameters of the same type', () => {
    const cvq = wideRegistry.param('Observation', 'code-value-quantity')!;
    expect(cvq.type).to.equal('composite');
    expect(cvq.supported).to.equal(true);
    expect(cvq.components!.map((c) => c.code)).to.deep.equal(['code', 'value-quantity']);
  });

  it('builds from a custom bundle, and rejects duplicates', () => {
    const sp = {
      resourceType: 'SearchParameter', url: 'urn:x', name: 'x', status: 'active', description: 'd',
      code: 'x', base: ['Slot'], type: 'token', expression: 'Slot.status',
    };
    const r = buildRegistry({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: sp as never }] }, { types: ['Slot'] });
    expect(r.paramsFor('Slot').map((d) => d.code)).to.deep.equal(['x']);
    expect(() =>
      buildRegistry({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: sp as never }, { resource: sp as never }] }, { types: ['Slot'] }),
    ).to.throw(/Duplicate/);
  });

  it('builds quickly (measured)', () => {
    const r = loadR4Registry();
    // eslint-disable-next-line no-console
    console.log(`      registry: read+parse+build ${r.loadMs.toFixed(1)} ms, build ${r.buildMs.toFixed(1)} ms`);
    expect(r.buildMs).to.be.below(500);
  });
});
