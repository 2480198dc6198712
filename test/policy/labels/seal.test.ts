// Seal levels under the default and a changed mapping, and what each viewer sees.
import { expect } from 'chai';
import type { Coding, Resource } from '../../../src/domain/fhir.js';
import {
  parseLabellingPolicy, sealLevel, viewOf, type Viewer,
} from '../../../src/policy/labels/index.js';
import { conf, sens, shippedPolicy, team } from './support.js';

const policy = shippedPolicy;

const labelled = (...security: Coding[]): Resource => ({ resourceType: 'ServiceRequest', id: 'x', meta: { security } });

const nobody: Viewer = { organization: 'B1', clearance: { confidentiality: 'N', sensitivity: [] } };
const hivCleared: Viewer = { organization: 'C1', clearance: { confidentiality: 'R', sensitivity: ['HIV'] } };
const allCleared: Viewer = { organization: 'D1', clearance: { confidentiality: 'V', sensitivity: '*' } };
const teamA: Viewer = { organization: 'A1', clearance: { confidentiality: 'N', sensitivity: [] } };
const noOrganisation: Viewer = { clearance: { confidentiality: 'V', sensitivity: '*' } };

describe('policy/labels seal levels', () => {
  it('default mapping: R or a sensitivity label seals, V locks, the rest is open', () => {
    expect(sealLevel({ resourceType: 'Slot' }, policy)).to.equal('open');
    expect(sealLevel(labelled(conf('N')), policy)).to.equal('open');
    expect(sealLevel(labelled(conf('R')), policy)).to.equal('sealed');
    expect(sealLevel(labelled(conf('N'), sens('HIV')), policy)).to.equal('sealed');
    expect(sealLevel(labelled(sens('SEX')), policy)).to.equal('sealed');
    expect(sealLevel(labelled(conf('V')), policy)).to.equal('locked');
    expect(sealLevel(labelled(conf('R'), conf('V')), policy)).to.equal('locked');
  });

  it('counts only codings with the official systems, and only recognised sensitivity codes', () => {
    expect(sealLevel(labelled({ code: 'V' }), policy)).to.equal('open');
    expect(sealLevel(labelled({ system: 'http://example.org/conf', code: 'R' }), policy)).to.equal('open');
    expect(sealLevel(labelled(sens('NOTACODE')), policy)).to.equal('open');
    expect(sealLevel(labelled(team('A1')), policy)).to.equal('open');
  });

  it('follows a deployment\'s own mapping', () => {
    const strict = parseLabellingPolicy({
      format: 'envelope-labelling-policy/1',
      sealed: { confidentiality: ['N', 'R'], sensitivity: ['HIV'] },
      locked: { confidentiality: ['V'], sensitivity: ['SDV'] },
    });
    expect(sealLevel(labelled(conf('N')), strict)).to.equal('sealed');
    expect(sealLevel(labelled(conf('M'), sens('PSY')), strict)).to.equal('open');
    expect(sealLevel(labelled(sens('HIV')), strict)).to.equal('sealed');
    expect(sealLevel(labelled(conf('N'), sens('SDV')), strict)).to.equal('locked');
    const lax = parseLabellingPolicy({ format: 'envelope-labelling-policy/1', sealed: { confidentiality: ['V'], sensitivity: [] }, locked: { confidentiality: [] } });
    expect(sealLevel(labelled(conf('R'), sens('HIV')), lax)).to.equal('open');
    expect(sealLevel(labelled(conf('V')), lax)).to.equal('sealed');
  });
});

describe('policy/labels viewOf', () => {
  it('open data is full for everyone', () => {
    for (const v of [nobody, hivCleared, teamA, noOrganisation]) expect(viewOf(labelled(conf('N')), v, policy)).to.equal('full');
  });

  it('sealed data is full within the clearance and masked beyond it', () => {
    const hiv = labelled(conf('R'), sens('HIV'), team('A1'));
    expect(viewOf(hiv, nobody, policy)).to.equal('masked');
    expect(viewOf(hiv, hivCleared, policy)).to.equal('full');
    expect(viewOf(hiv, allCleared, policy)).to.equal('full');
    const psy = labelled(conf('R'), sens('PSY'), team('A1'));
    expect(viewOf(psy, hivCleared, policy), 'HIV clearance does not open PSY').to.equal('masked');
    const hivAndPsy = labelled(conf('R'), sens('HIV'), sens('PSY'));
    expect(viewOf(hivAndPsy, hivCleared, policy), 'every label must be cleared').to.equal('masked');
    const restrictedOnly = labelled(conf('R'));
    expect(viewOf(restrictedOnly, { clearance: { confidentiality: 'N', sensitivity: '*' } }, policy), 'R beyond an N clearance').to.equal('masked');
    expect(viewOf(restrictedOnly, { clearance: { confidentiality: 'R', sensitivity: [] } }, policy)).to.equal('full');
  });

  it('an unknown confidentiality code is beyond every clearance; an unknown sensitivity code needs none', () => {
    expect(viewOf(labelled(conf('R'), conf('Q')), allCleared, policy)).to.equal('masked');
    expect(viewOf(labelled(conf('R'), sens('NOTACODE')), { clearance: { confidentiality: 'R', sensitivity: [] } }, policy)).to.equal('full');
  });

  it('the seal team sees its own sealed data whatever its clearance', () => {
    expect(viewOf(labelled(conf('R'), sens('HIV'), team('A1')), teamA, policy)).to.equal('full');
  });

  it('locked data is full for the team and hidden from everyone else, however cleared', () => {
    const locked = labelled(conf('V'), team('A1'));
    expect(viewOf(locked, teamA, policy)).to.equal('full');
    expect(viewOf(locked, allCleared, policy)).to.equal('hidden');
    expect(viewOf(locked, nobody, policy)).to.equal('hidden');
    expect(viewOf(locked, noOrganisation, policy)).to.equal('hidden');
  });

  it('locked data without a team is hidden from everyone, including principals without an organisation', () => {
    const orphan = labelled(conf('V'));
    for (const v of [teamA, allCleared, noOrganisation, { organization: '', clearance: allCleared.clearance }]) expect(viewOf(orphan, v, policy)).to.equal('hidden');
  });
});
