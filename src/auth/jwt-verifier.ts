// Bearer JWT verification against a JWKS (file, URL, or the dev issuer's in-memory set).
// One code path for every key source, so dev tokens exercise exactly what production runs.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors as jose, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWSAlgorithm, JWTVerifyGetKey } from 'jose';
import { FhirError, errors } from '../domain/errors.js';
import type { AuthMethod, Principal } from '../domain/principal.js';
import { principalFromClaims } from './claims.js';
import type { ClaimNames } from './config.js';
import { unauthorized } from './unauthorized.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * Asymmetric algorithms only. `none` would accept unsigned tokens and HS* would let anyone holding the
 * (public) verification key mint tokens; both are excluded here and again by key type in the JWKS.
 */
export const ALLOWED_ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384',
]);

/** Header plus token; larger values are refused before any parsing work. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface VerifierConfig {
  /** Exactly one key source. */
  jwksFile?: string;
  jwksUrl?: string;
  /** An in-memory JWKS (the dev issuer's public keys, or tests). */
  jwks?: JSONWebKeySet;
  issuer: string;
  audience: string;
  claimNames: ClaimNames;
  clockToleranceSec: number;
  /** How the tokens of this issuer were obtained; `client-credentials` for Envelope's own /auth/token. */
  authMethod?: AuthMethod;
  /** The clock that decides expiry (default: the system clock). */
  now?: () => Date;
}

export interface JwtVerifier {
  /** `Authorization` header value → Principal. Throws FhirError 401 (or 503 when the keys cannot be fetched). */
  verifyBearer(authorizationHeader: string | undefined): Promise<Principal>;
}

/** Rejects key sets that could only be there by mistake: shared secrets and private keys. */
export function checkPublicJwks(value: unknown, source: string): JSONWebKeySet {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error(`${source}: not a JWKS (expected an object with a "keys" array)`);
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0) throw new Error(`${source}: the JWKS has no keys`);
  for (const [i, k] of keys.entries()) {
    if (typeof k !== 'object' || k === null) throw new Error(`${source}: keys[${i}] is not an object`);
    const key = k as Record<string, unknown>;
    if (key['kty'] !== 'RSA' && key['kty'] !== 'EC') {
      throw new Error(`${source}: keys[${i}] has kty ${JSON.stringify(key['kty'])}; only RSA and EC public keys are accepted`);
    }
    if (['d', 'p', 'q', 'dp', 'dq', 'qi'].some((m) => m in key)) {
      throw new Error(`${source}: keys[${i}] contains private key material; publish only public keys`);
    }
  }
  return value as JSONWebKeySet;
}

/** The JWKS could not be obtained; maps to 503 so clients retry instead of discarding a good token. */
class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('JWKS unavailable', { cause });
  }
}

async function keySource(config: VerifierConfig): Promise<JWTVerifyGetKey> {
  const sources = [config.jwksFile, config.jwksUrl, config.jwks].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new Error('Verifier needs exactly one of jwksFile, jwksUrl, jwks');
  if (config.jwks) return createLocalJWKSet(checkPublicJwks(config.jwks, 'JWKS'));
  if (config.jwksFile) {
    // Read once at start-up: key rotation with a file means restarting the server.
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(config.jwksFile, 'utf8'));
    } catch (e) {
      throw new Error(`AUTH_JWKS_FILE ${config.jwksFile}: ${(e as Error).message}`);
    }
    return createLocalJWKSet(checkPublicJwks(parsed, `AUTH_JWKS_FILE ${config.jwksFile}`));
  }
  // jose caches the set and refetches (rate-limited) when a token names an unknown kid, so IdP key
  // rotation needs no restart.
  const remote = createRemoteJWKSet(new URL(config.jwksUrl as string), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (e) {
      // Only these say something about the token; anything else (HTTP status, network, bad JSON)
      // means we could not get the keys, which is our fault, not the client's.
      if (e instanceof jose.JWKSNoMatchingKey || e instanceof jose.JWKSMultipleMatchingKeys) throw e;
      throw new KeysUnavailable(e);
    }
  };
}

/** Splits `Bearer <token>`; the scheme is case-insensitive (RFC 7235), the token is not. */
export function extractBearer(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw unauthorized('Authorization header with a Bearer token is required', false);
  }
  const [scheme, ...rest] = header.trim().split(/ +/);
  if (scheme!.toLowerCase() !== 'bearer') throw unauthorized('Authorization scheme must be Bearer');
  if (rest.length === 0) throw unauthorized('Bearer token is missing');
  const token = rest.join(' ');
  if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw unauthorized('Bearer token is not a well-formed JWT');
  return token;
}

/** Maps a jose failure to a client-facing error that says what class of fault it was and nothing more. */
function mapVerifyError(e: unknown): FhirError {
  if (e instanceof FhirError) return e;
  if (e instanceof jose.JWTExpired) return unauthorized('Token has expired');
  if (e instanceof jose.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'iss': return unauthorized('Token issuer is not accepted');
      case 'aud': return unauthorized('Token audience is not accepted');
      case 'nbf': return unauthorized('Token is not yet valid');
      case 'iat': return unauthorized('Token issue time is invalid');
      case 'exp': return unauthorized(e.reason === 'missing' ? 'Token has no expiry' : 'Token expiry is invalid');
      default: return unauthorized('Token claims are invalid');
    }
  }
  if (e instanceof jose.JOSEAlgNotAllowed) return unauthorized('Token signing algorithm is not accepted');
  if (e instanceof jose.JWSSignatureVerificationFailed) return unauthorized('Token signature is invalid');
  if (e instanceof jose.JWKSNoMatchingKey || e instanceof jose.JWKSMultipleMatchingKeys) {
    return unauthorized('Token was not signed by a trusted key');
  }
  // Could not obtain keys at all: the token may be fine, so do not tell the client it is not.
  if (e instanceof KeysUnavailable || e instanceof jose.JWKSTimeout || e instanceof jose.JWKSInvalid) {
    return errors.unavailable('Token signing keys are temporarily unavailable');
  }
  if (e instanceof jose.JWSInvalid || e instanceof jose.JWTInvalid || e instanceof jose.JOSENotSupported) {
    return unauthorized('Bearer token is not a well-formed JWT');
  }
  if (e instanceof jose.JOSEError) return unauthorized('Bearer token is invalid');
  // Not a token fault we know of: surface as a server error rather than blame the client.
  return errors.internal();
}

export async function createJwtVerifier(config: VerifierConfig): Promise<JwtVerifier> {
  if (!config.issuer) throw new Error('Verifier needs an issuer');
  if (!config.audience) throw new Error('Verifier needs an audience');
  const getKey = await keySource(config);
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...ALLOWED_ALGORITHMS],
    clockTolerance: config.clockToleranceSec,
    // A token without exp would never expire.
    requiredClaims: ['exp'],
  };
  const verified = new VerifiedTokens(config.now ? () => config.now!().getTime() : Date.now);
  return {
    async verifyBearer(header) {
      const token = extractBearer(header);
      const known = verified.get(token);
      if (known) return known;
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, getKey, config.now ? { ...options, currentDate: config.now() } : options));
      } catch (e) {
        throw mapVerifyError(e);
      }
      const principal = principalFromClaims(payload, config.claimNames, config.authMethod ?? 'jwt');
      verified.remember(token, principal, payload, config.clockToleranceSec);
      return verified.get(token) ?? principal;
    },
  };
}
