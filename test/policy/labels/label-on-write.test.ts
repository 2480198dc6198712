// The labelling policy on write: server-managed codings, code rules, the seal team, and label
// protection for a writer who sees the stored version masked.
import { expect } from 'chai';
import type { Coding, Resource, r4 } from '../../../src/domain/fhir.js';
import {
  BREAK_GLASS_CODING, CONFIDENTIALITY_SYSTEM, REDACTED_CODING, SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, labelOnWrite, mask,
  parseLabellingPolicy, sealLevel, viewOf, type Viewer,
} from '../../../src/policy/labels/index.js';
import { conf, sens, shippedPolicy, team } from './support.js';

const policy = shippedPolicy;

const SNOMED = 'http://snomed.info/sct';
const HIV_INFECTION = { coding: [{ system: SNOMED, code: '86406008', display: 'Human immunodeficiency virus infection' }] };
const ASTHMA = { coding: [{ system: SNOMED, code: '195967001' }] };

const gpA: Viewer = { organization: 'A1', clearance: { confidentiality: 'N', sensitivity: [] } };
const clerkB: Viewer = { organization: 'B1', clearance: { confidentiality: 'N', sensitivity: [] } };
const clinicianC: Viewer = { organization: 'C1', clearance: { confidentiality: 'R', sensitivity: '*' } };

function referral(extra: Partial<r4.ServiceRequest> = {}, security?: Coding[]): r4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest', id: 'ref-1', status: 'active', intent: 'order',
    subject: { reference: 'Patient/p1' }, requester: { reference: 'PractitionerRole/gp-1' },
    ...(security ? { meta: { security } } : {}),
    ...extra,
  };
}

function written(input: Resource, stored: Resource | undefined, writer: Viewer, p = policy): Resource {
  const out = labelOnWrite(input, stored, writer, p);
  if ('forbidden' in out) throw new Error(`forbidden: ${out.forbidden.join(', ')}`);
  return out.resource;
}

const securityOf = (r: Resource) => r.meta?.security ?? [];
const codes = (r: Resource) => securityOf(r).map((c) => `${c.system}|${c.code}`).sort();
const has = (r: Resource, c: Coding) => securityOf(r).some((x) => x.system === c.system && x.code === c.code);

