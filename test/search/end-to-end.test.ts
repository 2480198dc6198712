// Index official examples, parse queries, evaluate with the oracle: the parser and the indexer agree
// on every field convention (normalisation, systems, reference forms, chains, _has, visibility).
import type { Resource } from '../../src/domain/fhir.js';
import type { Cond } from '../../src/domain/search-types.js';
import { createIndexer } from '../../src/search/indexer.js';
import { expect } from './support/chai.js';
import { filter, type EvalResource, type EvalWorld } from './support/evaluator.js';
import { BASE, example, parse } from './support/fixtures.js';
import { registry } from './support/fixtures.js';

const index = createIndexer(registry, { baseUrl: BASE });
const load = (r: Resource): EvalResource => ({ type: r.resourceType, id: r.id!, index: index(r) });

const resources: Resource[] = [
  example('Slot-example'), example('Schedule-example'), example('Location-1'), example('Patient-example'),
  example('Practitioner-example'), example('HealthcareService-example'), example('Appointment-example'),
  {
    resourceType: 'Appointment', id: 'a2', status: 'cancelled', slot: [{ reference: `${BASE}/Slot/example` }],
    participant: [{ actor: { reference: 'Patient/example' }, status: 'declined' }],
    start: '2013-12-25T09:15:00Z', end: '2013-12-25T09:30:00Z',
  } as Resource,
  {
    resourceType: 'Slot', id: 's2', status: 'busy', start: '2013-12-26T10:00:00Z', end: '2013-12-26T10:15:00Z',
    schedule: { reference: 'Schedule/other' },
  } as Resource,
  { resourceType: 'Schedule', id: 'other', actor: [{ reference: 'HealthcareService/example' }], active: false } as Resource,
];
const world: EvalWorld = { resources: resources.map(load) };

function ids(type: string | string[], query: string, w: EvalWorld = world, visibility?: Record<string, Cond>): string[] {
  const req = parse(type, query).request;
  if (visibility) req.visibility = visibility;
  return filter(req, w).map((r) => `${r.type}/${r.id}`).sort();
}

describe('search: end to end over official examples', () => {
  it('strings: starts-with, contains, exact, accents', () => {
    expect(ids('Patient', 'name=pet')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'name=eter')).to.deep.equal([]);
    expect(ids('Patient', 'name:contains=ETER')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'name:exact=Peter')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'name:exact=peter')).to.deep.equal([]);
    expect(ids('Patient', 'given=J%C3%8EM')).to.deep.equal(['Patient/example']); // JÎM
    expect(ids('Patient', 'address=rainbow')).to.deep.equal(['Patient/example']);
    expect(ids('Location', 'name=burgers%20univ')).to.deep.equal(['Location/1']);
  });

  it('tokens: system|code, |code, :not, :text, :of-type', () => {
    expect(ids('Patient', 'identifier=urn:oid:1.2.36.146.595.217.0.1|12345')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'identifier=12345')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'identifier=|12345')).to.deep.equal([]);
    expect(ids('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|DL|12345')).to.deep.equal([]);
    expect(ids('Patient', 'gender:not=female')).to.deep.equal(['Patient/example']);
    expect(ids('Slot', 'service-type:text=immun')).to.deep.equal(['Slot/example']);
    expect(ids('Slot', 'status=free,busy')).to.deep.equal(['Slot/example', 'Slot/s2']);
    expect(ids('Slot', 'status:not=free')).to.deep.equal(['Slot/s2']);
    expect(ids('Slot', 'service-type:missing=true')).to.deep.equal(['Slot/s2']);
    expect(ids('Schedule', 'active=false')).to.deep.equal(['Schedule/other']);
  });

  it('references: Type/id, bare id, absolute local URL, :Type', () => {
    expect(ids('Slot', 'schedule=example')).to.deep.equal(['Slot/example']);
    expect(ids('Slot', `schedule=${BASE}/Schedule/example`)).to.deep.equal(['Slot/example']);
    expect(ids('Appointment', 'slot=Slot/example')).to.deep.equal(['Appointment/a2']);
    expect(ids('Appointment', 'actor:Location=1')).to.deep.equal(['Appointment/example']);
    expect(ids('Appointment', 'patient=example')).to.deep.equal(['Appointment/a2', 'Appointment/example']);
  });

  it('chains, two levels', () => {
    expect(ids('Slot', 'schedule.actor:Location.name=south')).to.deep.equal(['Slot/example']);
    expect(ids('Slot', 'schedule.actor:HealthcareService.name=consulting')).to.deep.equal(['Slot/s2']);
    expect(ids('Slot', 'schedule.actor.name=consulting,south')).to.deep.equal(['Slot/example', 'Slot/s2']);
    expect(ids('Appointment', 'patient.identifier=urn:oid:1.2.36.146.595.217.0.1|12345&status=cancelled')).to.deep.equal(['Appointment/a2']);
    expect(ids('Appointment', 'slot.schedule.actor:Location.address-city=pleasant')).to.deep.equal([]);
    expect(ids('Appointment', 'slot.schedule.actor:Location.address-city=den%20burg')).to.deep.equal(['Appointment/a2']);
  });

  it('_has, nested', () => {
    expect(ids('Schedule', '_has:Slot:schedule:status=free')).to.deep.equal(['Schedule/example']);
    expect(ids('Patient', '_has:Appointment:patient:status=cancelled')).to.deep.equal(['Patient/example']);
    expect(ids('Patient', '_has:Appointment:patient:status=noshow')).to.deep.equal([]);
    expect(ids('Schedule', '_has:Slot:schedule:_has:Appointment:slot:status=cancelled')).to.deep.equal(['Schedule/example']);
  });

  it('dates through the parser', () => {
    expect(ids('Slot', 'start=2013-12-25')).to.deep.equal(['Slot/example']);
    expect(ids('Slot', 'start=ge2013-12-26')).to.deep.equal(['Slot/s2']);
    expect(ids('Schedule', 'date=2013-12')).to.deep.equal(['Schedule/example']);
  });

  it('system search over common parameters', () => {
    expect(ids(['Slot', 'Schedule'], '_id=example')).to.deep.equal(['Schedule/example', 'Slot/example']);
  });

  it('visibility applies to searched types and to what chains and _has reach', () => {
    const hideLocations = { Slot: { k: 'true' }, Schedule: { k: 'true' } } as Record<string, Cond>;
    expect(ids('Slot', 'schedule.actor:Location.name=south', world, hideLocations)).to.deep.equal([]);
    const onlyCancelled = { Patient: { k: 'true' }, Appointment: { k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'cancelled' }] } } as Record<string, Cond>;
    expect(ids('Patient', '_has:Appointment:patient:status=booked', world, onlyCancelled)).to.deep.equal([]);
    expect(ids('Patient', '_has:Appointment:patient:status=cancelled', world, onlyCancelled)).to.deep.equal(['Patient/example']);
  });
});
