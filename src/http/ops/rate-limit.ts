// Per-client rate limiting: a token bucket per client, refilled at `perSecond` up to `burst`.
// The client is who the request authenticated as (a registered system by its client id, anyone
// else by issuer and subject), so many users behind one proxy do not share a limit and one client
// cannot escape its limit by changing address. A request that does not authenticate (anonymous,
// a bad credential, a token request) is counted against its network address instead — the only
// thing known about it, and the only thing that stops a flood of bad credentials.
// In memory, per process: behind a load balancer each instance limits on its own.
import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../../auth/authenticate.js';
import { OAuthError, oauthErrorBody } from '../../auth/token/oauth-error.js';
import { errors, FhirError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import { classify } from './classify.js';
import { currentRequest } from './context.js';

export interface RateLimit {
  /** Tokens added per second; 0 turns limiting off. */
  perSecond: number;
  /** Most tokens a bucket holds: how many requests may come at once after a quiet spell. */
  burst: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    /** Most clients remembered; beyond it the least recently seen is forgotten (its bucket was likely full again). */
    private readonly maxClients = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.limit.perSecond > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from the client's bucket, or says how long until one is there. */
  take(key: string): Admission {
    if (!this.enabled) return { ok: true };
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: the Map's order is least recently seen first
      b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
      b.at = now;
    } else {
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.limit.burst, at: now };
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)) };
  }
}

export function principalKey(p: Principal): string {
  return p.clientId !== undefined ? `client ${p.clientId}` : `user ${p.issuer ?? ''} ${p.sub}`;
}

function addressKey(address: string | undefined): string {
  return `address ${address ?? 'unknown'}`;
}

export function throttled(retryAfterSeconds: number): FhirError {
  return new FhirError(429, errors.issue('throttled', `Too many requests from this client; retry after ${retryAfterSeconds} s`), {
    'Retry-After': String(retryAfterSeconds),
  });
}

function carriesCredentials(req: Request): boolean {
  return (req.get('authorization') ?? '').trim() !== '' || req.get('cookie') !== undefined;
}

/**
 * On /fhir, before anything is read: requests that will not authenticate (no credentials, or the
 * anonymous CapabilityStatement) are limited by address here; the others by principal once
 * authenticated (limitByPrincipal).
 */
export function anonymousLimit(buckets: TokenBuckets) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!buckets.enabled || (carriesCredentials(req) && classify(req).interaction !== 'capabilities')) {
      next();
      return;
    }
    const a = buckets.take(addressKey(req.socket.remoteAddress));
    next(a.ok ? undefined : throttled(a.retryAfterSeconds));
  };
}

/**
 * The authenticator, limited: an authenticated principal takes from its own bucket; a request whose
 * credentials are refused takes from its address's (and is then throttled instead of refused).
 * Throttled requests are answered 429 by the FHIR route and, like every refusal, audited.
 */
export function limitByPrincipal(authenticate: Authenticator, buckets: TokenBuckets): Authenticator {
  if (!buckets.enabled) return authenticate;
  return async (req) => {
    let principal: Principal;
    try {
      principal = await authenticate(req);
    } catch (e) {
      if (e instanceof FhirError) {
        const a = buckets.take(addressKey(currentRequest()?.address));
        if (!a.ok) throw throttled(a.retryAfterSeconds);
      }
      throw e;
    }
    const a = buckets.take(principalKey(principal));
    if (!a.ok) throw throttled(a.retryAfterSeconds);
    return principal;
  };
}

/** POST /auth/token, by address (the client is not known before its assertion is checked): RFC 6749 JSON. */
export function tokenEndpointLimit(buckets: TokenBuckets) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const a = buckets.take(`token ${addressKey(req.socket.remoteAddress)}`);
    if (a.ok) {
      next();
      return;
    }
    const e = new OAuthError('temporarily_unavailable', `Too many token requests from this address; retry after ${a.retryAfterSeconds} s`, 429);
    res.status(429).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Retry-After': String(a.retryAfterSeconds) }).json(oauthErrorBody(e));
  };
}