describe('policy/labels labelOnWrite: labelling', () => {
  it('drops REDACTED, seal-team and break-glass codings a client sends', () => {
    const out = written(referral({}, [conf('N'), { ...REDACTED_CODING }, team('Z9'), { ...BREAK_GLASS_CODING }]), undefined, gpA);
    expect(codes(out)).to.deep.equal([`${CONFIDENTIALITY_SYSTEM}|N`]);
  });

  it('a client cannot make itself the seal team of data it seals', () => {
    const out = written(referral({}, [conf('R'), team('B1')]), undefined, gpA);
    expect(securityOf(out).filter((c) => c.system === SEAL_TEAM_SYSTEM)).to.deep.equal([team('A1')]);
    expect(viewOf(out, clerkB, policy)).to.equal('masked');
  });

  it('labels a referral whose reason holds a listed code: the sensitivity label, at least R, and the writer\'s team', () => {
    const out = written(referral({ reasonCode: [ASTHMA, HIV_INFECTION] }), undefined, gpA);
    expect(codes(out)).to.deep.equal([`${CONFIDENTIALITY_SYSTEM}|R`, `${SENSITIVITY_SYSTEM}|HIV`, `${SEAL_TEAM_SYSTEM}|A1`].sort());
    expect(sealLevel(out, policy)).to.equal('sealed');
    expect(viewOf(out, gpA, policy), 'the writer can still see what it wrote').to.equal('full');
  });

  it('applies the rules to appointments too, and leaves unlisted codes, systems and elements alone', () => {
    const appt = { resourceType: 'Appointment', id: 'a1', status: 'booked', participant: [], reasonCode: [HIV_INFECTION] } as unknown as Resource;
    expect(codes(written(appt, undefined, gpA))).to.include(`${SENSITIVITY_SYSTEM}|HIV`);
    expect(written(referral({ reasonCode: [ASTHMA] }), undefined, gpA).meta).to.equal(undefined);
    const otherSystem = { coding: [{ system: 'http://example.org/codes', code: '86406008' }] };
    expect(written(referral({ reasonCode: [otherSystem] }), undefined, gpA).meta).to.equal(undefined);
    expect(written(referral({ code: HIV_INFECTION }), undefined, gpA).meta, 'ServiceRequest.code is not a rule path').to.equal(undefined);
  });

  it('follows a rule path through contained resources', () => {
    const p = parseLabellingPolicy({
      format: 'envelope-labelling-policy/1',
      codeRules: [{ label: 'HIV', system: SNOMED, codes: ['86406008'], paths: ['ServiceRequest.contained.code'] }],
    });
    const withCondition = referral({
      contained: [{ resourceType: 'Condition', id: 'dx', subject: { reference: 'Patient/p1' }, code: HIV_INFECTION } as r4.Condition],
      reasonReference: [{ reference: '#dx' }],
    });
    expect(codes(written(withCondition, undefined, gpA, p))).to.include(`${SENSITIVITY_SYSTEM}|HIV`);
    expect(written(withCondition, undefined, gpA).meta, 'not a path of the shipped rules').to.equal(undefined);
  });

  it('raises, never lowers: a rule at R leaves V alone; a rule at V raises R; one confidentiality coding remains', () => {
    const v = written(referral({ reasonCode: [HIV_INFECTION] }, [conf('V')]), undefined, gpA);
    expect(securityOf(v).filter((c) => c.system === CONFIDENTIALITY_SYSTEM)).to.deep.equal([conf('V')]);
    const strict = parseLabellingPolicy({
      format: 'envelope-labelling-policy/1',
      codeRules: [{ label: 'HIV', confidentiality: 'V', system: SNOMED, codes: ['86406008'], paths: ['ServiceRequest.reasonCode'] }],
    });
    const locked = written(referral({ reasonCode: [HIV_INFECTION] }, [conf('R')]), undefined, gpA, strict);
    expect(securityOf(locked).filter((c) => c.system === CONFIDENTIALITY_SYSTEM)).to.deep.equal([conf('V')]);
    expect(sealLevel(locked, strict)).to.equal('locked');
    expect(viewOf(locked, clinicianC, strict)).to.equal('hidden');
  });

  it('records no team when the writer has no organisation, so sealed-and-locked data is then nobody\'s', () => {
    const out = written(referral({}, [conf('V')]), undefined, { clearance: { confidentiality: 'V', sensitivity: '*' } });
    expect(codes(out)).to.deep.equal([`${CONFIDENTIALITY_SYSTEM}|V`]);
    expect(viewOf(out, gpA, policy)).to.equal('hidden');
  });

  it('records no team on open data', () => {
    expect(written(referral({}, [conf('N')]), undefined, gpA).meta!.security).to.deep.equal([conf('N')]);
  });

  it('keeps the stored team when someone else (cleared) updates sealed data', () => {
    const stored = written(referral({ reasonCode: [HIV_INFECTION] }), undefined, gpA);
    const update = written({ ...stored, status: 'revoked' } as Resource, stored, clinicianC);
    expect(securityOf(update).filter((c) => c.system === SEAL_TEAM_SYSTEM)).to.deep.equal([team('A1')]);
  });

  it('does not change its input', () => {
    const input = referral({ reasonCode: [HIV_INFECTION] }, [{ ...REDACTED_CODING }]);
    const before = JSON.stringify(input);
    written(input, undefined, gpA);
    expect(JSON.stringify(input)).to.equal(before);
  });
});

