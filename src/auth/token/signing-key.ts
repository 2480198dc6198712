// Envelope's own signing key for the access tokens /auth/token issues: an operator's key file
// (AUTH_SIGNING_KEY_FILE, a private JWK or PEM), or else an ES384 key generated once in DATA_DIR.
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { checkPrivate, readOrCreateKey } from '../key-file.js';

export type SigningAlgorithm = 'ES384' | 'RS384';
export const GENERATED_ALGORITHM: SigningAlgorithm = 'ES384';
export const TOKEN_KEY_DIR = 'token-issuer';
export const TOKEN_KEY_FILE = 'signing-key.jwk.json';
const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

export interface SigningKey {
  alg: SigningAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  /** The public half, with kid, alg and use, as published at /.well-known/jwks.json. */
  publicJwk: JWK;
}

function publicPart(jwk: JWK): JWK {
  const pub: JWK = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete pub[m];
  return pub;
}

/** ES384 for EC P-384 keys, RS384 for RSA keys of 2048 bits or more; anything else is refused. */
function algorithmOf(key: KeyObject, source: string): SigningAlgorithm {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'secp384r1') return 'ES384';
  if (key.asymmetricKeyType === 'rsa' && (d?.modulusLength ?? 0) >= MIN_RSA_BITS) return 'RS384';
  throw new Error(`${source}: the signing key must be an EC P-384 key (ES384) or an RSA key of at least ${MIN_RSA_BITS} bits (RS384)`);
}

/** A private JWK or PEM (PKCS#8, SEC1 or PKCS#1) → a SigningKey. `kid` is kept if the JWK has one. */
async function signingKeyFrom(text: string, source: string): Promise<SigningKey> {
  let keyObject: KeyObject;
  let givenKid: string | undefined;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: unknown };
      if (typeof jwk.kid === 'string' && jwk.kid.length > 0) givenKid = jwk.kid;
      keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      keyObject = createPrivateKey(text);
    }
  } catch {
    // The parser's message could quote key material; say only what was expected.
    throw new Error(`${source}: not a private key (expected a private JWK or a PEM private key)`);
  }
  const alg = algorithmOf(keyObject, source);
  const jwk = keyObject.export({ format: 'jwk' }) as JWK;
  const pub = publicPart(jwk);
  const kid = givenKid ?? (await calculateJwkThumbprint(pub));
  return {
    alg,
    kid,
    privateKey: (await importJWK(jwk, alg)) as CryptoKey,
    publicJwk: { ...pub, kid, alg, use: 'sig' },
  };
}



async function generatedKeyIn(dataDir: string): Promise<SigningKey> {
  const dir = join(dataDir, TOKEN_KEY_DIR);
  const file = join(dir, TOKEN_KEY_FILE);
  const text = await readOrCreateKey(dir, file, async () => {
    const { privateKey } = await generateKeyPair(GENERATED_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(privateKey);
    jwk.kid = await calculateJwkThumbprint(publicPart(jwk));
    return jwk;
  });
  return signingKeyFrom(text, `${file} (delete it to create a new key)`);
}

/** The configured key file, else `<dataDir>/token-issuer/signing-key.jwk.json`, created on first use. */
export async function loadSigningKey(opts: { file?: string; dataDir: string }): Promise<SigningKey> {
  if (opts.file === undefined) return generatedKeyIn(opts.dataDir);
  const source = `AUTH_SIGNING_KEY_FILE ${opts.file}`;
  let text: string;
  try {
    text = await readFile(opts.file, 'utf8');
  } catch (e) {
    throw new Error(`${source}: ${(e as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
  }
  await checkPrivate(opts.file);
  return signingKeyFrom(text, source);
}
