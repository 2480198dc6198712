import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { DEFAULT_CLAIM_NAMES } from '../../src/auth/config.js';
import type { ClaimNames } from '../../src/auth/config.js';
import { createJwtVerifier, extractBearer } from '../../src/auth/jwt-verifier.js';
import type { JwtVerifier } from '../../src/auth/jwt-verifier.js';
import { FhirError } from '../../src/domain/errors.js';

const ISS = 'https://idp.example.nhs.uk';
const AUD = 'envelope';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
interface KeyPair { privateKey: PrivateKey; publicJwk: JWK; kid: string }

async function keyPair(alg: 'RS256' | 'ES256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, kid };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const goodClaims = {
  sub: 'user-1',
  role: 'gp-clinician',
  scope: 'openid fhirUser user/Appointment.cruds patient/Slot.rs',
  organization: 'A81001',
  fhirUser: 'Practitioner/123',
  purpose_of_use: 'TREAT',
};

async function expect401(p: Promise<unknown>, message: RegExp): Promise<FhirError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FhirError, String(e));
    const fe = e as FhirError;
    assert.equal(fe.status, 401, fe.message);
    assert.match(fe.message, message);
    assert.equal(fe.issues[0]!.code, 'login');
    assert.match(fe.headers['WWW-Authenticate']!, /^Bearer realm="envelope"/);
    return fe;
  }
  throw new Error('expected a 401');
}

