// The labelling policy file: the shipped default parses to the documented mapping, and every fault
// is refused with the JSON path that names it.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  LabellingPolicyError, parseLabellingPolicy, sensitiveElementsOf, type LabellingPolicy,
} from '../../../src/policy/labels/index.js';

const root = new URL('../../../../', import.meta.url);
const shipped = () => JSON.parse(readFileSync(new URL('policy/labelling.json', root), 'utf8')) as Record<string, unknown>;
const minimal = (extra: Record<string, unknown> = {}) => ({ format: 'envelope-labelling-policy/1', ...extra });

function faultPath(json: unknown): string {
  try {
    parseLabellingPolicy(json);
  } catch (e) {
    expect(e).to.be.instanceOf(LabellingPolicyError);
    expect((e as Error).message).to.contain((e as LabellingPolicyError).path);
    return (e as LabellingPolicyError).path;
  }
  throw new Error('parsed without an error');
}

describe('policy/labels parseLabellingPolicy', () => {
  it('parses the shipped policy/labelling.json to the documented defaults', () => {
    const p: LabellingPolicy = parseLabellingPolicy(shipped());
    expect(p.sealed).to.deep.equal({ confidentiality: ['R'], sensitivity: 'any' });
    expect(p.locked).to.deep.equal({ confidentiality: ['V'], sensitivity: [] });
    expect(p.sensitivityCodes).to.include.members(['ETH', 'HIV', 'PSY', 'SDV', 'SEX', 'STD']);
    expect(sensitiveElementsOf(p, 'ServiceRequest')).to.include.members(['reasonCode', 'note', 'supportingInfo']);
    expect(sensitiveElementsOf(p, 'Appointment')).to.include.members(['reasonCode', 'comment']);
    expect(sensitiveElementsOf(p, 'Patient')).to.have.members(['address', 'telecom', 'contact', 'photo']);
    expect(p.codeRules.map((r) => r.label)).to.include.members(['HIV', 'PSY']);
    expect(p.codeRules.find((r) => r.label === 'HIV')!.codes).to.include('86406008');
  });

  it('fills in the issue\'s mapping when a file gives only the format', () => {
    const p = parseLabellingPolicy(minimal());
    expect(p.sealed).to.deep.equal({ confidentiality: ['R'], sensitivity: 'any' });
    expect(p.locked).to.deep.equal({ confidentiality: ['V'], sensitivity: [] });
    expect(p.sensitivityCodes).to.include('HIV');
    expect(p.codeRules).to.deep.equal([]);
    expect(sensitiveElementsOf(p, 'ServiceRequest')).to.equal(undefined);
  });

  it('ignores $-keys and never reads a type list off Object.prototype', () => {
    const p = parseLabellingPolicy(minimal({ $comment: 'x', sensitiveElements: { $comment: 'y', Appointment: ['comment'] } }));
    expect(sensitiveElementsOf(p, 'Appointment')).to.deep.equal(['comment']);
    expect(sensitiveElementsOf(p, 'constructor')).to.equal(undefined);
    expect(sensitiveElementsOf(p, '__proto__')).to.equal(undefined);
  });

  it('refuses each fault naming its JSON path', () => {
    const rule = { label: 'HIV', system: 'http://snomed.info/sct', codes: ['86406008'], paths: ['ServiceRequest.reasonCode'] };
    const cases: [unknown, string][] = [
      [[], '(root)'],
      [{ format: 'envelope-labelling-policy/2' }, 'format'],
      [minimal({ seal: {} }), '(root)'],
      [minimal({ sealed: { confidentiality: ['R', 'X'] } }), 'sealed.confidentiality[1]'],
      [minimal({ sealed: { sensitivity: ['HIV', 'NOPE'] } }), 'sealed.sensitivity[1]'],
      [minimal({ sealed: { confidentiality: ['R', 'R'] } }), 'sealed.confidentiality[1]'],
      [minimal({ locked: { sensitivity: 'any' } }), 'locked.sensitivity'],
      [minimal({ locked: { confidentiality: ['R'] } }), 'locked.confidentiality'],
      [minimal({ sealed: { confidentiality: ['M'] }, locked: { confidentiality: [] } }), 'sealed.confidentiality'],
      [minimal({ sensitivityCodes: ['HIV', 'hiv'] }), 'sensitivityCodes[1]'],
      [minimal({ sensitivityCodes: ['PSY'], sealed: { sensitivity: ['HIV'] } }), 'sealed.sensitivity[0]'],
      [minimal({ sensitiveElements: { Observation: ['value[x]'] } }), 'sensitiveElements.Observation'],
      [minimal({ sensitiveElements: { Appointment: ['comment', 'meta'] } }), 'sensitiveElements.Appointment[1]'],
      [minimal({ sensitiveElements: { Appointment: ['reason.code'] } }), 'sensitiveElements.Appointment[0]'],
      [minimal({ codeRules: {} }), 'codeRules'],
      [minimal({ codeRules: [rule, { ...rule, label: 'XYZ' }] }), 'codeRules[1].label'],
      [minimal({ codeRules: [{ ...rule, codes: [] }] }), 'codeRules[0].codes'],
      [minimal({ codeRules: [{ ...rule, system: 'snomed' }] }), 'codeRules[0].system'],
      [minimal({ codeRules: [{ ...rule, paths: ['ServiceRequest.reasonCode', 'Condition.code'] }] }), 'codeRules[0].paths[1]'],
      [minimal({ codeRules: [{ ...rule, paths: ['ServiceRequest'] }] }), 'codeRules[0].paths[0]'],
      [minimal({ codeRules: [{ ...rule, confidentiality: 'high' }] }), 'codeRules[0].confidentiality'],
      [minimal({ codeRules: [{ ...rule, when: 'always' }] }), 'codeRules[0]'],
    ];
    for (const [json, path] of cases) expect(faultPath(json), JSON.stringify(json)).to.equal(path);
  });

  it('accepts a deployment that changes the mapping', () => {
    const p = parseLabellingPolicy(minimal({
      sealed: { confidentiality: ['M', 'N'], sensitivity: ['HIV'] },
      locked: { confidentiality: ['R', 'V'], sensitivity: ['SDV'] },
    }));
    expect(p.sealed).to.deep.equal({ confidentiality: ['M', 'N'], sensitivity: ['HIV'] });
    expect(p.locked).to.deep.equal({ confidentiality: ['R', 'V'], sensitivity: ['SDV'] });
  });
});
