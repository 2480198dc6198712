// Masking: the booking skeleton stays, the sensitive elements (and their `_x` siblings, the
// narrative, the contained resources only they referenced) go, and the labels say only
// "restricted, redacted".
import { expect } from 'chai';
import type { Coding, Resource, r4 } from '../../../src/domain/fhir.js';
import {
  REDACTED_CODING, mask, parseLabellingPolicy,
} from '../../../src/policy/labels/index.js';
import { conf, sens, shippedPolicy, team } from './support.js';

const policy = shippedPolicy;

const TAG = { system: 'https://example.org/tags', code: 'pilot' };

function referral(security: Coding[]): r4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: 'ref-1',
    meta: { versionId: '3', lastUpdated: '2031-01-01T09:00:00.000Z', tag: [TAG], security },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Referral for HIV care</div>' },
    contained: [
      { resourceType: 'Condition', id: 'dx', subject: { reference: 'Patient/p1' }, code: { text: 'HIV infection' } } as r4.Condition,
      { resourceType: 'Organization', id: 'clinic', name: 'Sexual health clinic' } as r4.Organization,
    ],
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
    code: { text: 'Outpatient appointment' },
    subject: { reference: 'Patient/p1', display: 'Ann Smith' },
    requester: { reference: 'PractitionerRole/gp-1' },
    performer: [{ reference: '#clinic' }],
    occurrenceDateTime: '2031-02-01T09:00:00Z',
    authoredOn: '2031-01-01',
    reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '86406008' }], text: 'HIV infection' }],
    reasonReference: [{ reference: '#dx' }],
    note: [{ text: 'Patient anxious about disclosure' }],
    patientInstruction: 'Bring previous results',
    _patientInstruction: { extension: [{ url: 'https://example.org/translation', valueString: 'Apportez vos résultats' }] },
  } as r4.ServiceRequest;
}

describe('policy/labels mask', () => {
  it('keeps the booking skeleton of a referral and removes the sensitive elements with their _x siblings', () => {
    const input = referral([conf('N'), sens('HIV'), team('A1')]);
    const { resource, removed } = mask(input, policy);
    const sr = resource as r4.ServiceRequest & Record<string, unknown>;
    expect(Object.keys(sr).sort()).to.deep.equal(
      ['authoredOn', 'category', 'code', 'contained', 'id', 'intent', 'meta', 'occurrenceDateTime', 'performer', 'requester', 'resourceType', 'status', 'subject'],
    );
    expect(sr.subject).to.deep.equal({ reference: 'Patient/p1', display: 'Ann Smith' });
    expect(sr['_patientInstruction']).to.equal(undefined);
    expect(removed).to.have.members([
      'ServiceRequest.text', 'ServiceRequest.reasonCode', 'ServiceRequest.reasonReference', 'ServiceRequest.note',
      'ServiceRequest.patientInstruction', 'ServiceRequest.contained',
    ]);
    // The clinic stays (the performer still points at it); the condition only the reason referenced goes.
    expect(sr.contained!.map((r) => r.id)).to.deep.equal(['clinic']);
    expect(JSON.stringify(sr)).not.to.match(/HIV|86406008|anxious|results|résultats/);
  });

  it('strips sensitivity and seal-team codings, adds REDACTED and keeps a confidentiality code and the rest of meta', () => {
    const { resource } = mask(referral([conf('N'), sens('HIV'), sens('PSY'), team('A1'), { system: 'https://example.org/other', code: 'x' }]), policy);
    expect(resource.meta!.security).to.deep.equal([conf('R'), { ...REDACTED_CODING }]);
    expect(resource.meta!.tag).to.deep.equal([TAG]);
    expect(resource.meta!.versionId).to.equal('3');
    expect(resource.meta!.lastUpdated).to.equal('2031-01-01T09:00:00.000Z');
  });

  it('keeps the high-water confidentiality when a confidentiality label sealed it', () => {
    expect(mask(referral([conf('R'), team('A1')]), policy).resource.meta!.security![0]).to.deep.equal(conf('R'));
    expect(mask(referral([conf('N'), conf('R'), sens('HIV')]), policy).resource.meta!.security).to.deep.equal([conf('R'), { ...REDACTED_CODING }]);
    expect(mask(referral([conf('V')]), policy).resource.meta!.security![0]).to.deep.equal(conf('V'));
    const sealsAtN = parseLabellingPolicy({ format: 'envelope-labelling-policy/1', sealed: { confidentiality: ['N', 'R'] } });
    expect(mask(referral([conf('N')]), sealsAtN).resource.meta!.security![0]).to.deep.equal(conf('N'));
  });

  it('does not change its input', () => {
    const input = referral([conf('R'), sens('HIV')]);
    const before = JSON.stringify(input);
    mask(input, policy);
    expect(JSON.stringify(input)).to.equal(before);
  });

  it('keeps a Patient\'s name, identifier and birth date, and removes how to reach them', () => {
    const patient: r4.Patient = {
      resourceType: 'Patient', id: 'p1', meta: { security: [conf('R')] },
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' }],
      name: [{ family: 'Smith', given: ['Ann'] }], birthDate: '1980-01-01', gender: 'female',
      address: [{ line: ['1 Hidden Lane'], postalCode: 'LS1 1AA' }], telecom: [{ system: 'phone', value: '07700900000' }],
      contact: [{ name: { family: 'Smith' } }], photo: [{ contentType: 'image/png' }],
    };
    const { resource, removed } = mask(patient, policy);
    expect(Object.keys(resource).sort()).to.deep.equal(['birthDate', 'gender', 'id', 'identifier', 'meta', 'name', 'resourceType']);
    expect(removed).to.have.members(['Patient.address', 'Patient.telecom', 'Patient.contact', 'Patient.photo']);
  });

  it('removes everything but the skeleton from a type with no configured list', () => {
    const consent = {
      resourceType: 'Consent', id: 'c1', meta: { security: [conf('R')] }, status: 'active',
      scope: { text: 'privacy' }, category: [{ text: 'withhold' }], patient: { reference: 'Patient/p1' },
      _status: { extension: [{ url: 'https://example.org/x', valueString: 'y' }] },
      policyRule: { text: 'no sharing with the employer' }, extension: [{ url: 'https://example.org/why', valueString: 'domestic abuse' }],
    } as Resource;
    const { resource, removed } = mask(consent, policy);
    expect(Object.keys(resource).sort()).to.deep.equal(['id', 'meta', 'patient', 'resourceType']);
    expect(removed).to.have.members(['Consent.status', 'Consent.scope', 'Consent.category', 'Consent.policyRule', 'Consent.extension']);
    const slot = { resourceType: 'Slot', id: 's1', meta: { security: [conf('R')] }, status: 'busy', schedule: { reference: 'Schedule/x' } } as Resource;
    expect(Object.keys(mask(slot, policy).resource).sort()).to.deep.equal(['id', 'meta', 'resourceType']);
  });

  it('masks a choice element configured as name[x] in all its forms', () => {
    const p = parseLabellingPolicy({ format: 'envelope-labelling-policy/1', sensitiveElements: { ServiceRequest: ['occurrence[x]'] } });
    const { resource, removed } = mask(referral([conf('R')]), p);
    expect(resource).not.to.have.property('occurrenceDateTime');
    expect(resource).to.have.property('reasonCode');
    expect(removed).to.include('ServiceRequest.occurrenceDateTime');
  });
});
