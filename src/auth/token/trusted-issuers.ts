// Bearer tokens from two issuers: the configured one (an external identity provider, or the dev issuer)
// and Envelope's own /auth/token. Each issuer has its own keys; the token's `iss` only picks which
// verifier runs, and that verifier then checks `iss` and the signature against its own keys alone,
// so a token naming one issuer but signed with the other's key fails.
import { decodeJwt } from 'jose';
import type { JwtVerifier } from '../jwt-verifier.js';
import { extractBearer } from '../jwt-verifier.js';

export interface TrustedIssuer {
  issuer: string;
  verifier: JwtVerifier;
}

/** `own` takes the tokens whose (unverified) `iss` is its issuer; every other token goes to `configured`. */
export function trustIssuers(configured: JwtVerifier, own: TrustedIssuer | undefined): JwtVerifier {
  if (own === undefined) return configured;
  return {
    async verifyBearer(header) {
      const token = extractBearer(header);
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        iss = undefined; // malformed: the configured verifier reports it as usual
      }
      return (iss === own.issuer ? own.verifier : configured).verifyBearer(header);
    },
  };
}
