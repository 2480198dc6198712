// The deployment's consent settings file: the default file, and every fault named by its JSON path.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConsentPolicyError, parseConsentPolicy } from '../../../src/policy/consent/index.js';

const minimal = (over: Record<string, unknown> = {}) => ({
  format: 'envelope-consent-policy/1', base: 'permit', defaultPurpose: 'TREAT', denialPurposes: ['*'], ...over,
});

describe('policy/consent parseConsentPolicy', () => {
  it('parses the default file: opt-out model, and the national data opt-out never denies direct or emergency care', () => {
    const p = parseConsentPolicy(JSON.parse(readFileSync('policy/consent.json', 'utf8')));
    expect(p.base).to.equal('permit');
    expect(p.defaultPurpose).to.equal('TREAT');
    expect(p.denialPurposes).to.deep.equal(['*']);
    const ndoo = p.policies['https://digital.nhs.uk/services/national-data-opt-out'];
    expect(ndoo?.denialPurposes).to.include('HRESCH');
    for (const direct of ['TREAT', 'ETREAT', 'BTG', 'POPHLTH', '*']) expect(ndoo?.denialPurposes).not.to.include(direct);
  });

  it('parses a complete document, ignoring $-keys', () => {
    const p = parseConsentPolicy(minimal({
      $comment: 'x', base: 'deny', denialPurposes: ['HRESCH', 'HMARKT'],
      policies: { $comment: 'y', 'urn:a': { denialPurposes: ['HRESCH'], note: 'n', $c: 1 }, 'http://s|OPTOUT': { denialPurposes: ['*'] } },
    }));
    expect(p).to.deep.include({ base: 'deny', defaultPurpose: 'TREAT', denialPurposes: ['HRESCH', 'HMARKT'] });
    expect({ ...p.policies }).to.deep.equal({ 'urn:a': { denialPurposes: ['HRESCH'] }, 'http://s|OPTOUT': { denialPurposes: ['*'] } });
    expect(parseConsentPolicy(minimal()).policies).to.deep.equal({});
  });

  it('does not resolve inherited properties as policies', () => {
    const p = parseConsentPolicy(minimal({ policies: { 'urn:a': { denialPurposes: ['HRESCH'] } } }));
    expect(p.policies['constructor']).to.equal(undefined);
    expect(p.policies['__proto__']).to.equal(undefined);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['not an object', [], '(root)', /JSON object/],
    ['unknown key', minimal({ bases: 'permit' }), '(root)', /unknown key "bases"/],
    ['wrong format', minimal({ format: 'envelope-consent-policy/2' }), 'format', /envelope-consent-policy\/1/],
    ['missing format', { base: 'permit', defaultPurpose: 'TREAT', denialPurposes: ['*'] }, 'format', /envelope-consent-policy\/1/],
    ['bad base', minimal({ base: 'allow' }), 'base', /"permit".*"deny"/],
    ['missing default purpose', minimal({ defaultPurpose: undefined }), 'defaultPurpose', /v3-ActReason/],
    ['lower-case default purpose', minimal({ defaultPurpose: 'treat' }), 'defaultPurpose', /v3-ActReason/],
    ['denialPurposes missing', minimal({ denialPurposes: undefined }), 'denialPurposes', /non-empty array/],
    ['denialPurposes empty', minimal({ denialPurposes: [] }), 'denialPurposes', /non-empty array/],
    ['denialPurposes a string', minimal({ denialPurposes: '*' }), 'denialPurposes', /non-empty array/],
    ['a bad purpose', minimal({ denialPurposes: ['HRESCH', 'research'] }), 'denialPurposes[1]', /v3-ActReason/],
    ['* with others', minimal({ denialPurposes: ['*', 'HRESCH'] }), 'denialPurposes', /alone/],
    ['policies not an object', minimal({ policies: [] }), 'policies', /object keyed/],
    ['policy entry not an object', minimal({ policies: { 'urn:a': ['HRESCH'] } }), 'policies.urn:a', /denialPurposes/],
    ['policy key with a space', minimal({ policies: { 'urn:a b': { denialPurposes: ['HRESCH'] } } }), 'policies.urn:a b', /without spaces/],
    ['unknown key in a policy', minimal({ policies: { 'urn:a': { denialPurpose: ['HRESCH'] } } }), 'policies.urn:a', /unknown key "denialPurpose"/],
    ['policy without purposes', minimal({ policies: { 'urn:a': {} } }), 'policies.urn:a.denialPurposes', /non-empty array/],
    ['bad purpose in a policy', minimal({ policies: { 'urn:a': { denialPurposes: [7] } } }), 'policies.urn:a.denialPurposes[0]', /v3-ActReason/],
    ['note not a string', minimal({ policies: { 'urn:a': { denialPurposes: ['HRESCH'], note: 1 } } }), 'policies.urn:a.note', /string/],
  ];
  for (const [what, doc, path, message] of bad) {
    it(`rejects ${what} at ${path}`, () => {
      let caught: unknown;
      try { parseConsentPolicy(doc); } catch (e) { caught = e; }
      expect(caught).to.be.instanceOf(ConsentPolicyError);
      expect((caught as ConsentPolicyError).path).to.equal(path);
      expect((caught as ConsentPolicyError).message).to.match(message);
    });
  }
});
