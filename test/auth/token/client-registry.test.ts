// The registered-clients file: strict parsing, every fault named by its JSON path, and the shipped
// example valid against the shipped role policy.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { parseClientRegistry, type RoleScopes } from '../../../src/auth/clients/client-registry.js';
import { ClientRegistryError } from '../../../src/auth/clients/registry-error.js';
import { formatScope } from '../../../src/auth/scopes.js';
import { scopesForRole } from '../../../src/policy/role-scopes.js';
import { parseRolePolicy } from '../../../src/policy/roles.js';
import { clientKey, type ClientKey } from './support.js';

const policy = parseRolePolicy(JSON.parse(readFileSync(fileURLToPath(new URL('../../../../policy/roles.json', import.meta.url)), 'utf8')));
const roleScopes: RoleScopes = (role) => scopesForRole(policy, role, 'system');

function rejects(doc: unknown, path: string, message: RegExp): void {
  assert.throws(() => parseClientRegistry(doc, roleScopes), (e: unknown) => {
    assert.ok(e instanceof ClientRegistryError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('auth/clients: registered clients file', () => {
  let key: ClientKey;
  let good: Record<string, unknown>;
  const doc = (...clients: unknown[]) => ({ format: 'envelope-clients/1', clients });
  const withClient = (change: Record<string, unknown>) => doc({ ...good, ...change });
  const withKey = (k: unknown) => withClient({ jwks: { keys: [k] } });

  before(async () => {
    key = await clientKey('ES384');
    good = { client_id: 'pas-1', jwks: { keys: [key.publicJwk] }, scope: 'system/Slot.cruds system/Schedule.rs', organization: 'RXX', role: 'pas-system' };
  });

  it('parses a client: keys, scopes, role grants, organisation; end-user context when given', () => {
    const reg = parseClientRegistry(doc(good, { ...good, client_id: 'gp-1', role: 'gp-system', scope: 'system/Patient.read', endUserContext: { roles: ['gp-admin'] } }), roleScopes);
    assert.equal(reg.size, 2);
    const pas = reg.get('pas-1')!;
    assert.deepEqual(pas.scopes.map(formatScope), ['system/Slot.cruds', 'system/Schedule.rs']);
    assert.ok(pas.roleScopes.map(formatScope).includes('system/Appointment.crus'));
    assert.equal(pas.organization, 'RXX');
    assert.equal(pas.endUserContext, undefined);
    assert.deepEqual(reg.get('gp-1')!.endUserContext, { roles: ['gp-admin'] });
    assert.deepEqual(reg.get('gp-1')!.scopes.map(formatScope), ['system/Patient.rs']);
    assert.equal(reg.get('constructor'), undefined);
    assert.equal(reg.get('PAS-1'), undefined);
  });

  it('the shipped example parses against the shipped role policy', () => {
    const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../policy/clients.example.json', import.meta.url)), 'utf8'));
    const reg = parseClientRegistry(example, roleScopes);
    assert.ok(reg.size >= 1);
  });

  it('refuses private key material and symmetric keys, naming the key', async () => {
    rejects(withKey(key.privateJwk), 'clients[0].jwks.keys[0]', /private or secret key material \(d\)/);
    const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
    rejects(withKey(rsa), 'clients[0].jwks.keys[0]', /private or secret key material \(d, p, q, dp, dq, qi\)/);
    rejects(withKey({ kty: 'oct', k: 'c2VjcmV0' }), 'clients[0].jwks.keys[0]', /secret key material \(k\)/);
    rejects(withKey({ kty: 'oct', kid: 'x' }), 'clients[0].jwks.keys[0].kty', /symmetric keys are not accepted/);
    rejects(doc(good, { ...good, client_id: 'b', jwks: { keys: [key.publicJwk, key.privateJwk] } }), 'clients[1].jwks.keys[1]', /private/);
  });

  it('refuses unusable or weak keys and algorithms that do not fit', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    rejects(withKey(weak), 'clients[0].jwks.keys[0].n', /at least 2048 bits/);
    const p521 = await exportJWK((await generateKeyPair('ES512', { extractable: true })).publicKey);
    rejects(withKey(p521), 'clients[0].jwks.keys[0].crv', /P-256" or "P-384/);
    const okp = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey);
    rejects(withKey(okp), 'clients[0].jwks.keys[0].kty', /"RSA" or "EC"/);
    rejects(withKey({ ...key.publicJwk, alg: 'ES256' }), 'clients[0].jwks.keys[0].alg', /not accepted/);
    rejects(withKey({ ...key.publicJwk, alg: 'HS256' }), 'clients[0].jwks.keys[0].alg', /not accepted/);
    rejects(withKey({ ...key.publicJwk, use: 'enc' }), 'clients[0].jwks.keys[0].use', /sig/);
    rejects(withKey({ ...key.publicJwk, x: 'AAAA' }), 'clients[0].jwks.keys[0]', /not a usable public key/);
    rejects(withClient({ jwks: { keys: [] } }), 'clients[0].jwks.keys', /no keys/);
    rejects(withClient({ jwks: [key.publicJwk] }), 'clients[0].jwks', /JWKS/);
    rejects(withClient({ jwks: undefined }), 'clients[0].jwks', /JWKS/);
  });

  it('refuses jwks_uri (inline keys only in this version)', () => {
    rejects(withClient({ jwks_uri: 'https://client.example/jwks.json' }), 'clients[0].jwks_uri', /not supported/);
  });

  it('refuses unknown roles, for the client and for end-user context', () => {
    rejects(withClient({ role: 'superuser' }), 'clients[0].role', /not a role of the role policy/);
    rejects(withClient({ role: 'constructor' }), 'clients[0].role', /not a role/);
    rejects(withClient({ endUserContext: { roles: ['gp-admin', 'root'] } }), 'clients[0].endUserContext.roles[1]', /not a role/);
    rejects(withClient({ endUserContext: { roles: [] } }), 'clients[0].endUserContext.roles', /non-empty/);
    rejects(withClient({ endUserContext: { roles: ['gp-admin', 'gp-admin'] } }), 'clients[0].endUserContext.roles', /twice/);
    rejects(withClient({ endUserContext: { roles: ['gp-admin'], organisations: ['X'] } }), 'clients[0].endUserContext', /unknown key "organisations"/);
  });

  it('refuses scopes that are not system/ SMART scopes, and scopes that grant nothing the role permits', () => {
    rejects(withClient({ scope: 'user/Slot.rs' }), 'clients[0].scope', /"user\/Slot.rs" is not a system\/ SMART scope/);
    rejects(withClient({ scope: 'system/Slot.rs openid' }), 'clients[0].scope', /"openid"/);
    rejects(withClient({ scope: ['system/Slot.rs'] }), 'clients[0].scope', /space-separated string/);
    rejects(withClient({ scope: '' }), 'clients[0].scope', /space-separated string/);
    rejects(withClient({ scope: 'system/AuditEvent.rs' }), 'clients[0].scope', /grants nothing that role 'pas-system' permits/);
  });

  it('refuses bad client ids, organisations, duplicates, unknown keys and a wrong format', () => {
    rejects(withClient({ client_id: 'has space' }), 'clients[0].client_id', /letters, digits/);
    rejects(withClient({ client_id: '' }), 'clients[0].client_id', /letters, digits/);
    rejects(withClient({ organization: 'rxx' }), 'clients[0].organization', /ODS code/);
    rejects(withClient({ organization: undefined }), 'clients[0].organization', /ODS code/);
    rejects(doc(good, good), 'clients[1].client_id', /registered twice/);
    rejects(withClient({ secret: 'x' }), 'clients[0]', /unknown key "secret"/);
    rejects({ format: 'envelope-clients/2', clients: [] }, 'format', /envelope-clients\/1/);
    rejects({ format: 'envelope-clients/1', clients: {} }, 'clients', /array/);
    rejects({ format: 'envelope-clients/1', clients: [], extra: 1 }, '(root)', /unknown key "extra"/);
    rejects([], '(root)', /JSON object/);
  });

  it('accepts an empty list ($-keys ignored)', () => {
    const reg = parseClientRegistry({ $comment: 'none yet', format: 'envelope-clients/1', clients: [] }, roleScopes);
    assert.equal(reg.size, 0);
  });

  it('error messages never quote key material', () => {
    const jwk = key.privateJwk as JWK & { d: string };
    try {
      parseClientRegistry(withKey(jwk), roleScopes);
      assert.fail('expected a refusal');
    } catch (e) {
      assert.ok(!(e as Error).message.includes(jwk.d));
    }
  });
});
