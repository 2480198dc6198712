// private_key_jwt client authentication (RFC 7523 §2.2, SMART Backend Services): the client proves
// who it is with a short-lived JWT signed by a key it registered. Every fault is invalid_client; the
// description names the class of fault so an integrator can fix it, and never echoes the assertion.
import { createLocalJWKSet, decodeJwt, errors as jose, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { RecordStore } from '../../domain/records.js';
import { ASSERTION_ALGORITHMS } from '../clients/client-keys.js';
import type { ClientRegistry, RegisteredClient } from '../clients/client-registry.js';
import { OAuthError } from './oauth-error.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services: an assertion's exp is at most five minutes ahead. */
export const MAX_ASSERTION_LIFETIME_SEC = 300;
/** RecordStore kind of used assertion ids. */
export const JTI_RECORD_KIND = 'client-jti';
const MAX_ASSERTION_LENGTH = 8 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const JTI = /^[\x21-\x7e]{1,256}$/;

export interface ClientAuthenticator {
  /** Verifies the assertion and spends its jti; answers the registered client. Throws OAuthError. */
  authenticate(assertion: string, clientIdParam: string | undefined, ctx: { audience: string; now: Date }): Promise<RegisteredClient>;
}

const fail = (description: string) => new OAuthError('invalid_client', description);

function mapJoseError(e: unknown, audience: string): unknown {
  if (e instanceof jose.JOSEAlgNotAllowed) return fail(`The client assertion's signing algorithm is not accepted; use ${ASSERTION_ALGORITHMS.join(', ')}`);
  if (e instanceof jose.JWSSignatureVerificationFailed || e instanceof jose.JWKSNoMatchingKey || e instanceof jose.JWKSMultipleMatchingKeys) {
    return fail("The client assertion's signature does not verify with the client's registered keys");
  }
  if (e instanceof jose.JWTExpired) return fail('The client assertion has expired');
  if (e instanceof jose.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return fail(`The client assertion has no ${e.claim} claim`);
    switch (e.claim) {
      case 'aud': return fail(`The client assertion's aud must be the token endpoint URL ${audience}`);
      case 'iss':
      case 'sub': return fail("The client assertion's iss and sub must both be the client_id");
      case 'nbf': return fail('The client assertion is not yet valid');
      default: return fail("The client assertion's claims are invalid");
    }
  }
  if (e instanceof jose.JOSEError) return fail('The client assertion is not a well-formed signed JWT');
  return e; // not the client's fault: the endpoint answers server_error
}

/** Checks the rules jose has no option for: a short lifetime and a usable jti. */
function checkLifetimeAndJti(payload: JWTPayload, nowSec: number, toleranceSec: number): { exp: number; jti: string } {
  const exp = payload.exp as number; // present and numeric: required and checked by jwtVerify
  if (exp > nowSec + MAX_ASSERTION_LIFETIME_SEC + toleranceSec) {
    throw fail(`The client assertion's exp is more than ${MAX_ASSERTION_LIFETIME_SEC / 60} minutes ahead`);
  }
  if (payload.iat !== undefined) {
    if (payload.iat > nowSec + toleranceSec) throw fail("The client assertion's iat is in the future");
    if (exp - payload.iat > MAX_ASSERTION_LIFETIME_SEC) throw fail(`The client assertion's lifetime (exp - iat) exceeds ${MAX_ASSERTION_LIFETIME_SEC / 60} minutes`);
  }
  if (typeof payload.jti !== 'string' || !JTI.test(payload.jti)) throw fail("The client assertion's jti must be 1 to 256 printable characters");
  return { exp, jti: payload.jti };
}

export function clientAuthenticator(deps: {
  clients: ClientRegistry;
  records: Pick<RecordStore, 'claimOnce'>;
  clockToleranceSec: number;
}): ClientAuthenticator {
  const keySets = new Map<string, JWTVerifyGetKey>();
  const keysOf = (client: RegisteredClient): JWTVerifyGetKey => {
    let ks = keySets.get(client.clientId);
    if (!ks) keySets.set(client.clientId, (ks = createLocalJWKSet(client.jwks)));
    return ks;
  };

  return {
    async authenticate(assertion, clientIdParam, { audience, now }) {
      if (assertion.length > MAX_ASSERTION_LENGTH || !JWS_COMPACT.test(assertion)) throw fail('The client assertion is not a well-formed signed JWT');
      // The unverified iss only chooses whose keys to try; nothing else is read before verification.
      let iss: unknown;
      try {
        iss = decodeJwt(assertion).iss;
      } catch {
        throw fail('The client assertion is not a well-formed signed JWT');
      }
      if (typeof iss !== 'string' || iss.length === 0) throw fail('The client assertion has no iss claim');
      if (clientIdParam !== undefined && clientIdParam !== iss) throw fail("The client_id parameter differs from the client assertion's iss");
      const client = deps.clients.get(iss);
      if (!client) throw fail('Unknown client');

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(assertion, keysOf(client), {
          algorithms: [...ASSERTION_ALGORITHMS],
          issuer: client.clientId,
          subject: client.clientId,
          audience,
          clockTolerance: deps.clockToleranceSec,
          currentDate: now,
          requiredClaims: ['exp', 'jti'],
        }));
      } catch (e) {
        throw mapJoseError(e, audience);
      }
      const nowSec = Math.floor(now.getTime() / 1000);
      const { exp, jti } = checkLifetimeAndJti(payload, nowSec, deps.clockToleranceSec);
      // Remembered for as long as the assertion could still pass the exp check (exp + tolerance).
      const until = new Date((exp + deps.clockToleranceSec) * 1000).toISOString();
      const fresh = await deps.records.claimOnce(JTI_RECORD_KIND, `${client.clientId} ${jti}`, until, now.toISOString());
      if (!fresh) throw fail('The client assertion was already used (its jti has been seen before)');
      return client;
    },
  };
}
