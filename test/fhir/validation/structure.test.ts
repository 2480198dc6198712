// The structural walk: choice types, primitive extensions, nested and contained resources,
// references, resource types and the element-name helpers.
import { expect } from 'chai';
import {
  elementNamesOf, isR4ResourceType, summaryElementsOf, validateResource,
} from '../../../src/fhir/validation/index.js';
import { MAX_DEPTH } from '../../../src/fhir/validation/walker.js';
import { summary } from './support.js';

const check = (r: unknown, expectedType?: string) => summary(validateResource(r, expectedType ? { expectedType } : {}));
const obs = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });

describe('validation: structure', () => {
  describe('choice types', () => {
    it('accepts each declared type under its suffixed name', () => {
      expect(check(obs({ valueQuantity: { value: 1, unit: 'mg' } }))).to.deep.equal([]);
      expect(check(obs({ valueString: 'high' }))).to.deep.equal([]);
      expect(check(obs({ valueBoolean: true, effectiveDateTime: '2020-01-01' }))).to.deep.equal([]);
      expect(check(obs({ effectivePeriod: { start: '2020-01-01' } }))).to.deep.equal([]);
    });
    it('refuses an undeclared type and names the element as written', () => {
      expect(check(obs({ valueAddress: { city: 'x' } }))).to.deep.equal(['structure Observation.valueAddress']);
      expect(check(obs({ value: 'x' }))).to.deep.equal(['structure Observation.value']);
    });
    it('checks the value against the type the suffix selects', () => {
      expect(check(obs({ valueInteger: 1.5 }))).to.deep.equal(['value Observation.valueInteger']);
      expect(check(obs({ valueDateTime: '2020-01-01T10:00' }))).to.deep.equal(['value Observation.valueDateTime']);
      expect(check(obs({ valueQuantity: 5 }))).to.deep.equal(['structure Observation.valueQuantity']);
    });
    it('allows only one type at a time', () => {
      expect(check(obs({ valueString: 'a', valueBoolean: true }))).to.deep.equal(['structure Observation.valueBoolean']);
    });
    it('expands choice types in extensions', () => {
      const ext = (e: Record<string, unknown>) => ({ resourceType: 'Patient', extension: [{ url: 'http://example.org/x', ...e }] });
      expect(check(ext({ valueCodeableConcept: { text: 'x' } }))).to.deep.equal([]);
      expect(check(ext({ valueReference: { reference: 'Patient/1' } }))).to.deep.equal([]);
      expect(check(ext({ valueFoo: 1 }))).to.deep.equal(['structure Patient.extension[0].valueFoo']);
    });
    it('reports a missing required choice element by its [x] name', () => {
      const q = { resourceType: 'Questionnaire', status: 'draft', useContext: [{ code: { code: 'age' } }] };
      expect(check(q)).to.deep.equal(['required Questionnaire.useContext[0].value[x]']);
      expect(check({ ...q, useContext: [{ code: { code: 'age' }, valueRange: { low: { value: 1 } } }] })).to.deep.equal([]);
    });
    it('lets the extension of a choice primitive satisfy it', () => {
      expect(check(obs({ _valueString: { extension: [{ url: 'http://example.org/x', valueBoolean: true }] } }))).to.deep.equal([]);
    });
  });

  describe('primitive extensions (_name)', () => {
    it('accepts id and extension beside a single primitive', () => {
      expect(check({ resourceType: 'Patient', birthDate: '1970', _birthDate: { id: 'b' } })).to.deep.equal([]);
      expect(check({ resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://x', valueCode: 'unknown' }] } })).to.deep.equal([]);
    });
    it('aligns repeating primitives item by item, with null as a placeholder', () => {
      const name = (given: unknown[], _given: unknown[]) => ({ resourceType: 'Patient', name: [{ given, _given }] });
      expect(check(name(['a', null], [null, { id: 'x' }]))).to.deep.equal([]);
      expect(check(name(['a', null], [null, null]))).to.deep.equal(['structure Patient.name[0].given[1]']);
      expect(check({ resourceType: 'Patient', name: [{ _given: [null] }] })).to.deep.equal(['structure Patient.name[0].given[0]']);
      expect(check(name(['a'], [null, { id: 'x' }]))).to.deep.equal(['structure Patient.name[0]._given']);
    });
    it('refuses _name for unknown or non-primitive elements', () => {
      expect(check({ resourceType: 'Patient', _foo: { id: 'x' } })).to.deep.equal(['structure Patient._foo']);
      expect(check({ resourceType: 'Patient', _name: [{ id: 'x' }] })).to.deep.equal(['structure Patient._name']);
    });
  });

  describe('JSON shape', () => {
    it('refuses null, empty objects and empty arrays', () => {
      expect(check({ resourceType: 'Patient', gender: null })).to.deep.equal(['structure Patient.gender']);
      expect(check({ resourceType: 'Patient', maritalStatus: {} })).to.deep.equal(['structure Patient.maritalStatus']);
      expect(check({ resourceType: 'Patient', name: [] })).to.deep.equal(['structure Patient.name']);
    });
    it('treats a bare resource with no elements as valid', () => {
      expect(check({ resourceType: 'Patient' })).to.deep.equal([]);
    });
    it('stops at a nesting depth no real resource reaches', () => {
      let item: Record<string, unknown> = { linkId: 'leaf', type: 'display' };
      for (let i = 0; i < MAX_DEPTH + 10; i++) item = { linkId: `l${i}`, type: 'group', item: [item] };
      const issues = validateResource({ resourceType: 'Questionnaire', status: 'draft', item: [item] });
      expect(issues.filter((i) => i.severity === 'error').map((i) => i.code)).to.deep.equal(['structure']);
    });
  });

  describe('resource type', () => {
    it('requires a JSON object with a known, concrete resourceType', () => {
      expect(check('Patient')).to.deep.equal(['structure resourceType']);
      expect(check({ id: '1' })).to.deep.equal(['structure resourceType']);
      expect(check({ resourceType: 'Patiant' })).to.deep.equal(['structure resourceType']);
      expect(check({ resourceType: 'DomainResource' })).to.deep.equal(['structure resourceType']);
      expect(check({ resourceType: 42 })).to.deep.equal(['structure resourceType']);
    });
    it('must match the expected type when one is given', () => {
      expect(check({ resourceType: 'Patient' }, 'Appointment')).to.deep.equal(['structure Appointment.resourceType']);
      expect(check([], 'Appointment')).to.deep.equal(['structure Appointment']);
    });
    it('validates the logical id as an id', () => {
      expect(check({ resourceType: 'Patient', id: 'a/b' })).to.deep.equal(['value Patient.id']);
    });
  });

  describe('nested resources', () => {
    it('recurses into contained resources by their own type', () => {
      const r = {
        resourceType: 'Patient',
        contained: [{ resourceType: 'Organization', id: 'o', name: 'x', nickname: 'y' }],
        managingOrganization: { reference: '#o' },
      };
      expect(check(r)).to.deep.equal(['structure Patient.contained[0].nickname']);
    });
    it('refuses contained resources that contain resources', () => {
      const r = { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', contained: [{ resourceType: 'Patient', id: 'p' }] }] };
      expect(check(r)).to.deep.equal(['structure Patient.contained[0].contained']);
    });
    it('resolves local references among the container and its contained resources', () => {
      const r = {
        resourceType: 'Patient',
        contained: [
          { resourceType: 'Organization', id: 'o', name: 'child', partOf: { reference: '#o2' } },
          { resourceType: 'Organization', id: 'o2', name: 'parent' },
        ],
        managingOrganization: { reference: '#o' },
      };
      expect(check(r)).to.deep.equal([]);
      r.managingOrganization.reference = '#o3';
      expect(check(r)).to.deep.equal(['value Patient.managingOrganization.reference']);
    });
    it('resolves local references made from extensions of primitives too', () => {
      const r = {
        resourceType: 'Patient',
        contained: [{ resourceType: 'Organization', id: 'o', name: 'x' }],
        _birthDate: { extension: [{ url: 'http://example.org/recorded-by', valueReference: { reference: '#o' } }] },
      };
      expect(check(r)).to.deep.equal([]);
    });
    it('recurses into Bundle entries, each with its own type', () => {
      const b = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520', resource: { resourceType: 'Patient', gender: 'other' }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Slot', status: 'free' }, request: { method: 'PUTT', url: 'Slot/1' } },
        ],
      };
      expect(check(b)).to.deep.equal([
        'required Bundle.entry[1].resource.schedule',
        'required Bundle.entry[1].resource.start',
        'required Bundle.entry[1].resource.end',
        'code-invalid Bundle.entry[1].request.method',
      ]);
    });
    it('checks elements typed with a specific resource type', () => {
      const b = { resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '400', outcome: { resourceType: 'Patient' } } }] };
      expect(check(b)).to.deep.equal(['structure Bundle.entry[0].response.outcome.resourceType']);
    });
  });

  describe('references', () => {
    const withRef = (reference: string, extra: Record<string, unknown> = {}) =>
      ({ resourceType: 'Slot', status: 'free', start: '2020-01-01T10:00:00Z', end: '2020-01-01T10:15:00Z', schedule: { reference, ...extra } });
    it('accepts the well-formed shapes', () => {
      for (const ref of [
        'Schedule/1', 'Schedule/a-b.c', 'Schedule/1/_history/2', 'http://example.org/fhir/Schedule/1',
        'https://example.org/fhir/Schedule/1/_history/3', 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520', 'urn:oid:1.2.3',
        'http://example.org/some/non/fhir/url',
      ]) {
        expect(check(withRef(ref)), ref).to.deep.equal([]);
      }
    });
    it('refuses malformed references', () => {
      for (const ref of ['Schedule', 'Schedule/', 'Schedule/1/_history', 'Schedule/a b', 'schedule/1', 'urn:isbn:123', 'urn:uuid:123', '#a b', 'ftp:/x']) {
        expect(check(withRef(ref)), ref).to.deep.equal(['value Slot.schedule.reference']);
      }
    });
    it('refuses unknown types and types the element does not allow', () => {
      expect(check(withRef('Scedule/1'))).to.deep.equal(['value Slot.schedule.reference']);
      expect(check(withRef('Patient/1'))).to.deep.equal(['value Slot.schedule.reference']);
      expect(check(withRef('http://example.org/fhir/Patient/1'))).to.deep.equal(['value Slot.schedule.reference']);
    });
    it('refuses a Reference.type that contradicts the reference', () => {
      expect(check(withRef('Schedule/1', { type: 'Schedule' }))).to.deep.equal([]);
      expect(check(withRef('Schedule/1', { type: 'Patient' }))).to.deep.equal(['value Slot.schedule.type']);
    });
    it('accepts conditional references only when asked to', () => {
      const r = withRef('Schedule?identifier=http://example.org|1');
      expect(check(r)).to.deep.equal(['value Slot.schedule.reference']);
      expect(summary(validateResource(r, { allowConditionalReferences: true }))).to.deep.equal([]);
    });
  });

  describe('required bindings on CodeableConcept', () => {
    const allergy = (clinicalStatus: unknown) => ({ resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/1' }, clinicalStatus });
    const sys = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
    it('accepts a coding from the bound value set, among others', () => {
      expect(check(allergy({ coding: [{ system: sys, code: 'active' }] }))).to.deep.equal([]);
      expect(check(allergy({ coding: [{ system: 'http://example.org', code: 'x' }, { system: sys, code: 'active' }] }))).to.deep.equal([]);
    });
    it('points at the code when the only coding is wrong', () => {
      expect(check(allergy({ coding: [{ system: sys, code: 'current' }] }))).to.deep.equal(['code-invalid AllergyIntolerance.clinicalStatus.coding[0].code']);
      expect(check(allergy({ coding: [{ system: 'http://example.org', code: 'active' }] }))).to.deep.equal(['code-invalid AllergyIntolerance.clinicalStatus.coding[0].code']);
    });
    it('refuses text alone where a code is required', () => {
      expect(check(allergy({ text: 'active' }))).to.deep.equal(['code-invalid AllergyIntolerance.clinicalStatus']);
    });
  });

  describe('element names', () => {
    it('lists top-level element names with choice types expanded', () => {
      const names = elementNamesOf('Patient');
      expect(names).to.include.members(['id', 'meta', 'text', 'contained', 'extension', 'identifier', 'gender', 'deceasedBoolean', 'deceasedDateTime', 'multipleBirthInteger', 'link']);
      expect(names).to.not.include.members(['deceased[x]', 'deceased', 'resourceType']);
      expect(elementNamesOf('Appointment')).to.include.members(['status', 'participant', 'start', 'end', 'slot']);
      expect(elementNamesOf('Nope')).to.deep.equal([]);
    });
    it('lists the summary elements R4 marks', () => {
      const s = summaryElementsOf('Patient');
      expect(s).to.include.members(['id', 'meta', 'identifier', 'name', 'gender', 'birthDate', 'deceasedBoolean', 'deceasedDateTime', 'link']);
      expect(s).to.not.include.members(['text', 'contact', 'photo', 'communication']);
      expect(summaryElementsOf('Nope')).to.deep.equal([]);
    });
    it('knows the concrete R4 resource types', () => {
      expect(isR4ResourceType('Appointment')).to.equal(true);
      expect(isR4ResourceType('Resource')).to.equal(false);
      expect(isR4ResourceType('appointment')).to.equal(false);
    });
  });
});
