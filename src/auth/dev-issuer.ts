// Local token issuer for development and tests, used only when no IdP is configured. The server
// verifies its tokens through the ordinary JWKS verifier with the public half of this key.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { audienceFromEnv } from './config.js';
import { readOrCreateKey } from './key-file.js';

/** `iss` of dev tokens. A URN, so it can never collide with a real IdP's https issuer. */
export const DEV_ISSUER = 'urn:envelope:dev-issuer';
export const DEV_ALGORITHM = 'ES256';
/** Dev tokens live at most a day; keep real ones to minutes (IHE IUA suggests ≤ 5 min). */
export const DEV_MAX_TTL_SEC = 24 * 3600;
export const DEV_KEY_DIR = 'dev-issuer';
export const DEV_KEY_FILE = 'signing-key.jwk.json';

export interface DevIssuer {
  issuer: string;
  audience: string;
  kid: string;
  /** Public keys only; feed to the verifier as `jwks`. */
  jwks: JSONWebKeySet;
  /** Signs `claims` for `ttlSec` seconds. iss, aud, iat, exp and jti are always set by the issuer. */
  sign(claims: Record<string, unknown>, ttlSec: number): Promise<string>;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function publicPart(jwk: JWK): JWK {
  const pub: JWK = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete pub[m];
  return pub;
}

async function createKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(publicPart(jwk));
  jwk.alg = DEV_ALGORITHM;
  jwk.use = 'sig';
  return jwk;
}

function checkKey(value: unknown, file: string): JWK {
  const k = value as JWK;
  if (typeof value !== 'object' || value === null || k.kty !== 'EC' || k.crv !== 'P-256' || !k.d || !k.x || !k.y || !k.kid) {
    throw new Error(`${file} is not an ES256 private JWK; delete it to create a new dev signing key`);
  }
  return k;
}


async function loadOrCreateKey(dir: string): Promise<JWK> {
  const file = join(dir, DEV_KEY_FILE);
  const text = await readOrCreateKey(dir, file, createKey);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; delete it to create a new dev signing key`);
  }
  return checkKey(parsed, file);
}

/**
 * Loads `<dataDir>/dev-issuer/signing-key.jwk.json`, creating it on first use.
 * Throws when NODE_ENV=production: a key on local disk is no identity provider.
 */
export async function ensureDevIssuer(dataDir: string, env: NodeJS.ProcessEnv): Promise<DevIssuer> {
  if (env['NODE_ENV']?.trim().toLowerCase() === 'production') {
    throw new Error('The dev token issuer is disabled when NODE_ENV=production; configure AUTH_JWKS_FILE or AUTH_JWKS_URL with AUTH_ISSUER');
  }
  const jwk = await loadOrCreateKey(join(dataDir, DEV_KEY_DIR));
  const kid = jwk.kid as string;
  const key = await importJWK(jwk, DEV_ALGORITHM);
  const audience = audienceFromEnv(env);
  return {
    issuer: DEV_ISSUER,
    audience,
    kid,
    jwks: { keys: [publicPart(jwk)] },
    async sign(claims, ttlSec) {
      if (!Number.isInteger(ttlSec) || ttlSec <= 0 || ttlSec > DEV_MAX_TTL_SEC) {
        throw new Error(`ttl must be a whole number of seconds from 1 to ${DEV_MAX_TTL_SEC}`);
      }
      return new SignJWT(claims)
        .setProtectedHeader({ alg: DEV_ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(DEV_ISSUER)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSec}s`)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}