describe('policy/labels labelOnWrite: protection on update', () => {
  const sealedReferral = () => written(referral({
    reasonCode: [HIV_INFECTION],
    note: [{ text: 'Patient asked that the practice nurse is not told' }],
    patientInstruction: 'Bring your clinic letter',
    contained: [{ resourceType: 'Condition', id: 'dx', subject: { reference: 'Patient/p1' } } as r4.Condition],
    reasonReference: [{ reference: '#dx' }],
  }), undefined, gpA);

  it('refuses the sensitive elements from a writer who sees the stored version masked, naming what it sent', () => {
    const stored = sealedReferral();
    expect(viewOf(stored, clerkB, policy)).to.equal('masked');
    const sent = labelOnWrite(referral({ reasonCode: [ASTHMA], _patientInstruction: { id: 'x' } } as Partial<r4.ServiceRequest>), stored, clerkB, policy);
    expect(sent).to.deep.equal({ forbidden: ['ServiceRequest.reasonCode', 'ServiceRequest.patientInstruction'] });
    const narrative = labelOnWrite(referral({ text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }), stored, clerkB, policy);
    expect(narrative).to.deep.equal({ forbidden: ['ServiceRequest.text'] });
  });

  it('carries the stored sensitive elements over an update made from the masked view', () => {
    const stored = sealedReferral();
    const seen = mask(stored, policy).resource as r4.ServiceRequest;
    const out = written({ ...seen, status: 'revoked' } as Resource, stored, clerkB) as r4.ServiceRequest;
    expect(out.status).to.equal('revoked');
    expect(out.reasonCode).to.deep.equal([HIV_INFECTION]);
    expect(out.note).to.deep.equal([{ text: 'Patient asked that the practice nurse is not told' }]);
    expect(out.patientInstruction).to.equal('Bring your clinic letter');
    expect(out.contained!.map((r) => r.id)).to.deep.equal(['dx']);
    expect(codes(out)).to.deep.equal(codes(stored));
    expect(has(out, REDACTED_CODING)).to.equal(false);
  });

  it('refuses a contained resource that would overwrite one the writer cannot see', () => {
    const stored = sealedReferral();
    const sent = labelOnWrite(referral({ contained: [{ resourceType: 'Condition', id: 'dx', subject: { reference: 'Patient/p2' } } as r4.Condition] }), stored, clerkB, policy);
    expect(sent).to.deep.equal({ forbidden: ['ServiceRequest.contained'] });
  });

  it('an uncleared writer cannot remove labels or lower confidentiality', () => {
    const stored = sealedReferral();
    for (const security of [[], [conf('N')], [conf('L'), sens('SEX')]]) {
      const out = written(referral({}, security), stored, clerkB);
      expect(has(out, sens('HIV')), JSON.stringify(security)).to.equal(true);
      expect(has(out, conf('R'))).to.equal(true);
      expect(has(out, conf('N')) || has(out, conf('L'))).to.equal(false);
      expect(has(out, team('A1'))).to.equal(true);
    }
    expect(has(written(referral({}, [conf('L'), sens('SEX')]), stored, clerkB), sens('SEX')), 'adding a label is allowed').to.equal(true);
  });

  it('an uncleared writer sending back the confidentiality it was shown does not change it; a higher one raises it', () => {
    const onlyHiv = written(referral({}, [conf('N'), sens('HIV')]), undefined, gpA);
    const shown = mask(onlyHiv, policy).resource;
    expect(has(shown, conf('R'))).to.equal(true);
    const back = written({ ...shown, status: 'on-hold' } as Resource, onlyHiv, clerkB);
    expect(securityOf(back).filter((c) => c.system === CONFIDENTIALITY_SYSTEM)).to.deep.equal([conf('N')]);
    const raised = written(referral({}, [conf('V')]), onlyHiv, clerkB);
    expect(securityOf(raised).filter((c) => c.system === CONFIDENTIALITY_SYSTEM)).to.deep.equal([conf('V')]);
    expect(viewOf(raised, gpA, policy), 'the team keeps it').to.equal('full');
    expect(viewOf(raised, clerkB, policy)).to.equal('hidden');
  });

  it('a cleared writer may change labels freely, and the code rules still run after', () => {
    const restricted = written(referral({ reasonCode: [ASTHMA] }, [conf('R'), sens('PSY')]), undefined, gpA);
    expect(viewOf(restricted, clinicianC, policy)).to.equal('full');
    const lowered = written(referral({ reasonCode: [ASTHMA] }, [conf('N')]), restricted, clinicianC);
    expect(codes(lowered)).to.deep.equal([`${CONFIDENTIALITY_SYSTEM}|N`]);
    const stored = sealedReferral();
    const relabelled = written({ ...stored, meta: { security: [conf('N')] } } as Resource, stored, clinicianC);
    expect(has(relabelled, sens('HIV')), 'the HIV reason code labels it again').to.equal(true);
    expect(has(relabelled, conf('R'))).to.equal(true);
  });

  it('the seal team may lower its own labels', () => {
    const restricted = written(referral({}, [conf('R')]), undefined, gpA);
    const lowered = written(referral({}, [conf('N')]), restricted, gpA);
    expect(codes(lowered)).to.deep.equal([`${CONFIDENTIALITY_SYSTEM}|N`]);
  });

  it('treats a stored version hidden from the writer like a masked one', () => {
    const locked = written(referral({ note: [{ text: 'x' }] }, [conf('V')]), undefined, gpA);
    expect(labelOnWrite(referral({ note: [{ text: 'y' }] }), locked, clinicianC, policy)).to.deep.equal({ forbidden: ['ServiceRequest.note'] });
    const out = written(referral({}, []), locked, clinicianC);
    expect(has(out, conf('V'))).to.equal(true);
    expect(has(out, team('A1'))).to.equal(true);
  });
});
