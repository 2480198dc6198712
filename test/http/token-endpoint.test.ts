// POST /auth/token (client credentials with private_key_jwt), its discovery documents, and the use of
// the tokens it issues on /fhir, over HTTP on a real composed Envelope. Every refusal is tried.
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { JWK } from 'jose';
import request from 'supertest';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import {
  ASSERTION_TYPE, clientKey, makeAssertion, rawJws, tokenForm, writeClientsFile,
  type ClientEntry, type ClientKey,
} from '../auth/token/support.js';

const BASE = 'https://envelope.test';
const AUD = `${BASE}/auth/token`;
const FORM = 'application/x-www-form-urlencoded';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const now = () => Math.floor(Date.now() / 1000);

interface Keys { pas: ClientKey; gp: ClientKey; narrow: ClientKey; clerk: ClientKey; other: ClientKey }

function clients(k: Keys): ClientEntry[] {
  return [
    {
      client_id: 'pas-1', key: k.pas, organization: 'RXX', role: 'pas-system',
      scope: 'system/Schedule.cruds system/Slot.cruds system/Appointment.crus system/Patient.rs',
    },
    {
      client_id: 'gp-1', key: k.gp, organization: 'A81001', role: 'gp-system',
      scope: 'system/Patient.crus system/Slot.rs system/Appointment.crus',
      endUserContext: { roles: ['gp-clinician', 'gp-admin'] },
    },
    { client_id: 'narrow-1', key: k.narrow, organization: 'RXX', role: 'pas-system', scope: 'system/Slot.rs' },
    // Registered for more than its role grants (booking-clerk may only read and search Slots).
    { client_id: 'clerk-1', key: k.clerk, organization: 'RXX', role: 'booking-clerk', scope: 'system/Slot.cruds system/Appointment.cruds' },
  ];
}

/** Posts a token request and checks the response is OAuth JSON, never OperationOutcome, never echoing the assertion. */
async function postToken(env: TestEnvelope, body: string, assertion?: string) {
  const res = await request(env.app).post('/auth/token').set('Content-Type', FORM).send(body);
  expect(res.headers['content-type']).to.match(/^application\/json/);
  expect(res.headers['cache-control']).to.equal('no-store');
  if (res.status !== 200) {
    expect(res.body).to.have.keys('error', 'error_description');
    if (assertion) {
      expect(res.text).to.not.include(assertion);
      // Not even one of its parts (header, claims or signature).
      for (const part of assertion.split('.').filter((p) => p.length > 8)) expect(res.text).to.not.include(part);
    }
  }
  return res;
}

function expectError(res: request.Response, status: number, error: string, description?: RegExp): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error).to.equal(error);
  if (description) expect(res.body.error_description).to.match(description);
  expect(res.body.access_token).to.equal(undefined);
}

