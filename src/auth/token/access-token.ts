// Signs the access tokens /auth/token hands out. Claims use the configured claim names, so Envelope's
// own bearer verifier reads them exactly as it reads an external identity provider's tokens.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RegisteredClient } from '../clients/client-registry.js';
import type { ClaimNames } from '../config.js';
import type { SigningKey } from './signing-key.js';

export interface AccessTokenSettings {
  /** `iss`: Envelope's token issuer URL. */
  issuer: string;
  /** `aud`: what the bearer verifier expects (AUTH_AUDIENCE). */
  audience: string;
  ttlSec: number;
  claimNames: ClaimNames;
  key: SigningKey;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

export async function signAccessToken(client: RegisteredClient, scopes: readonly string[], s: AccessTokenSettings, now: Date): Promise<IssuedToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    client_id: client.clientId,
    [s.claimNames.sub]: client.clientId,
    [s.claimNames.scope]: scopes.join(' '),
    [s.claimNames.role]: client.role,
    [s.claimNames.organization]: client.organization,
  };
  const token = await new SignJWT(claims)
    // RFC 9068: `at+jwt` tells an access token from an ID token or a client assertion.
    .setProtectedHeader({ alg: s.key.alg, kid: s.key.kid, typ: 'at+jwt' })
    .setIssuer(s.issuer)
    .setSubject(client.clientId)
    .setAudience(s.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + s.ttlSec)
    .setJti(randomUUID())
    .sign(s.key.privateKey);
  return { token, expiresIn: s.ttlSec };
}
