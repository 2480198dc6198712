// A registered client's public keys. Checked at start-up, so a key set that could only be there by
// mistake (a private key pasted in, a shared secret, a weak or unusable key) stops the server instead
// of failing on the first token request or, worse, being usable by whoever else holds the secret.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { isPlainObject } from '../../domain/fhir.js';
import { ClientRegistryError } from './registry-error.js';

/**
 * What a client may sign its assertions with: RS384/ES384 as SMART Backend Services asks for, and
 * RS256/ES256 which many client libraries still default to. No HS* (the key would be a shared secret),
 * no `none`.
 */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const EC_CURVES: Record<string, AssertionAlgorithm> = { 'P-256': 'ES256', 'P-384': 'ES384' };
const MIN_RSA_BITS = 2048;
const MAX_KEYS = 10;

function checkKey(k: unknown, path: string): JWK {
  if (!isPlainObject(k)) throw new ClientRegistryError(path, 'must be a JWK object');
  const leaked = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(k, m));
  if (leaked.length > 0) {
    throw new ClientRegistryError(path, `contains private or secret key material (${leaked.join(', ')}); register only the client's public key`);
  }
  const kty = k['kty'];
  if (kty === 'oct') throw new ClientRegistryError(`${path}.kty`, 'symmetric keys are not accepted; register an RSA or EC public key');
  if (kty !== 'RSA' && kty !== 'EC') throw new ClientRegistryError(`${path}.kty`, `must be "RSA" or "EC" (got ${JSON.stringify(kty)})`);
  if (k['use'] !== undefined && k['use'] !== 'sig') throw new ClientRegistryError(`${path}.use`, 'must be "sig" when present');
  if (k['key_ops'] !== undefined && !(Array.isArray(k['key_ops']) && k['key_ops'].every((o) => o === 'verify'))) {
    throw new ClientRegistryError(`${path}.key_ops`, 'must be ["verify"] when present');
  }
  if (k['kid'] !== undefined && (typeof k['kid'] !== 'string' || k['kid'].length === 0 || k['kid'].length > 256)) {
    throw new ClientRegistryError(`${path}.kid`, 'must be a non-empty string of at most 256 characters');
  }
  if (kty === 'EC' && !(typeof k['crv'] === 'string' && Object.hasOwn(EC_CURVES, k['crv']))) {
    throw new ClientRegistryError(`${path}.crv`, `must be "P-256" or "P-384" (got ${JSON.stringify(k['crv'])})`);
  }
  const alg = k['alg'];
  if (alg !== undefined) {
    const fits = kty === 'EC' ? alg === EC_CURVES[k['crv'] as string] : alg === 'RS256' || alg === 'RS384';
    if (!fits) throw new ClientRegistryError(`${path}.alg`, `${JSON.stringify(alg)} is not accepted for this key; use one of ${ASSERTION_ALGORITHMS.join(', ')} matching the key type`);
  }
  let bits: number | undefined;
  try {
    bits = createPublicKey({ key: k as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
  } catch {
    throw new ClientRegistryError(path, 'is not a usable public key (check n/e or x/y)');
  }
  if (kty === 'RSA' && (bits === undefined || bits < MIN_RSA_BITS)) {
    throw new ClientRegistryError(`${path}.n`, `RSA keys must have at least ${MIN_RSA_BITS} bits`);
  }
  return k as JWK;
}

/** Validates an inline JWKS; throws ClientRegistryError naming the faulty key. */
export function checkClientJwks(value: unknown, path: string): JSONWebKeySet {
  if (!isPlainObject(value) || !Array.isArray(value['keys'])) throw new ClientRegistryError(path, 'must be a JWKS: an object with a "keys" array');
  const keys = value['keys'];
  if (keys.length === 0) throw new ClientRegistryError(`${path}.keys`, 'holds no keys');
  if (keys.length > MAX_KEYS) throw new ClientRegistryError(`${path}.keys`, `holds more than ${MAX_KEYS} keys`);
  return { keys: keys.map((k, i) => checkKey(k, `${path}.keys[${i}]`)) };
}
