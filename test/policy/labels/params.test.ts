// Which search parameters read what masking withholds, over every parameter of the real R4
// registry for a listed type, a type without a list and the Patient.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseLabellingPolicy, touchesSensitive } from '../../../src/policy/labels/index.js';
import { loadR4Registry } from '../../../src/search/registry.js';

const root = new URL('../../../../', import.meta.url);
const policy = parseLabellingPolicy(JSON.parse(readFileSync(new URL('policy/labelling.json', root), 'utf8')));
const registry = loadR4Registry();

function touching(type: string): string[] {
  return registry.paramsFor(type).filter((p) => touchesSensitive(type, p.code, p.expression, policy)).map((p) => p.code).sort();
}

describe('policy/labels touchesSensitive', () => {
  it('reason-code touches; patient and date do not', () => {
    expect(touchesSensitive('Appointment', 'reason-code', 'Appointment.reasonCode', policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'reason-code', 'ServiceRequest.reasonCode', policy)).to.equal(true);
    expect(touchesSensitive('Appointment', 'patient', 'Appointment.participant.actor.where(resolve() is Patient)', policy)).to.equal(false);
    expect(touchesSensitive('Appointment', 'date', 'Appointment.start', policy)).to.equal(false);
    expect(touchesSensitive('ServiceRequest', 'patient', 'ServiceRequest.subject.where(resolve() is Patient)', policy)).to.equal(false);
  });

  it('_security touches on every type, and so does any expression reading meta.security', () => {
    for (const type of ['ServiceRequest', 'Slot', 'Patient']) expect(touchesSensitive(type, '_security', 'Resource.meta.security', policy)).to.equal(true);
    expect(touchesSensitive('Slot', 'labels', 'Slot.meta.security.code', policy)).to.equal(true);
    expect(touchesSensitive('Slot', '_tag', 'Resource.meta.tag', policy)).to.equal(false);
  });

  it('over the R4 parameters (and Envelope\'s own) of a listed type: exactly those reading a configured element', () => {
    expect(touching('ServiceRequest')).to.deep.equal(['_security', 'body-site', 'order-detail', 'reason-code', 'reason-reference']);
    expect(touching('Appointment')).to.deep.equal(['_security', 'reason-code', 'reason-reference', 'supporting-info']);
    expect(touching('Patient')).to.deep.equal(['_security', 'address', 'address-city', 'address-country', 'address-postalcode', 'address-state', 'address-use', 'email', 'phone', 'telecom']);
  });

  it('over the R4 parameters of a type without a list: all but the skeleton (id, meta, the patient)', () => {
    const untouched = (type: string) => registry.paramsFor(type).map((p) => p.code).filter((c) => !touching(type).includes(c)).sort();
    expect(untouched('Consent')).to.deep.equal(['_id', '_lastUpdated', '_profile', '_source', '_tag', 'patient']);
    expect(untouched('Slot')).to.deep.equal(['_id', '_lastUpdated', '_profile', '_source', '_tag']);
  });

  it('errs towards touching: relative names in where(), walks over everything, delimited identifiers', () => {
    expect(touchesSensitive('ServiceRequest', 'x', "ServiceRequest.where(reasonCode.exists()).status", policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.descendants().ofType(CodeableConcept)', policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.children()', policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.`note`.text', policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.code | ServiceRequest.supportingInfo', policy)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.text.div', policy), 'the narrative is always withheld').to.equal(true);
  });

  it('is not fooled by names inside string literals or type names', () => {
    expect(touchesSensitive('ServiceRequest', 'x', "ServiceRequest.code.where(coding.code = 'reasonCode note')", policy)).to.equal(false);
    expect(touchesSensitive('ServiceRequest', 'x', 'ServiceRequest.occurrence.ofType(Period)', policy)).to.equal(false);
    expect(touchesSensitive('Patient', 'death-date', 'Patient.deceased.ofType(dateTime)', policy)).to.equal(false);
  });

  it('follows the configured lists', () => {
    const p = parseLabellingPolicy({ format: 'envelope-labelling-policy/1', sensitiveElements: { ServiceRequest: ['occurrence[x]'] } });
    expect(touchesSensitive('ServiceRequest', 'occurrence', 'ServiceRequest.occurrence', p)).to.equal(true);
    expect(touchesSensitive('ServiceRequest', 'body-site', 'ServiceRequest.bodySite', p)).to.equal(false);
  });
});