describe('http: POST /auth/token (client credentials, private_key_jwt)', function () {
  this.timeout(60_000);
  let keys: Keys;
  let file: string;
  let env: TestEnvelope;

  before(async () => {
    keys = {
      pas: await clientKey('ES384'), gp: await clientKey('RS384'), narrow: await clientKey('ES256'),
      clerk: await clientKey('RS256'), other: await clientKey('ES384'),
    };
    file = writeClientsFile(clients(keys));
    env = await startEnvelope({ AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE });
  });
  after(async () => {
    await env.stop();
    rmSync(join(file, '..'), { recursive: true, force: true });
  });

  /** An Organization with this ODS code and a Location of it, made by the estate administrator; answers the Location id. */
  async function locationOf(ods: string): Promise<string> {
    const admin = await env.auth('estate-admin');
    const org = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .send({ resourceType: 'Organization', name: `Org ${ods}`, identifier: [{ system: ODS, value: ods }] }).expect(201);
    const loc = await request(env.app).post('/fhir/Location').set('Authorization', admin)
      .send({ resourceType: 'Location', name: `Site of ${ods}`, managingOrganization: { reference: `Organization/${org.body.id}` } }).expect(201);
    return loc.body.id as string;
  }

  const tokenFor = async (id: string, key: ClientKey, extra: Record<string, string> = {}) => {
    const a = await makeAssertion(id, key, { aud: AUD });
    return postToken(env, tokenForm(a, extra), a);
  };

  describe('issuing', () => {
    it('issues a short-lived Bearer token signed by Envelope, for the client, its role and organisation', async () => {
      const res = await tokenFor('pas-1', keys.pas);
      expect(res.status, res.text).to.equal(200);
      expect(res.headers['pragma']).to.equal('no-cache');
      expect(res.body).to.have.keys('access_token', 'token_type', 'expires_in', 'scope');
      expect(res.body.token_type).to.equal('Bearer');
      expect(res.body.expires_in).to.equal(300);
      expect(res.body.scope).to.equal('system/Appointment.crus system/Patient.rs system/Schedule.cruds system/Slot.cruds');
      const claims = decodeJwt(res.body.access_token);
      expect(claims).to.include({ iss: BASE, aud: 'envelope', sub: 'pas-1', client_id: 'pas-1', role: 'pas-system', organization: 'RXX', scope: res.body.scope });
      expect(claims.exp! - claims.iat!).to.equal(300);
      expect(claims.jti).to.be.a('string');
      const header = decodeProtectedHeader(res.body.access_token);
      expect(header.alg).to.equal('ES384');
      expect(header.typ).to.equal('at+jwt');
      expect(header.kid).to.be.a('string');
    });

    it('the token works on /fhir with the role\'s grants in the client\'s organisation, and no further', async () => {
      const { body } = await tokenFor('pas-1', keys.pas);
      const bearer = `Bearer ${body.access_token}`;
      const slots = await request(env.app).get('/fhir/Slot').set('Authorization', bearer).expect(200);
      expect(slots.body.resourceType).to.equal('Bundle');
      // pas-system publishes schedules for its own organisation (the token's organization claim)…
      const ours = await locationOf('RXX');
      const schedule = await request(env.app).post('/fhir/Schedule').set('Authorization', bearer)
        .send({ resourceType: 'Schedule', active: true, actor: [{ reference: `Location/${ours}` }] });
      expect(schedule.status, schedule.text).to.equal(201);
      // …not for another's.
      const theirs = await locationOf('RYY');
      await request(env.app).post('/fhir/Schedule').set('Authorization', bearer)
        .send({ resourceType: 'Schedule', active: true, actor: [{ reference: `Location/${theirs}` }] }).expect(403);
      // pas-system is granted nothing on AuditEvent, whatever the token says.
      const audit = await request(env.app).get('/fhir/AuditEvent').set('Authorization', bearer).expect(403);
      expect(audit.body.resourceType).to.equal('OperationOutcome');
    });

    it('grants a requested subset exactly, and the token is limited to it', async () => {
      const res = await tokenFor('pas-1', keys.pas, { scope: 'system/Slot.rs system/Schedule.read' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('system/Schedule.rs system/Slot.rs');
      const bearer = `Bearer ${res.body.access_token}`;
      await request(env.app).get('/fhir/Slot').set('Authorization', bearer).expect(200);
      // The role may search patients, the token may not.
      const denied = await request(env.app).get('/fhir/Patient').set('Authorization', bearer).expect(403);
      expect(denied.body.issue[0].diagnostics).to.match(/scope/i);
      const full = `Bearer ${(await tokenFor('pas-1', keys.pas)).body.access_token}`;
      await request(env.app).get('/fhir/Patient').set('Authorization', full).expect(200);
    });

    it('without a scope parameter, grants the registered scopes cut to what the role grants', async () => {
      const res = await tokenFor('clerk-1', keys.clerk);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('system/Appointment.crus system/Slot.rs');
      expect(decodeProtectedHeader(res.body.access_token).alg).to.equal('ES384'); // Envelope's key, not the client's
    });

    it('accepts each allowed assertion algorithm (ES384, RS384, ES256, RS256) and a matching client_id parameter', async () => {
      for (const [id, key] of [['pas-1', keys.pas], ['gp-1', keys.gp], ['narrow-1', keys.narrow], ['clerk-1', keys.clerk]] as const) {
        const res = await tokenFor(id, key, { client_id: id });
        expect(res.status, `${id} ${key.alg}: ${res.text}`).to.equal(200);
      }
    });
  });

  describe('refusing the client', () => {
    it('refuses an assertion signed by another key (bad signature), even with the registered kid', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD, signWith: keys.other.privateKey });
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /signature/);
    });

    it('refuses a tampered assertion', async () => {
      const a = await makeAssertion('narrow-1', keys.narrow, { aud: AUD });
      const [h, p, s] = a.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'narrow-1', iss: 'narrow-1', scope: 'x' })).toString('base64url')}.${s}`;
      expectError(await postToken(env, tokenForm(forged), forged), 401, 'invalid_client', /signature/);
    });

    it('refuses HS256 with the public key as the shared secret', async () => {
      const pem = createPublicKey({ key: keys.gp.publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      for (const secret of [pem, JSON.stringify(keys.gp.publicJwk)]) {
        const header = { alg: 'HS256', typ: 'JWT', kid: keys.gp.kid };
        const payload = { iss: 'gp-1', sub: 'gp-1', aud: AUD, iat: now(), exp: now() + 60, jti: `hs-${Math.random()}` };
        const unsigned = rawJws(header, payload, '').slice(0, -1);
        const sig = createHmac('sha256', secret).update(unsigned).digest();
        const a = `${unsigned}.${sig.toString('base64url')}`;
        expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /algorithm/);
      }
    });

    it('refuses alg "none" and PS256', async () => {
      const payload = { iss: 'gp-1', sub: 'gp-1', aud: AUD, iat: now(), exp: now() + 60, jti: `none-${Math.random()}` };
      const none = rawJws({ alg: 'none', typ: 'JWT' }, payload, '');
      expectError(await postToken(env, tokenForm(none), none), 401, 'invalid_client', /algorithm/);
      const pss = await generateKeyPair('PS256');
      const ps = await makeAssertion('gp-1', keys.gp, { aud: AUD, alg: 'PS256', signWith: pss.privateKey });
      expectError(await postToken(env, tokenForm(ps), ps), 401, 'invalid_client', /algorithm/);
    });

    it('refuses an expired assertion', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD, iat: now() - 400, exp: now() - 100 });
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /expired/);
    });

    it('refuses an exp more than 5 minutes ahead, or a lifetime over 5 minutes', async () => {
      const far = await makeAssertion('pas-1', keys.pas, { aud: AUD, iat: null, exp: now() + 600 });
      expectError(await postToken(env, tokenForm(far), far), 401, 'invalid_client', /more than 5 minutes ahead/);
      const long = await makeAssertion('pas-1', keys.pas, { aud: AUD, iat: now() - 100, exp: now() + 250 });
      expectError(await postToken(env, tokenForm(long), long), 401, 'invalid_client', /lifetime/);
      const future = await makeAssertion('pas-1', keys.pas, { aud: AUD, iat: now() + 200, exp: now() + 250 });
      expectError(await postToken(env, tokenForm(future), future), 401, 'invalid_client', /iat is in the future/);
      // Exactly five minutes is allowed.
      const edge = await makeAssertion('pas-1', keys.pas, { aud: AUD, exp: now() + 300 });
      expect((await postToken(env, tokenForm(edge), edge)).status).to.equal(200);
    });

    it('refuses an assertion without exp or jti', async () => {
      const noExp = await makeAssertion('pas-1', keys.pas, { aud: AUD, exp: null });
      expectError(await postToken(env, tokenForm(noExp), noExp), 401, 'invalid_client', /no exp claim/);
      const noJti = await makeAssertion('pas-1', keys.pas, { aud: AUD, jti: null });
      expectError(await postToken(env, tokenForm(noJti), noJti), 401, 'invalid_client', /no jti claim/);
    });

    it('refuses a replayed jti, even in a new assertion from the same client', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD, jti: 'once-only-1' });
      expect((await postToken(env, tokenForm(a), a)).status).to.equal(200);
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /already used/);
      const again = await makeAssertion('pas-1', keys.pas, { aud: AUD, jti: 'once-only-1', exp: now() + 120 });
      expectError(await postToken(env, tokenForm(again), again), 401, 'invalid_client', /already used/);
      // jtis are per client: another client may use the same value.
      const other = await makeAssertion('narrow-1', keys.narrow, { aud: AUD, jti: 'once-only-1' });
      expect((await postToken(env, tokenForm(other), other)).status).to.equal(200);
    });

    it('does not spend the jti of an assertion that fails verification', async () => {
      const bad = await makeAssertion('pas-1', keys.pas, { aud: AUD, jti: 'spent-by-attacker?', signWith: keys.other.privateKey });
      expectError(await postToken(env, tokenForm(bad), bad), 401, 'invalid_client');
      const good = await makeAssertion('pas-1', keys.pas, { aud: AUD, jti: 'spent-by-attacker?' });
      expect((await postToken(env, tokenForm(good), good)).status).to.equal(200);
    });

    it('refuses a wrong aud: the FHIR base, another host, a trailing slash', async () => {
      for (const aud of [`${BASE}/fhir`, 'https://other.example/auth/token', `${AUD}/`, 'envelope']) {
        const a = await makeAssertion('pas-1', keys.pas, { aud });
        expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /aud must be the token endpoint URL https:\/\/envelope\.test\/auth\/token/);
      }
    });

    it('refuses iss different from sub, and a missing sub', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD, sub: 'narrow-1' });
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /iss and sub/);
      const b = await makeAssertion('pas-1', keys.pas, { aud: AUD, sub: null });
      expectError(await postToken(env, tokenForm(b), b), 401, 'invalid_client', /no sub claim/);
    });

    it('refuses an unknown client, a missing iss, and a client_id parameter that differs from iss', async () => {
      const unknown = await makeAssertion('nobody', keys.other, { aud: AUD });
      expectError(await postToken(env, tokenForm(unknown), unknown), 401, 'invalid_client', /Unknown client/);
      const noIss = await makeAssertion('pas-1', keys.pas, { aud: AUD, iss: null });
      expectError(await postToken(env, tokenForm(noIss), noIss), 401, 'invalid_client', /no iss/);
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      expectError(await postToken(env, tokenForm(a, { client_id: 'narrow-1' }), a), 401, 'invalid_client', /client_id/);
    });

    it('refuses a client signing with another registered client\'s key', async () => {
      const a = await makeAssertion('pas-1', keys.narrow, { aud: AUD });
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client');
    });

    it('refuses garbage in place of an assertion', async () => {
      for (const a of ['not-a-jwt', 'a.b', `${'x'.repeat(9000)}.y.z`, 'e30.e30.']) {
        expectError(await postToken(env, tokenForm(a)), 401, 'invalid_client');
      }
    });
  });

  describe('refusing the scope', () => {
    it('refuses a scope beyond what the client is registered for (invalid_scope, not trimmed)', async () => {
      const res = await tokenFor('narrow-1', keys.narrow, { scope: 'system/Slot.rs system/Slot.c' });
      expectError(res, 400, 'invalid_scope', /beyond the scopes registered/);
      const res2 = await tokenFor('narrow-1', keys.narrow, { scope: 'system/Schedule.r' });
      expectError(res2, 400, 'invalid_scope', /registered/);
    });

    it('refuses a scope the client is registered for but its role does not grant', async () => {
      const res = await tokenFor('clerk-1', keys.clerk, { scope: 'system/Slot.c' });
      expectError(res, 400, 'invalid_scope', /beyond what role 'booking-clerk' grants/);
    });

    it('refuses wildcards, user/ and patient/ scopes, and scopes this server does not grant', async () => {
      for (const scope of ['system/*.rs', 'user/Slot.rs', 'patient/Slot.rs', 'openid', 'system/Slot.rs?status=free', 'system/Slot.sr']) {
        expectError(await tokenFor('pas-1', keys.pas, { scope }), 400, 'invalid_scope');
      }
    });

    it('spends the jti of a good assertion even when its scope is refused', async () => {
      // The assertion was good, so its jti is spent: the client must sign a new one (no replay window).
      const a = await makeAssertion('narrow-1', keys.narrow, { aud: AUD });
      expectError(await postToken(env, tokenForm(a, { scope: 'system/Slot.c' }), a), 400, 'invalid_scope');
      expectError(await postToken(env, tokenForm(a, { scope: 'system/Slot.r' }), a), 401, 'invalid_client', /already used/);
    });
  });

  describe('refusing the request', () => {
    it('refuses a wrong or missing grant_type', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      expectError(await postToken(env, tokenForm(a, { grant_type: 'password' }), a), 400, 'unsupported_grant_type');
      expectError(await postToken(env, tokenForm(a, { grant_type: 'authorization_code' }), a), 400, 'unsupported_grant_type');
      const noGrant = new URLSearchParams({ client_assertion_type: ASSERTION_TYPE, client_assertion: a }).toString();
      expectError(await postToken(env, noGrant, a), 400, 'invalid_request', /grant_type/);
    });

    it('refuses a wrong or missing client assertion type, a missing assertion, and client secrets', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      expectError(await postToken(env, tokenForm(a, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), a), 401, 'invalid_client', /client_assertion_type/);
      const noType = new URLSearchParams({ grant_type: 'client_credentials', client_assertion: a }).toString();
      expectError(await postToken(env, noType, a), 401, 'invalid_client', /Client authentication is required/);
      const noAssertion = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE }).toString();
      expectError(await postToken(env, noAssertion), 401, 'invalid_client');
      expectError(await postToken(env, tokenForm(a, { client_secret: 's3cret' }), a), 401, 'invalid_client', /secret/);
      // None of these spent the jti: the assertion still works.
      expect((await postToken(env, tokenForm(a), a)).status).to.equal(200);
    });

    it('refuses repeated parameters', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      const body = `${tokenForm(a)}&scope=system%2FSlot.rs&scope=system%2FSlot.cruds`;
      expectError(await postToken(env, body, a), 400, 'invalid_request', /scope parameter is repeated/);
    });

    it('refuses a body that is not a form, and HTTP Basic client authentication', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      const json = await request(env.app).post('/auth/token').set('Content-Type', 'application/json')
        .send(JSON.stringify({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: a }));
      expectError(json, 400, 'invalid_request', /x-www-form-urlencoded/);
      const basic = await request(env.app).post('/auth/token').set('Content-Type', FORM)
        .set('Authorization', `Basic ${Buffer.from('pas-1:x').toString('base64')}`).send(tokenForm(a));
      expectError(basic, 400, 'invalid_request', /Authorization header/);
      const empty = await request(env.app).post('/auth/token').set('Content-Type', FORM).send('');
      expectError(empty, 400, 'invalid_request');
    });

    it('refuses an oversize body with 413 in OAuth form', async () => {
      const a = await makeAssertion('pas-1', keys.pas, { aud: AUD });
      const res = await postToken(env, tokenForm(a, { padding: 'x'.repeat(20 * 1024) }), a);
      expectError(res, 413, 'invalid_request', /larger than 16 KiB/);
    });

    it('answers 405 for methods other than POST', async () => {
      const res = await request(env.app).get('/auth/token');
      expect(res.status).to.equal(405);
      expect(res.headers['allow']).to.equal('POST');
      expect(res.body.error).to.equal('invalid_request');
    });
  });

  describe('the tokens it issues', () => {
    it('are refused when signed by Envelope\'s key but naming another issuer', async () => {
      const jwk = JSON.parse(readFileSync(join(env.dataDir, 'token-issuer', 'signing-key.jwk.json'), 'utf8')) as JWK;
      const key = await importJWK(jwk, 'ES384');
      for (const iss of ['https://attacker.example', 'urn:envelope:dev-issuer', `${BASE}/`]) {
        const forged = await new SignJWT({ client_id: 'pas-1', role: 'pas-system', scope: 'system/Slot.rs' })
          .setProtectedHeader({ alg: 'ES384', kid: jwk.kid! }).setIssuer(iss).setSubject('pas-1').setAudience('envelope')
          .setIssuedAt().setExpirationTime('2m').sign(key);
        const res = await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${forged}`);
        expect(res.status, iss).to.equal(401);
        expect(res.body.resourceType).to.equal('OperationOutcome');
      }
    });

    it('are refused when naming Envelope as issuer but signed with another key (the dev issuer\'s, or any)', async () => {
      const claims = { client_id: 'pas-1', sub: 'pas-1', role: 'pas-system', scope: 'system/Slot.rs', iss: BASE };
      // The dev issuer always sets its own iss, so sign with its key directly.
      const devJwk = JSON.parse(readFileSync(join(env.dataDir, 'dev-issuer', 'signing-key.jwk.json'), 'utf8')) as JWK;
      const devKey = await importJWK(devJwk, 'ES256');
      const { privateKey } = await generateKeyPair('ES384');
      for (const [alg, key, kid] of [['ES256', devKey, devJwk.kid!], ['ES384', privateKey, 'whatever']] as const) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg, kid }).setAudience('envelope').setIssuedAt().setExpirationTime('2m').sign(key);
        await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${forged}`).expect(401);
      }
    });

    it('need a client_id claim even when properly signed', async () => {
      const jwk = JSON.parse(readFileSync(join(env.dataDir, 'token-issuer', 'signing-key.jwk.json'), 'utf8')) as JWK;
      const key = await importJWK(jwk, 'ES384');
      const t = await new SignJWT({ role: 'pas-system', scope: 'system/Slot.rs' }).setProtectedHeader({ alg: 'ES384', kid: jwk.kid! })
        .setIssuer(BASE).setSubject('pas-1').setAudience('envelope').setIssuedAt().setExpirationTime('2m').sign(key);
      const res = await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${t}`).expect(401);
      expect(res.body.issue[0].diagnostics).to.match(/client_id/);
    });

    it('leave the dev issuer\'s tokens working', async () => {
      await request(env.app).get('/fhir/Slot').set('Authorization', await env.auth('booking-clerk')).expect(200);
    });

    it('verify against the published JWKS', async () => {
      const { body } = await tokenFor('pas-1', keys.pas);
      const jwks = await request(env.app).get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys).to.have.length(1);
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.body.keys[0]).to.not.have.property(m);
      expect(jwks.body.keys[0]).to.include({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig', kid: decodeProtectedHeader(body.access_token).kid });
      const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks.body), { issuer: BASE, audience: 'envelope' });
      expect(payload.client_id).to.equal('pas-1');
    });
  });

  describe('GET /.well-known/smart-configuration', () => {
    it('describes the token endpoint, its client authentication and the scopes', async () => {
      const res = await request(env.app).get('/.well-known/smart-configuration').expect(200);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body).to.include({ token_endpoint: AUD, jwks_uri: `${BASE}/.well-known/jwks.json` });
      expect(res.body.grant_types_supported).to.deep.equal(['client_credentials']);
      expect(res.body.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
      expect(res.body.token_endpoint_auth_signing_alg_values_supported).to.have.members(['RS384', 'ES384', 'RS256', 'ES256']);
      expect(res.body.capabilities).to.include.members(['client-confidential-asymmetric', 'permission-v2']);
      expect(res.body.scopes_supported).to.include('system/Slot.cruds');
    });
  });

  describe('NHSD-End-User-* request context headers', () => {
    let gpBearer: string;
    let patientId: string;
    let practice: string;
    before(async () => {
      const res = await tokenFor('gp-1', keys.gp);
      gpBearer = `Bearer ${res.body.access_token}`;
      const org = await request(env.app).post('/fhir/Organization').set('Authorization', await env.auth('estate-admin'))
        .send({ resourceType: 'Organization', name: 'The Practice', identifier: [{ system: ODS, value: 'A81001' }] }).expect(201);
      practice = org.body.id;
      const p = await request(env.app).post('/fhir/Patient').set('Authorization', gpBearer).send(patient('Test'));
      expect(p.status, p.text).to.equal(201);
      patientId = p.body.id;
    });
    // Registered at the client's practice, so the practice has a legitimate relationship.
    const patient = (given: string) => ({
      resourceType: 'Patient', ...(patientId ? { id: patientId } : {}), name: [{ family: 'Context', given: [given] }],
      gender: 'female', birthDate: '1970-01-01', managingOrganization: { reference: `Organization/${practice}` },
    });

    it('without the headers the client acts in its own role (gp-system may update patients)', async () => {
      const res = await request(env.app).put(`/fhir/Patient/${patientId}`).set('Authorization', gpBearer).send(patient('Renamed'));
      expect(res.status, res.text).to.equal(200);
    });

    it('with them, an allowed client acts in the asserted end-user role (gp-clinician may not update patients)', async () => {
      const res = await request(env.app).put(`/fhir/Patient/${patientId}`).set('Authorization', gpBearer)
        .set('NHSD-End-User-Organisation-ODS', 'B82005').set('NHSD-End-User-Role', 'gp-clinician').set('NHSD-End-User-ID', '555021935107')
        .send(patient('Again'));
      expect(res.status, res.text).to.equal(403);
      expect(res.body.issue[0].diagnostics).to.match(/gp-clinician/);
      // …while what both the role and the client's scopes allow still works.
      await request(env.app).get('/fhir/Slot').set('Authorization', gpBearer).set('NHSD-End-User-Role', 'gp-admin').expect(200);
    });

    it('acts for the asserted organisation: the practice\'s patient is out of reach of another organisation\'s user', async () => {
      const as = (ods: string) => request(env.app).get(`/fhir/Patient/${patientId}`).set('Authorization', gpBearer)
        .set('NHSD-End-User-Organisation-ODS', ods).set('NHSD-End-User-Role', 'gp-admin');
      const own = await as('a81001');
      expect(own.status, own.text).to.equal(200);
      expect((await as('B82005')).status).to.equal(403);
    });

    it('refuses a role the client is not registered to assert (403)', async () => {
      const res = await request(env.app).get('/fhir/Slot').set('Authorization', gpBearer).set('NHSD-End-User-Role', 'booking-clerk').expect(403);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue[0].diagnostics).to.match(/not registered to assert end-user role 'booking-clerk'/);
    });

    it('refuses the headers from a client not registered for end-user context, and from user tokens (403, not ignored)', async () => {
      const pas = `Bearer ${(await tokenFor('pas-1', keys.pas)).body.access_token}`;
      const res = await request(env.app).get('/fhir/Slot').set('Authorization', pas).set('NHSD-End-User-Role', 'booking-clerk').expect(403);
      expect(res.body.issue[0].diagnostics).to.match(/not registered to act for an end user/);
      await request(env.app).get('/fhir/Slot').set('Authorization', await env.auth('gp-system'))
        .set('NHSD-End-User-Role', 'gp-clinician').expect(403);
      await request(env.app).get('/fhir/Slot').set('Authorization', pas).set('NHSD-End-User-Organisation-ODS', 'A81001')
        .set('NHSD-End-User-Role', 'pas-system').expect(403);
    });

    it('refuses malformed headers with 400 naming the header', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ 'NHSD-End-User-Organisation-ODS': 'A8-1001', 'NHSD-End-User-Role': 'gp-clinician' }, 'http.NHSD-End-User-Organisation-ODS'],
        [{ 'NHSD-End-User-Role': 'GP Clinician' }, 'http.NHSD-End-User-Role'],
        [{ 'NHSD-End-User-Organisation-ODS': 'A81001' }, 'http.NHSD-End-User-Role'],
        [{ 'NHSD-End-User-Role': 'gp-clinician', 'NHSD-End-User-ID': 'x'.repeat(129) }, 'http.NHSD-End-User-ID'],
        [{ 'NHSD-End-User-Role': 'gp-clinician', 'NHSD-End-User-ID': 'us\u00e9r' }, 'http.NHSD-End-User-ID'],
      ];
      for (const [headers, expression] of cases) {
        const res = await request(env.app).get('/fhir/Slot').set('Authorization', gpBearer).set(headers);
        expect(res.status, JSON.stringify(headers)).to.equal(400);
        expect(res.body.resourceType).to.equal('OperationOutcome');
        expect(res.body.issue[0].expression).to.deep.equal([expression]);
      }
    });

    it('need a credential first: headers alone are a 401', async () => {
      await request(env.app).get('/fhir/Slot').set('NHSD-End-User-Role', 'gp-clinician').expect(401);
    });
  });
});

