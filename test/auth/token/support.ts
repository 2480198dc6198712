// Test support for system sign-on: real client key pairs, a registered-clients file, and client
// assertions signed the way a client's own code would sign them.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type ClientAlg = 'ES384' | 'RS384' | 'ES256' | 'RS256';

export interface ClientKey {
  alg: ClientAlg;
  kid: string;
  privateKey: CryptoKey;
  /** Public JWK with kid, alg and use. */
  publicJwk: JWK;
  /** Private JWK (for the scripts). */
  privateJwk: JWK;
}

export async function clientKey(alg: ClientAlg): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return { alg, kid, privateKey, publicJwk: { ...pub, kid, alg, use: 'sig' }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg } };
}

export interface ClientEntry {
  client_id: string;
  key: ClientKey;
  scope: string;
  organization: string;
  role: string;
  endUserContext?: { roles: string[] };
  auditSource?: boolean;
}

/** Writes an `envelope-clients/1` file in a fresh temporary folder; answers its path. */
export function writeClientsFile(clients: readonly ClientEntry[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-clients-'));
  const file = join(dir, 'clients.json');
  const doc = {
    format: 'envelope-clients/1',
    clients: clients.map(({ key, ...c }) => ({ ...c, jwks: { keys: [key.publicJwk] } })),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

export interface AssertionOptions {
  aud: string;
  /** Defaults: iss = sub = client id, iat = now, exp = now + 60, a fresh jti. `null` leaves a claim out. */
  iss?: string | null;
  sub?: string | null;
  iat?: number | null;
  exp?: number | null;
  jti?: string | null;
  /** Signs with this key instead of the client's. */
  signWith?: CryptoKey;
  alg?: string;
  kid?: string;
  /** Seconds since the epoch that count as "now". */
  now?: number;
}

export async function makeAssertion(clientId: string, key: ClientKey, o: AssertionOptions): Promise<string> {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: clientId, sub: clientId, aud: o.aud, iat: now, exp: now + 60, jti: randomUUID(),
  };
  for (const k of ['iss', 'sub', 'iat', 'exp', 'jti'] as const) {
    const v = o[k];
    if (v === null) delete claims[k];
    else if (v !== undefined) claims[k] = v;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg ?? key.alg, kid: o.kid ?? key.kid, typ: 'JWT' })
    .sign(o.signWith ?? key.privateKey);
}

/** An unsigned or foreign-signed JWS from raw parts, for algorithms jose will not produce. */
export function rawJws(header: Record<string, unknown>, payload: Record<string, unknown>, signature: Buffer | string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = typeof signature === 'string' ? signature : signature.toString('base64url');
  return `${b64(header)}.${b64(payload)}.${sig}`;
}

/** The form a client posts to /auth/token. */
export function tokenForm(assertion: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    ...extra,
  }).toString();
}
