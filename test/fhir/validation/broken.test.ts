// Deliberately broken variants of one official example per served type. Each variant must fail with
// exactly one error, of the expected code, located at the fault; a broken invariant also names its key.
import { expect } from 'chai';
import type { IssueCode } from '../../../src/domain/errors.js';
import { validateResource } from '../../../src/fhir/validation/index.js';
import { errorsOf, example, summary } from './support.js';

// `any` on purpose: the variants do free-form surgery on example JSON.
type R = Record<string, any>;
interface Variant { what: string; change: (r: R) => void; code: IssueCode; at: string; key?: string }

/** The kinds of damage every type is put through (a broken invariant among them), plus type-specific extras. */
const cases: Record<string, { file: string; variants: Variant[] }> = {
  Appointment: {
    file: 'Appointment-example.json',
    variants: [
      { what: 'missing required status', change: (r) => delete r.status, code: 'required', at: 'Appointment.status' },
      { what: 'missing required participant status', change: (r) => delete r.participant[1].status, code: 'required', at: 'Appointment.participant[1].status' },
      { what: 'string for positiveInt', change: (r) => (r.minutesDuration = '15'), code: 'structure', at: 'Appointment.minutesDuration' },
      { what: 'unknown status code', change: (r) => (r.status = 'confirmed'), code: 'code-invalid', at: 'Appointment.status' },
      { what: 'instant without timezone', change: (r) => (r.start = '2013-12-10T09:00:00'), code: 'value', at: 'Appointment.start' },
      { what: 'unknown element', change: (r) => (r.room = '12'), code: 'structure', at: 'Appointment.room' },
      { what: 'array for a single status', change: (r) => (r.status = ['booked']), code: 'structure', at: 'Appointment.status' },
      { what: 'malformed reference', change: (r) => (r.participant[0].actor.reference = 'Patient example'), code: 'value', at: 'Appointment.participant[0].actor.reference' },
      { what: 'reference to a type not allowed', change: (r) => (r.participant[0].actor.reference = 'Organization/1'), code: 'value', at: 'Appointment.participant[0].actor.reference' },
      { what: 'start without end', change: (r) => { r.status = 'proposed'; delete r.end; }, code: 'invariant', at: 'Appointment', key: 'app-2' },
      { what: 'booked without start and end', change: (r) => { delete r.start; delete r.end; }, code: 'invariant', at: 'Appointment', key: 'app-3' },
      { what: 'cancellation reason on a booked appointment', change: (r) => (r.cancelationReason = { text: 'patient moved' }), code: 'invariant', at: 'Appointment', key: 'app-4' },
      { what: 'participant with neither type nor actor', change: (r) => { delete r.participant[0].type; delete r.participant[0].actor; }, code: 'invariant', at: 'Appointment.participant[0]', key: 'app-1' },
    ],
  },
  Slot: {
    file: 'Slot-example.json',
    variants: [
      { what: 'missing required schedule', change: (r) => delete r.schedule, code: 'required', at: 'Slot.schedule' },
      { what: 'string for boolean', change: (r) => (r.overbooked = 'false'), code: 'structure', at: 'Slot.overbooked' },
      { what: 'unknown status code', change: (r) => (r.status = 'taken'), code: 'code-invalid', at: 'Slot.status' },
      { what: 'impossible date', change: (r) => (r.end = '2013-02-30T09:30:00Z'), code: 'value', at: 'Slot.end' },
      { what: 'unknown element', change: (r) => (r.capacity = 2), code: 'structure', at: 'Slot.capacity' },
      { what: 'array for a single reference', change: (r) => (r.schedule = [r.schedule]), code: 'structure', at: 'Slot.schedule' },
      { what: 'identifier period ending before it starts', change: (r) => (r.identifier = [{ value: 'x', period: { start: '2013-12-25T10:00:00Z', end: '2013-12-25T09:00:00Z' } }]), code: 'invariant', at: 'Slot.identifier[0].period', key: 'per-1' },
      { what: 'extension with both a value and extensions', change: (r) => (r.extension = [{ url: 'http://example.org/x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }]), code: 'invariant', at: 'Slot.extension[0]', key: 'ext-1' },
    ],
  },
  Schedule: {
    file: 'Schedule-example.json',
    variants: [
      { what: 'missing required actor', change: (r) => delete r.actor, code: 'required', at: 'Schedule.actor' },
      { what: 'number for boolean', change: (r) => (r.active = 1), code: 'structure', at: 'Schedule.active' },
      { what: 'unknown identifier use', change: (r) => (r.identifier[0].use = 'primary'), code: 'code-invalid', at: 'Schedule.identifier[0].use' },
      { what: 'month 13', change: (r) => (r.planningHorizon.start = '2013-13-25T09:15:00Z'), code: 'value', at: 'Schedule.planningHorizon.start' },
      { what: 'unknown element', change: (r) => (r.actors = r.actor), code: 'structure', at: 'Schedule.actors' },
      { what: 'array for a single Period', change: (r) => (r.planningHorizon = [r.planningHorizon]), code: 'structure', at: 'Schedule.planningHorizon' },
      { what: 'planning horizon ending before it starts', change: (r) => (r.planningHorizon.end = '2013-12-24T09:15:00Z'), code: 'invariant', at: 'Schedule.planningHorizon', key: 'per-1' },
    ],
  },
  ServiceRequest: {
    file: 'ServiceRequest-example.json',
    variants: [
      { what: 'missing required intent', change: (r) => delete r.intent, code: 'required', at: 'ServiceRequest.intent' },
      { what: 'string for boolean', change: (r) => (r.doNotPerform = 'no'), code: 'structure', at: 'ServiceRequest.doNotPerform' },
      { what: 'unknown intent code', change: (r) => (r.intent = 'suggestion'), code: 'code-invalid', at: 'ServiceRequest.intent' },
      { what: 'day 32', change: (r) => (r.authoredOn = '2013-05-32'), code: 'value', at: 'ServiceRequest.authoredOn' },
      { what: 'unknown element', change: (r) => (r.patient = r.subject), code: 'structure', at: 'ServiceRequest.patient' },
      { what: 'array for a single subject', change: (r) => (r.subject = [r.subject]), code: 'structure', at: 'ServiceRequest.subject' },
      { what: 'single object for a repeating category', change: (r) => (r.category = r.category[0]), code: 'structure', at: 'ServiceRequest.category' },
      { what: 'order details without a code', change: (r) => { delete r.code; r.orderDetail = [{ text: 'left ear' }]; }, code: 'invariant', at: 'ServiceRequest', key: 'prr-1' },
    ],
  },
  Consent: {
    file: 'Consent-consent-example-basic.json',
    variants: [
      { what: 'missing required category', change: (r) => delete r.category, code: 'required', at: 'Consent.category' },
      { what: 'number for dateTime', change: (r) => (r.dateTime = 20160511), code: 'structure', at: 'Consent.dateTime' },
      { what: 'unknown status code', change: (r) => (r.status = 'approved'), code: 'code-invalid', at: 'Consent.status' },
      { what: '29 February in a common year', change: (r) => (r.provision.period.end = '2015-02-29'), code: 'value', at: 'Consent.provision.period.end' },
      { what: 'unknown element in a backbone element', change: (r) => (r.provision.allow = true), code: 'structure', at: 'Consent.provision.allow' },
      { what: 'array for a single patient', change: (r) => (r.patient = [r.patient]), code: 'structure', at: 'Consent.patient' },
      { what: 'unknown provision type', change: (r) => (r.provision.type = 'allow'), code: 'code-invalid', at: 'Consent.provision.type' },
      { what: 'neither policy nor policyRule', change: (r) => { delete r.policy; delete r.policyRule; }, code: 'invariant', at: 'Consent', key: 'ppc-1' },
      { what: 'privacy consent without a patient', change: (r) => delete r.patient, code: 'invariant', at: 'Consent.patient', key: 'ppc-2' },
    ],
  },
  AuditEvent: {
    file: 'AuditEvent-example.json',
    variants: [
      { what: 'missing required source', change: (r) => delete r.source, code: 'required', at: 'AuditEvent.source' },
      { what: 'string for boolean', change: (r) => (r.agent[0].requestor = 'false'), code: 'structure', at: 'AuditEvent.agent[0].requestor' },
      { what: 'unknown action code', change: (r) => (r.action = 'X'), code: 'code-invalid', at: 'AuditEvent.action' },
      { what: 'instant without seconds', change: (r) => (r.recorded = '2012-10-25T22:04+11:00'), code: 'value', at: 'AuditEvent.recorded' },
      { what: 'unknown element', change: (r) => (r.agent[1].user = 'x'), code: 'structure', at: 'AuditEvent.agent[1].user' },
      { what: 'array for a single code', change: (r) => (r.outcome = ['0']), code: 'structure', at: 'AuditEvent.outcome' },
      { what: 'entity with both a name and a query', change: (r) => { r.entity[0].name = 'x'; r.entity[0].query = 'eA=='; }, code: 'invariant', at: 'AuditEvent.entity[0]', key: 'sev-1' },
    ],
  },
  Patient: {
    file: 'Patient-example.json',
    variants: [
      { what: 'missing required communication language', change: (r) => (r.communication = [{ preferred: true }]), code: 'required', at: 'Patient.communication[0].language' },
      { what: 'string for boolean', change: (r) => (r.active = 'true'), code: 'structure', at: 'Patient.active' },
      { what: 'unknown gender code', change: (r) => (r.gender = 'M'), code: 'code-invalid', at: 'Patient.gender' },
      { what: 'impossible birth date', change: (r) => (r.birthDate = '1974-12-32'), code: 'value', at: 'Patient.birthDate' },
      { what: 'unknown element', change: (r) => (r.sex = 'male'), code: 'structure', at: 'Patient.sex' },
      { what: 'array for a single gender', change: (r) => (r.gender = ['male']), code: 'structure', at: 'Patient.gender' },
      { what: 'object for a primitive in a repeating element', change: (r) => (r.name[0].given[1] = { value: 'James' }), code: 'structure', at: 'Patient.name[0].given[1]' },
      { what: 'unknown element beside a primitive', change: (r) => (r._birthDate.precision = 'day'), code: 'structure', at: 'Patient.birthDate.precision' },
      { what: 'two types for one choice element', change: (r) => (r._birthDate.extension[0].valueDate = '1974'), code: 'structure', at: 'Patient.birthDate.extension[0].valueDate' },
      { what: 'contact with only a relationship', change: (r) => (r.contact[0] = { relationship: r.contact[0].relationship }), code: 'invariant', at: 'Patient.contact[0]', key: 'pat-1' },
    ],
  },
  Practitioner: {
    file: 'Practitioner-example.json',
    variants: [
      { what: 'missing required qualification code', change: (r) => delete r.qualification[0].code, code: 'required', at: 'Practitioner.qualification[0].code' },
      { what: 'boolean for string', change: (r) => (r.name[0].family = true), code: 'structure', at: 'Practitioner.name[0].family' },
      { what: 'unknown address use', change: (r) => (r.address[0].use = 'residence'), code: 'code-invalid', at: 'Practitioner.address[0].use' },
      { what: 'date with a time', change: (r) => (r.birthDate = '1970-01-01T00:00:00Z'), code: 'value', at: 'Practitioner.birthDate' },
      { what: 'unknown element in a datatype', change: (r) => (r.name[0].surname = 'Careful'), code: 'structure', at: 'Practitioner.name[0].surname' },
      { what: 'array for a single birth date', change: (r) => (r.birthDate = ['1970-01-01']), code: 'structure', at: 'Practitioner.birthDate' },
      { what: 'telecom value without a system', change: (r) => (r.telecom = [{ value: '0123 456789' }]), code: 'invariant', at: 'Practitioner.telecom[0]', key: 'cpt-2' },
    ],
  },
  PractitionerRole: {
    file: 'PractitionerRole-example.json',
    variants: [
      { what: 'missing required notAvailable description', change: (r) => delete r.notAvailable[0].description, code: 'required', at: 'PractitionerRole.notAvailable[0].description' },
      { what: 'string for boolean', change: (r) => (r.availableTime[0].allDay = 'no'), code: 'structure', at: 'PractitionerRole.availableTime[0].allDay' },
      { what: 'unknown day of week', change: (r) => (r.availableTime[1].daysOfWeek[1] = 'friday'), code: 'code-invalid', at: 'PractitionerRole.availableTime[1].daysOfWeek[1]' },
      { what: 'hour 24 in a time', change: (r) => (r.availableTime[0].availableEndTime = '24:00:00'), code: 'value', at: 'PractitionerRole.availableTime[0].availableEndTime' },
      { what: 'unknown element', change: (r) => (r.role = r.code), code: 'structure', at: 'PractitionerRole.role' },
      { what: 'array for a single practitioner', change: (r) => (r.practitioner = [r.practitioner]), code: 'structure', at: 'PractitionerRole.practitioner' },
      { what: 'period ending before it starts', change: (r) => (r.period = { start: '2012-03-31', end: '2012-01-01' }), code: 'invariant', at: 'PractitionerRole.period', key: 'per-1' },
    ],
  },
  Organization: {
    file: 'Organization-hl7.json',
    variants: [
      { what: 'extension without url', change: (r) => (r.extension = [{ valueString: 'x' }]), code: 'required', at: 'Organization.extension[0].url' },
      { what: 'number for string', change: (r) => (r.address[0].postalCode = 48104), code: 'structure', at: 'Organization.address[0].postalCode' },
      { what: 'unknown contact point system', change: (r) => (r.telecom[0].system = 'telephone'), code: 'code-invalid', at: 'Organization.telecom[0].system' },
      { what: 'dateTime with a bad offset', change: (r) => (r.telecom[2].period = { start: '2019-01-01T10:00:00+15:00' }), code: 'value', at: 'Organization.telecom[2].period.start' },
      { what: 'unknown element', change: (r) => (r.website = 'http://hl7.org'), code: 'structure', at: 'Organization.website' },
      { what: 'array for a single name', change: (r) => (r.name = [r.name]), code: 'structure', at: 'Organization.name' },
      { what: 'neither identifier nor name', change: (r) => { delete r.name; delete r.identifier; }, code: 'invariant', at: 'Organization', key: 'org-1' },
      { what: 'a home telecom', change: (r) => (r.telecom[0].use = 'home'), code: 'invariant', at: 'Organization.telecom[0]', key: 'org-3' },
      { what: 'a home address', change: (r) => (r.address[0].use = 'home'), code: 'invariant', at: 'Organization.address[0]', key: 'org-2' },
    ],
  },
  HealthcareService: {
    file: 'HealthcareService-example.json',
    variants: [
      { what: 'missing required notAvailable description', change: (r) => delete r.notAvailable[1].description, code: 'required', at: 'HealthcareService.notAvailable[1].description' },
      { what: 'string for boolean', change: (r) => (r.appointmentRequired = 'false'), code: 'structure', at: 'HealthcareService.appointmentRequired' },
      { what: 'unknown day of week', change: (r) => (r.availableTime[0].daysOfWeek = ['wednesday']), code: 'code-invalid', at: 'HealthcareService.availableTime[0].daysOfWeek[0]' },
      { what: 'time with a timezone', change: (r) => (r.availableTime[1].availableStartTime = '08:30:00Z'), code: 'value', at: 'HealthcareService.availableTime[1].availableStartTime' },
      { what: 'unknown element in a contained resource', change: (r) => (r.contained[0].area = 'x'), code: 'structure', at: 'HealthcareService.contained[0].area' },
      { what: 'array for a single organization', change: (r) => (r.providedBy = [r.providedBy]), code: 'structure', at: 'HealthcareService.providedBy' },
      { what: 'local reference to a missing contained resource', change: (r) => (r.coverageArea[0].reference = '#Denburg'), code: 'value', at: 'HealthcareService.coverageArea[0].reference' },
      { what: 'telecom value without a system', change: (r) => delete r.telecom[0].system, code: 'invariant', at: 'HealthcareService.telecom[0]', key: 'cpt-2' },
      { what: 'contained resource nothing refers to', change: (r) => r.contained.push({ resourceType: 'Location', id: 'orphan', name: 'nowhere' }), code: 'invariant', at: 'HealthcareService', key: 'dom-3' },
    ],
  },
  Location: {
    file: 'Location-1.json',
    variants: [
      { what: 'missing required latitude', change: (r) => delete r.position.latitude, code: 'required', at: 'Location.position.latitude' },
      { what: 'string for decimal', change: (r) => (r.position.latitude = '42.25'), code: 'structure', at: 'Location.position.latitude' },
      { what: 'unknown status code', change: (r) => (r.status = 'open'), code: 'code-invalid', at: 'Location.status' },
      { what: 'time without seconds', change: (r) => (r.hoursOfOperation = [{ openingTime: '09:00' }]), code: 'value', at: 'Location.hoursOfOperation[0].openingTime' },
      { what: 'unknown element', change: (r) => (r.position.elevation = 0), code: 'structure', at: 'Location.position.elevation' },
      { what: 'array for a single address', change: (r) => (r.address = [r.address]), code: 'structure', at: 'Location.address' },
      { what: 'contained resource inside a contained resource', change: (r) => (r.contained = [{ resourceType: 'Organization', id: 'o', name: 'x', contained: [{ resourceType: 'Organization', id: 'p', name: 'y' }] }]), code: 'structure', at: 'Location.contained[0].contained' },
      { what: 'contained resource nothing refers to', change: (r) => (r.contained = [{ resourceType: 'Organization', id: 'o', name: 'x' }]), code: 'invariant', at: 'Location', key: 'dom-3' },
      { what: 'narrative with no content', change: (r) => (r.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p> </p></div>' }), code: 'invariant', at: 'Location.text.div', key: 'txt-1/txt-2' },
    ],
  },
};

describe('validation: broken variants of official examples', () => {
  for (const [type, { file, variants }] of Object.entries(cases)) {
    describe(`${type} (${file})`, () => {
      it('the unbroken example is valid', () => {
        expect(summary(validateResource(example(file), { expectedType: type }))).to.deep.equal([]);
      });
      for (const v of variants) {
        it(`${v.what} -> ${v.code} at ${v.at}`, () => {
          const r = example(file) as R;
          v.change(r);
          const errs = errorsOf(validateResource(r, { expectedType: type }));
          expect(summary(errs)).to.deep.equal([`${v.code} ${v.at}`]);
          expect(errs[0]!.diagnostics).to.be.a('string').and.not.equal('');
          if (v.key) expect(errs[0]!.diagnostics.startsWith(`${v.key}: `), errs[0]!.diagnostics).to.equal(true);
        });
      }
    });
  }
});