describe('http: /auth/token deployment variants', function () {
  this.timeout(60_000);
  let key: ClientKey;
  let file: string;
  before(async () => {
    key = await clientKey('ES384');
    file = writeClientsFile([{ client_id: 'pas-1', key, organization: 'RXX', role: 'pas-system', scope: 'system/Slot.rs' }]);
  });
  after(() => rmSync(join(file, '..'), { recursive: true, force: true }));

  it('without AUTH_CLIENTS_FILE every client is unknown, the JWKS is empty, and no key is written', async () => {
    const env = await startEnvelope({});
    try {
      const a = await makeAssertion('pas-1', key, { aud: 'http://127.0.0.1/auth/token' });
      expectError(await postToken(env, tokenForm(a), a), 401, 'invalid_client', /Unknown client/);
      expectError(await postToken(env, tokenForm(a, { grant_type: 'password' }), a), 400, 'unsupported_grant_type');
      const jwks = await request(env.app).get('/.well-known/jwks.json').expect(200);
      expect(jwks.body).to.deep.equal({ keys: [] });
      expect(existsSync(join(env.dataDir, 'token-issuer'))).to.equal(false);
    } finally {
      await env.stop();
    }
  });

  it('without PUBLIC_BASE_URL the aud is this endpoint\'s URL as the request reached it', async () => {
    const env = await startEnvelope({ AUTH_CLIENTS_FILE: file });
    try {
      const host = 'envelope.local:8443';
      const good = await makeAssertion('pas-1', key, { aud: `http://${host}/auth/token` });
      const ok = await request(env.app).post('/auth/token').set('Host', host).set('Content-Type', FORM).send(tokenForm(good));
      expect(ok.status, ok.text).to.equal(200);
      // Issued as http://localhost:<PORT> (PORT defaults to 8080) whatever the Host header said.
      expect(decodeJwt(ok.body.access_token).iss).to.equal('http://localhost:8080');
      await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${ok.body.access_token}`).expect(200);
      const wrong = await makeAssertion('pas-1', key, { aud: `http://other.local/auth/token` });
      const res = await request(env.app).post('/auth/token').set('Host', host).set('Content-Type', FORM).send(tokenForm(wrong));
      expectError(res, 401, 'invalid_client', /aud/);
      const doc = await request(env.app).get('/.well-known/smart-configuration').set('Host', host).expect(200);
      expect(doc.body.token_endpoint).to.equal(`http://${host}/auth/token`);
    } finally {
      await env.stop();
    }
  });

  it('issued tokens expire after AUTH_TOKEN_TTL_SEC (plus the clock tolerance)', async () => {
    let clock = Date.now();
    const env = await startEnvelope({ AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE, AUTH_TOKEN_TTL_SEC: '60', AUTH_CLOCK_TOLERANCE_SEC: '5' }, { now: () => new Date(clock) });
    try {
      const a = await makeAssertion('pas-1', key, { aud: AUD });
      const res = await postToken(env, tokenForm(a), a);
      expect(res.body.expires_in).to.equal(60);
      const claims = decodeJwt(res.body.access_token);
      expect(claims.exp! - claims.iat!).to.equal(60);
      const bearer = `Bearer ${res.body.access_token}`;
      clock += 50_000;
      await request(env.app).get('/fhir/Slot').set('Authorization', bearer).expect(200);
      clock += 16_000; // 66 s: past exp + tolerance
      const late = await request(env.app).get('/fhir/Slot').set('Authorization', bearer).expect(401);
      expect(late.body.issue[0].diagnostics).to.match(/expired/);
      // The same clock judges assertions: one made "now" by the real clock has expired by Envelope's.
      const stale = await makeAssertion('pas-1', key, { aud: AUD, exp: now() + 30 });
      expectError(await postToken(env, tokenForm(stale), stale), 401, 'invalid_client', /expired/);
    } finally {
      await env.stop();
    }
  });

  it('a jti spent at one Envelope is refused by another sharing the database', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'envelope-shared-'));
    const dbEnv = { AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE, SQLITE_FILE: join(shared, 'envelope.sqlite') };
    const one = await startEnvelope(dbEnv);
    const two = await startEnvelope(dbEnv);
    try {
      const a = await makeAssertion('pas-1', key, { aud: AUD });
      expect((await postToken(one, tokenForm(a), a)).status).to.equal(200);
      expectError(await postToken(two, tokenForm(a), a), 401, 'invalid_client', /already used/);
    } finally {
      await one.stop();
      await two.stop();
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('tokens from an external issuer keep working beside Envelope\'s own, each only with its own key', async () => {
    const idp = await generateKeyPair('RS256', { extractable: true });
    const idpJwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    const dir = mkdtempSync(join(tmpdir(), 'envelope-idp-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [idpJwk] }));
    const IDP = 'https://idp.example.nhs.uk';
    const env = await startEnvelope({ AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE, AUTH_JWKS_FILE: join(dir, 'jwks.json'), AUTH_ISSUER: IDP });
    try {
      const external = await new SignJWT({ sub: 'user-1', role: 'booking-clerk', scope: 'user/Slot.rs' })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer(IDP).setAudience('envelope').setIssuedAt().setExpirationTime('5m').sign(idp.privateKey);
      await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${external}`).expect(200);
      const a = await makeAssertion('pas-1', key, { aud: AUD });
      const own = (await postToken(env, tokenForm(a), a)).body.access_token as string;
      await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${own}`).expect(200);
      // The IdP's key vouching for Envelope's issuer, and Envelope's key for the IdP's, both fail.
      const crossed = await new SignJWT({ sub: 'pas-1', client_id: 'pas-1', role: 'pas-system', scope: 'system/Slot.rs' })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer(BASE).setAudience('envelope').setIssuedAt().setExpirationTime('5m').sign(idp.privateKey);
      await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${crossed}`).expect(401);
      const ownJwk = JSON.parse(readFileSync(join(env.dataDir, 'token-issuer', 'signing-key.jwk.json'), 'utf8')) as JWK;
      const crossed2 = await new SignJWT({ sub: 'user-1', role: 'booking-clerk', scope: 'user/Slot.rs' })
        .setProtectedHeader({ alg: 'ES384', kid: ownJwk.kid! }).setIssuer(IDP).setAudience('envelope').setIssuedAt().setExpirationTime('5m')
        .sign(await importJWK(ownJwk, 'ES384'));
      await request(env.app).get('/fhir/Slot').set('Authorization', `Bearer ${crossed2}`).expect(401);
    } finally {
      await env.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when Envelope\'s issuer equals the external one, or the clients file is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envelope-bad-'));
    try {
      const idp = await generateKeyPair('ES256', { extractable: true });
      writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await exportJWK(idp.publicKey)] }));
      // Composed directly, so the data folder is this test's and goes with it.
      const start = async (vars: Record<string, string>) => {
        const e = { DATA_DIR: join(dir, 'data'), SQLITE_FILE: ':memory:', ...vars };
        await composeEnvelope(configFromEnv(e), e).then((started) => started.close());
      };
      let err: unknown;
      await start({ AUTH_CLIENTS_FILE: file, PUBLIC_BASE_URL: BASE, AUTH_JWKS_FILE: join(dir, 'jwks.json'), AUTH_ISSUER: BASE }).catch((e) => { err = e; });
      expect(String(err)).to.match(/AUTH_TOKEN_ISSUER .* issuer of their own/);
      const bad = join(dir, 'clients.json');
      writeFileSync(bad, JSON.stringify({ format: 'envelope-clients/1', clients: [{ client_id: 'x', jwks: { keys: [key.privateJwk] }, scope: 'system/Slot.rs', organization: 'RXX', role: 'pas-system' }] }));
      err = undefined;
      await start({ AUTH_CLIENTS_FILE: bad }).catch((e) => { err = e; });
      expect(String(err)).to.match(/clients\[0\]\.jwks\.keys\[0\]: contains private/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
