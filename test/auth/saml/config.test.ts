// SAML and session settings: on only when both required variables are set, and every bad or
// half-made setup stops the server with a message naming the variable.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKeyPair } from '../../../scripts/saml-idp/keys.js';
import { samlConfigFromEnv, SMARTCARD_CONTEXTS } from '../../../src/auth/saml/config.js';
import { sessionConfigFromEnv } from '../../../src/auth/session/config.js';
import { composeEnvelope } from '../../../src/compose.js';
import { configFromEnv } from '../../../src/config.js';

describe('auth/saml/config', function () {
  this.timeout(30_000);
  let dir: string;
  let cert: string;
  let key: string;
  const server = { port: 8080, production: false };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-saml-config-'));
    const pair = ensureKeyPair(dir, 'idp', 'config test');
    cert = pair.certFile;
    key = pair.keyFile;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const base = () => ({ SAML_IDP_SSO_URL: 'https://idp.example/sso', SAML_IDP_CERT_FILE: cert });

  it('is off without configuration', () => {
    assert.equal(samlConfigFromEnv({}, server), undefined);
    assert.equal(samlConfigFromEnv({ SAML_IDP_SSO_URL: ' ' }, server), undefined);
  });

  it('defaults: smartcard classes, 60 s skew, 5 min assertion age, CIS2-like attribute names, localhost-derived URLs', () => {
    const c = samlConfigFromEnv(base(), server)!;
    assert.deepEqual(c.strongAuthnContexts, [...SMARTCARD_CONTEXTS]);
    assert.equal(c.clockSkewMs, 60_000);
    assert.equal(c.maxAssertionAgeMs, 300_000);
    assert.deepEqual(c.attributes, { userId: 'uid', roleProfiles: 'nhsid_nrbac_roles', selectedRole: 'selected_roleid' });
    assert.equal(c.spEntityId, 'http://localhost:8080/auth/saml/metadata');
    assert.equal(c.acsUrl, 'http://localhost:8080/auth/saml/acs');
    assert.equal(c.idpCerts.length, 1);
    assert.match(c.roleMapFile, /policy\/saml-roles\.json$/);
    assert.equal(c.idpSloUrl, undefined);
  });

  it('takes the public base URL for its own endpoints and reads every override', () => {
    const c = samlConfigFromEnv({
      ...base(), SAML_IDP_SLO_URL: 'https://idp.example/slo', SAML_IDP_ISSUER: 'https://idp.example', SAML_SP_ENTITY_ID: 'urn:envelope',
      SAML_SP_KEY_FILE: key, SAML_SP_CERT_FILE: cert, SAML_CLOCK_SKEW_SEC: '5', SAML_MAX_ASSERTION_AGE_SEC: '120',
      SAML_STRONG_AUTHN_CONTEXTS: 'urn:example:ac:smartcard, https://example.org/ac/aal3', SAML_ATTR_USER_ID: 'sub',
      SAML_ATTR_ROLE_PROFILES: 'roles', SAML_ATTR_SELECTED_ROLE: 'role', SAML_ATTR_NAME: 'cn', SAML_ATTR_PRACTITIONER: 'pract',
      SAML_ROLE_MAP_FILE: '/etc/envelope/map.json',
    }, { ...server, publicBaseUrl: 'https://envelope.example.org' })!;
    assert.equal(c.spEntityId, 'urn:envelope');
    assert.equal(c.acsUrl, 'https://envelope.example.org/auth/saml/acs');
    assert.equal(c.origin, 'https://envelope.example.org');
    assert.equal(c.idpSloUrl, 'https://idp.example/slo');
    assert.equal(c.idpIssuer, 'https://idp.example');
    assert.ok(c.spKey?.includes('PRIVATE KEY'));
    assert.equal(c.clockSkewMs, 5000);
    assert.equal(c.maxAssertionAgeMs, 120_000);
    assert.deepEqual(c.strongAuthnContexts, ['urn:example:ac:smartcard', 'https://example.org/ac/aal3']);
    assert.deepEqual(c.attributes, { userId: 'sub', roleProfiles: 'roles', selectedRole: 'role', name: 'cn', practitioner: 'pract' });
    assert.equal(c.roleMapFile, '/etc/envelope/map.json');
  });

  it('accepts several certificates in the IdP certificate file (key rollover)', () => {
    const two = join(dir, 'two.pem');
    const pem = ensureKeyPair(dir, 'idp', 'config test').cert;
    const other = ensureKeyPair(dir, 'other', 'other').cert;
    writeFileSync(two, pem + other);
    assert.equal(samlConfigFromEnv({ ...base(), SAML_IDP_CERT_FILE: two }, server)!.idpCerts.length, 2);
  });

  const bad: [string, () => NodeJS.ProcessEnv, RegExp, object?][] = [
    ['a SAML variable without the two required ones', () => ({ SAML_IDP_SLO_URL: 'https://idp.example/slo' }), /needs both SAML_IDP_SSO_URL and SAML_IDP_CERT_FILE.*SAML_IDP_SLO_URL/],
    ['the SSO URL without the certificate', () => ({ SAML_IDP_SSO_URL: 'https://idp.example/sso' }), /SAML_IDP_CERT_FILE/],
    ['a plain http IdP that is not localhost', () => ({ ...base(), SAML_IDP_SSO_URL: 'http://idp.example/sso' }), /SAML_IDP_SSO_URL must use https/],
    ['an unparseable SLO URL', () => ({ ...base(), SAML_IDP_SLO_URL: 'not a url' }), /SAML_IDP_SLO_URL is not a valid URL/],
    ['a missing certificate file', () => ({ ...base(), SAML_IDP_CERT_FILE: join(dir, 'nope.pem') }), /SAML_IDP_CERT_FILE: cannot read/],
    ['a certificate file without a certificate', () => ({ ...base(), SAML_IDP_CERT_FILE: key }), /holds no PEM certificate/],
    ['an SP key without its certificate', () => ({ ...base(), SAML_SP_KEY_FILE: key }), /both SAML_SP_KEY_FILE and SAML_SP_CERT_FILE/],
    ['an SP key file that is not a key', () => ({ ...base(), SAML_SP_KEY_FILE: cert, SAML_SP_CERT_FILE: cert }), /SAML_SP_KEY_FILE: .* is not a PEM private key/],
    ['a clock skew beyond five minutes', () => ({ ...base(), SAML_CLOCK_SKEW_SEC: '301' }), /SAML_CLOCK_SKEW_SEC must be an integer from 0 to 300/],
    ['a clock skew that is not a number', () => ({ ...base(), SAML_CLOCK_SKEW_SEC: '1m' }), /SAML_CLOCK_SKEW_SEC/],
    ['an assertion age of zero (no limit)', () => ({ ...base(), SAML_MAX_ASSERTION_AGE_SEC: '0' }), /SAML_MAX_ASSERTION_AGE_SEC/],
    ['an empty list of strong contexts', () => ({ ...base(), SAML_STRONG_AUTHN_CONTEXTS: ' , ' }), /SAML_STRONG_AUTHN_CONTEXTS must list/],
    ['a strong context that is not a URI', () => ({ ...base(), SAML_STRONG_AUTHN_CONTEXTS: 'smartcard' }), /"smartcard" is not a URI/],
    ['production without PUBLIC_BASE_URL', () => base(), /PUBLIC_BASE_URL/, { production: true }],
  ];
  for (const [name, env, msg, s] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => samlConfigFromEnv(env(), { ...server, ...s }), msg));
  }

  it('session settings: defaults, bounds, and Secure cookies outside local development', () => {
    assert.deepEqual(sessionConfigFromEnv({}, { production: false }), { idleMs: 15 * 60_000, absoluteMs: 8 * 3_600_000, secureCookies: false });
    assert.equal(sessionConfigFromEnv({}, { production: true }).secureCookies, true);
    assert.equal(sessionConfigFromEnv({}, { production: false, publicBaseUrl: 'https://e.example' }).secureCookies, true);
    assert.equal(sessionConfigFromEnv({ SESSION_IDLE_MINUTES: '5', SESSION_MAX_HOURS: '2' }, { production: false }).absoluteMs, 7_200_000);
    assert.throws(() => sessionConfigFromEnv({ SESSION_IDLE_MINUTES: '0' }, { production: false }), /SESSION_IDLE_MINUTES must be an integer from 1/);
    assert.throws(() => sessionConfigFromEnv({ SESSION_MAX_HOURS: '100' }, { production: false }), /SESSION_MAX_HOURS/);
    assert.throws(() => sessionConfigFromEnv({ SESSION_IDLE_MINUTES: '120', SESSION_MAX_HOURS: '1' }, { production: false }), /must not exceed/);
  });

  it('the server refuses to start on a bad setting or a role map naming an unknown role', async () => {
    const start = (env: NodeJS.ProcessEnv) => composeEnvelope(configFromEnv({ DATA_DIR: dir, SQLITE_FILE: ':memory:', ...env }), { DATA_DIR: dir, ...env });
    await assert.rejects(start({ SESSION_IDLE_MINUTES: 'soon' }), /SESSION_IDLE_MINUTES/);
    const map = join(dir, 'bad-map.json');
    writeFileSync(map, JSON.stringify({ format: 'envelope-saml-role-map/1', rules: [{ nationalRole: 'R8000', role: 'surgeon' }] }));
    await assert.rejects(start({ ...base(), SAML_ROLE_MAP_FILE: map }), /rules\[0\]\.role: "surgeon" is not a role of the role policy/);
  });
});
