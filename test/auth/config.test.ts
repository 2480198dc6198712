import assert from 'node:assert/strict';
import { DEFAULT_CLAIM_NAMES, authConfigFromEnv, usesDevIssuer } from '../../src/auth/config.js';

describe('auth/config', () => {
  it('defaults: dev issuer, audience envelope, standard claim names, 30 s tolerance', () => {
    const c = authConfigFromEnv({});
    assert.equal(usesDevIssuer(c), true);
    assert.equal(c.audience, 'envelope');
    assert.deepEqual(c.claimNames, DEFAULT_CLAIM_NAMES);
    assert.equal(c.clockToleranceSec, 30);
    assert.equal(c.issuer, undefined);
  });

  it('reads an external IdP setup and claim overrides', () => {
    const c = authConfigFromEnv({
      AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'api://envelope',
      AUTH_CLAIM_ROLE: 'selected_role', AUTH_CLAIM_ORGANIZATION: 'org_code', AUTH_CLAIM_FHIR_USER: 'fhir_user',
      AUTH_CLAIM_SCOPE: 'scp', AUTH_CLAIM_PURPOSE_OF_USE: 'extensions.ihe_iua.purpose_of_use', AUTH_CLAIM_SUB: 'oid',
      AUTH_CLOCK_TOLERANCE_SEC: '5',
    });
    assert.equal(usesDevIssuer(c), false);
    assert.equal(c.jwksUrl, 'https://idp.example/.well-known/jwks.json');
    assert.equal(c.issuer, 'https://idp.example');
    assert.equal(c.audience, 'api://envelope');
    assert.deepEqual(c.claimNames, {
      sub: 'oid', scope: 'scp', fhirUser: 'fhir_user', organization: 'org_code', role: 'selected_role',
      purposeOfUse: 'extensions.ihe_iua.purpose_of_use',
    });
    assert.equal(c.clockToleranceSec, 5);
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['both key sources', { AUTH_JWKS_FILE: 'a.json', AUTH_JWKS_URL: 'https://x/j', AUTH_ISSUER: 'i' }, /only one of/],
    ['JWKS without issuer', { AUTH_JWKS_FILE: 'a.json' }, /AUTH_ISSUER is required/],
    ['issuer without JWKS (would silently fall back to the dev issuer)', { AUTH_ISSUER: 'https://idp' }, /neither/],
    ['plain http JWKS URL', { AUTH_JWKS_URL: 'http://idp.example/jwks', AUTH_ISSUER: 'i' }, /must use https/],
    ['unparseable JWKS URL', { AUTH_JWKS_URL: 'not a url', AUTH_ISSUER: 'i' }, /not a valid URL/],
    ['tolerance not a number', { AUTH_CLOCK_TOLERANCE_SEC: '1m' }, /AUTH_CLOCK_TOLERANCE_SEC/],
    ['tolerance too large', { AUTH_CLOCK_TOLERANCE_SEC: '301' }, /AUTH_CLOCK_TOLERANCE_SEC/],
  ];
  for (const [name, env, msg] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => authConfigFromEnv(env), msg));
  }

  it('allows plain http only for a loopback JWKS URL', () => {
    assert.equal(authConfigFromEnv({ AUTH_JWKS_URL: 'http://localhost:8080/jwks', AUTH_ISSUER: 'i' }).jwksUrl, 'http://localhost:8080/jwks');
  });

  it('treats blank variables as unset', () => {
    assert.equal(usesDevIssuer(authConfigFromEnv({ AUTH_JWKS_FILE: ' ', AUTH_ISSUER: '' })), true);
  });
});