describe('auth/jwt-verifier', () => {
  let rsa: KeyPair;
  let ec: KeyPair;
  let other: KeyPair;
  let jwks: JSONWebKeySet;
  let verifier: JwtVerifier;

  const sign = (claims: Record<string, unknown>, k: KeyPair = rsa, alg = 'RS256', opts: { exp?: number | string; iss?: string; aud?: string } = {}) => {
    const j = new SignJWT(claims).setProtectedHeader({ alg, kid: k.kid }).setIssuedAt().setIssuer(opts.iss ?? ISS).setAudience(opts.aud ?? AUD);
    if (opts.exp !== undefined) j.setExpirationTime(opts.exp);
    else j.setExpirationTime('5m');
    return j.sign(k.privateKey);
  };

  before(async () => {
    rsa = await keyPair('RS256');
    ec = await keyPair('ES256');
    other = await keyPair('RS256');
    jwks = { keys: [rsa.publicJwk, ec.publicJwk] };
    verifier = await createJwtVerifier({ jwks, issuer: ISS, audience: AUD, claimNames: { ...DEFAULT_CLAIM_NAMES }, clockToleranceSec: 30 });
  });

  describe('accepts', () => {
    it('a good RS256 token and maps its claims to a Principal', async () => {
      const token = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
        .setIssuedAt().setIssuer(ISS).setAudience(AUD).setExpirationTime('5m').setJti('tok-1').sign(rsa.privateKey);
      const p = await verifier.verifyBearer(`Bearer ${token}`);
      assert.equal(p.sub, 'user-1');
      assert.equal(p.authMethod, 'jwt');
      assert.equal(p.role, 'gp-clinician');
      assert.equal(p.organization, 'A81001');
      assert.equal(p.fhirUser, 'Practitioner/123');
      assert.equal(p.purposeOfUse, 'TREAT');
      assert.equal(p.tokenId, 'tok-1');
      assert.equal(p.issuer, ISS);
      assert.deepEqual(p.scopes.map((s) => `${s.context}/${s.type}.${[...s.permissions].join('')}`), [
        'user/Appointment.cruds', 'patient/Slot.rs',
      ]);
    });

    it('a good ES256 token, a lower-case scheme, and an audience array containing ours', async () => {
      const token = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'ES256', kid: ec.kid })
        .setIssuer(ISS).setAudience(['other', AUD]).setExpirationTime('5m').sign(ec.privateKey);
      assert.equal((await verifier.verifyBearer(`bearer ${token}`)).role, 'gp-clinician');
    });

    it('a token expired by less than the clock tolerance', async () => {
      const token = await sign(goodClaims, rsa, 'RS256', { exp: now() - 10 });
      assert.equal((await verifier.verifyBearer(`Bearer ${token}`)).sub, 'user-1');
    });

    it('purpose of use as an IUA Coding, and without organisation or fhirUser', async () => {
      const { organization: _o, fhirUser: _f, ...rest } = goodClaims;
      const token = await sign({ ...rest, purpose_of_use: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' } });
      const p = await verifier.verifyBearer(`Bearer ${token}`);
      assert.equal(p.purposeOfUse, 'ETREAT');
      assert.equal('organization' in p, false);
      assert.equal('fhirUser' in p, false);
    });
  });

  describe('refuses with 401', () => {
    it('no Authorization header (challenge without an error code, per RFC 6750)', async () => {
      const e = await expect401(verifier.verifyBearer(undefined), /Bearer token is required/);
      assert.equal(e.headers['WWW-Authenticate'], 'Bearer realm="envelope"');
      await expect401(verifier.verifyBearer('   '), /Bearer token is required/);
    });

    it('a scheme other than Bearer', async () => {
      const e = await expect401(verifier.verifyBearer('Basic dXNlcjpwYXNz'), /scheme must be Bearer/);
      assert.match(e.headers['WWW-Authenticate']!, /error="invalid_token"/);
      await expect401(verifier.verifyBearer('Bearer'), /token is missing/);
      await expect401(verifier.verifyBearer('Bearer a.b.c extra'), /not a well-formed JWT/);
    });

    it('garbage', async () => {
      await expect401(verifier.verifyBearer('Bearer not-a-jwt'), /not a well-formed JWT/);
      await expect401(verifier.verifyBearer('Bearer a.b.c'), /not a well-formed JWT/);
      await expect401(verifier.verifyBearer(`Bearer ${b64({ alg: 'RS256' })}.${b64('x')}`), /not a well-formed JWT/);
      await expect401(verifier.verifyBearer(`Bearer ${'a'.repeat(20000)}.b.c`), /not a well-formed JWT/);
    });

    it('a signature from another key (kid unknown, and kid forged to ours)', async () => {
      await expect401(verifier.verifyBearer(`Bearer ${await sign(goodClaims, other)}`), /not signed by a trusted key/);
      const forged = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
        .setIssuer(ISS).setAudience(AUD).setExpirationTime('5m').sign(other.privateKey);
      await expect401(verifier.verifyBearer(`Bearer ${forged}`), /signature is invalid/);
    });

    it('a tampered payload', async () => {
      const [h, , s] = (await sign(goodClaims)).split('.');
      const tampered = `${h}.${b64({ ...goodClaims, role: 'estate-admin', iss: ISS, aud: AUD, exp: now() + 300 })}.${s}`;
      await expect401(verifier.verifyBearer(`Bearer ${tampered}`), /signature is invalid/);
    });

    it('alg none', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...goodClaims, iss: ISS, aud: AUD, exp: now() + 300 })}.`;
      await expect401(verifier.verifyBearer(`Bearer ${token}`), /algorithm is not accepted/);
    });

    it('HS256 signed with the public key as the HMAC secret', async () => {
      const pem = await exportSPKI((await importJWK(rsa.publicJwk, 'RS256')) as PrivateKey);
      for (const secret of [pem, JSON.stringify(rsa.publicJwk)]) {
        const input = `${b64({ alg: 'HS256', kid: rsa.kid })}.${b64({ ...goodClaims, iss: ISS, aud: AUD, exp: now() + 300 })}`;
        const sig = createHmac('sha256', secret).update(input).digest('base64url');
        await expect401(verifier.verifyBearer(`Bearer ${input}.${sig}`), /algorithm is not accepted/);
      }
    });

    it('expired', async () => {
      await expect401(verifier.verifyBearer(`Bearer ${await sign(goodClaims, rsa, 'RS256', { exp: now() - 120 })}`), /has expired/);
    });

    it('no exp at all', async () => {
      const token = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'RS256', kid: rsa.kid }).setIssuer(ISS).setAudience(AUD).sign(rsa.privateKey);
      await expect401(verifier.verifyBearer(`Bearer ${token}`), /no expiry/);
    });

    it('nbf in the future', async () => {
      const token = await new SignJWT(goodClaims).setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
        .setIssuer(ISS).setAudience(AUD).setNotBefore(now() + 600).setExpirationTime('20m').sign(rsa.privateKey);
      await expect401(verifier.verifyBearer(`Bearer ${token}`), /not yet valid/);
    });

    it('wrong issuer', async () => {
      const e = await expect401(verifier.verifyBearer(`Bearer ${await sign(goodClaims, rsa, 'RS256', { iss: 'https://evil.example' })}`), /issuer is not accepted/);
      assert.doesNotMatch(e.message, /idp\.example/); // does not tell the caller what we expect
    });

    it('wrong audience', async () => {
      await expect401(verifier.verifyBearer(`Bearer ${await sign(goodClaims, rsa, 'RS256', { aud: 'another-api' })}`), /audience is not accepted/);
    });

    it('missing role claim, or several roles', async () => {
      const { role: _r, ...noRole } = goodClaims;
      await expect401(verifier.verifyBearer(`Bearer ${await sign(noRole)}`), /no 'role' claim/);
      await expect401(verifier.verifyBearer(`Bearer ${await sign({ ...goodClaims, role: '' })}`), /no 'role' claim/);
      await expect401(verifier.verifyBearer(`Bearer ${await sign({ ...goodClaims, role: ['gp-admin', 'auditor'] })}`), /single selected role/);
    });

    it('missing subject', async () => {
      const { sub: _s, ...noSub } = goodClaims;
      await expect401(verifier.verifyBearer(`Bearer ${await sign(noSub)}`), /no subject/);
    });

    it('malformed optional claims', async () => {
      await expect401(verifier.verifyBearer(`Bearer ${await sign({ ...goodClaims, organization: 42 })}`), /'organization' must be a string/);
      await expect401(verifier.verifyBearer(`Bearer ${await sign({ ...goodClaims, purpose_of_use: ['TREAT', 'ETREAT'] })}`), /single value/);
    });
  });

  describe('configuration', () => {
    it('renamed claims, including a namespaced name with dots and a nested IUA path', async () => {
      const names: ClaimNames = {
        ...DEFAULT_CLAIM_NAMES, role: 'https://envelope.example/role', sub: 'oid', scope: 'scp',
        purposeOfUse: 'extensions.ihe_iua.purpose_of_use',
      };
      const v = await createJwtVerifier({ jwks, issuer: ISS, audience: AUD, claimNames: names, clockToleranceSec: 0 });
      const token = await sign({
        oid: 'abc', 'https://envelope.example/role': 'auditor', scp: ['user/AuditEvent.rs'],
        extensions: { ihe_iua: { purpose_of_use: { code: 'TREAT' } } }, role: 'estate-admin',
      });
      const p = await v.verifyBearer(`Bearer ${token}`);
      assert.deepEqual([p.sub, p.role, p.purposeOfUse], ['abc', 'auditor', 'TREAT']);
      assert.equal(p.scopes.length, 1);
    });

    it('refuses a JWKS with a symmetric key or private key material', async () => {
      const base = { issuer: ISS, audience: AUD, claimNames: { ...DEFAULT_CLAIM_NAMES }, clockToleranceSec: 0 };
      let err: unknown;
      await createJwtVerifier({ ...base, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }).catch((e) => (err = e));
      assert.match(String(err), /only RSA and EC public keys/);
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      err = undefined;
      await createJwtVerifier({ ...base, jwks: { keys: [await exportJWK(privateKey)] } }).catch((e) => (err = e));
      assert.match(String(err), /private key material/);
    });

    it('loads keys from a JWKS file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'envelope-jwks-'));
      try {
        const file = join(dir, 'jwks.json');
        await writeFile(file, JSON.stringify(jwks));
        const v = await createJwtVerifier({ jwksFile: file, issuer: ISS, audience: AUD, claimNames: { ...DEFAULT_CLAIM_NAMES }, clockToleranceSec: 0 });
        assert.equal((await v.verifyBearer(`Bearer ${await sign(goodClaims)}`)).sub, 'user-1');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('fetches keys from a JWKS URL, and answers 503 (not 401) when the keys cannot be fetched', async () => {
      let up = true;
      const server = createServer((_req, res) => {
        if (!up) { res.statusCode = 500; res.end(); return; }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(jwks));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
        const base = { issuer: ISS, audience: AUD, claimNames: { ...DEFAULT_CLAIM_NAMES }, clockToleranceSec: 0 };
        const v = await createJwtVerifier({ ...base, jwksUrl: url });
        assert.equal((await v.verifyBearer(`Bearer ${await sign(goodClaims)}`)).sub, 'user-1');
        up = false;
        const cold = await createJwtVerifier({ ...base, jwksUrl: url });
        const e = await cold.verifyBearer(`Bearer ${await sign(goodClaims)}`).then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof FhirError);
        assert.equal(e.status, 503);
      } finally {
        server.close();
      }
    });
  });

  it('extractBearer returns the token unchanged', () => {
    assert.equal(extractBearer('Bearer aaa.bbb.ccc'), 'aaa.bbb.ccc');
  });
});
