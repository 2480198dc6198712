// SAML 2.0 sign-on with passport and @node-saml/passport-saml, hardened: signed responses and signed
// assertions, the IdP's certificate pinned, audience and InResponseTo always checked, bounded clock
// skew and assertion age, SHA-256 for what Envelope signs. After the library has verified a response,
// Envelope adds what the library does not do: browser binding of the request, Recipient and Issuer,
// replay of an assertion id, and the strength of the authentication context for each role.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { SAML, Strategy, ValidateInResponseTo, type PassportSamlConfig, type Profile, type VerifiedCallback } from '@node-saml/passport-saml';
import passport from 'passport';
import type { RecordStore } from '../../domain/records.js';
import type { SamlSubject, Sessions } from '../session/sessions.js';
import { AssertionError, assertionFacts, type AssertionFacts } from './assertion.js';
import type { SamlConfig } from './config.js';
import { recordCacheProvider } from './request-cache.js';
import { decideSignOn, type SignedOnUser, type SignOnPolicy } from './sign-on.js';

export const STRATEGY_NAME = 'saml';
export const ASSERTION_KIND = 'saml-assertion';
/** How long a sign-on started at /auth/saml/login may take at the IdP (smartcard, passcode, role choice). */
export const LOGIN_WINDOW_MS = 10 * 60_000;
/** Where the routes leave the request id a response must answer (from the browser's login cookie). */
export const EXPECTED_REQUEST_ID = 'envelopeSamlExpectedRequestId';

/** What a verified, accepted sign-on hands to the routes. */
export interface AcceptedSignOn {
  user: SignedOnUser;
  subject: SamlSubject;
  issuer?: string;
  /** The verified assertion's ID (already claimed once: replays are refused). */
  assertionId: string;
}

/** Why a verified response was still refused (no session is created). */
export interface Refusal {
  status: 401 | 403;
  reason: string;
}

export interface SamlSignOnDeps {
  config: SamlConfig;
  policy: Omit<SignOnPolicy, 'attributes' | 'strongAuthnContexts'>;
  records: RecordStore;
  sessions: Sessions;
  now: () => Date;
}

export interface SamlSignOn {
  config: SamlConfig;
  passport: passport.Authenticator;
  /** The AuthnRequest id a login started with this browser nonce carries. */
  requestIdFor(nonce: string): string;
  /** Runs fn (which starts the passport login) so that its AuthnRequest gets requestIdFor(nonce). */
  withLoginNonce<T>(nonce: string, fn: () => T): T;
  /** A signed-when-configured LogoutRequest URL at the IdP; undefined when the IdP has no SLO URL. */
  logoutUrl(subject: SamlSubject): Promise<string | undefined>;
  /**
   * Whether a POST-binding LogoutResponse carries a valid IdP signature. node-saml looks for the
   * InResponseTo of a POSTed response on a `Response` root only, so under validateInResponseTo
   * 'always' it refuses every POSTed LogoutResponse; this checks it without that rule. Nothing is
   * done on a LogoutResponse (the session ended before the LogoutRequest was sent), so its
   * InResponseTo guards nothing.
   */
  verifyPostedLogoutResponse(samlResponse: string): Promise<boolean>;
  metadata(): string;
}

/** The minimum of a request passport hands back to the verify callbacks. */
interface VerifyRequest {
  path: string;
  res?: { locals: Record<string, unknown> };
  user?: unknown;
}

function refusal(status: 401 | 403, reason: string): Refusal {
  return { status, reason };
}

/** How long an assertion id must be remembered: until no clock within the skew would still accept it. */
function rememberUntil(facts: AssertionFacts, config: SamlConfig): string {
  const times = [...facts.notOnOrAfter, facts.issueInstant].map((t) => Date.parse(t)).filter(Number.isFinite);
  const issued = Date.parse(facts.issueInstant);
  const latest = Math.max(...times, Number.isFinite(issued) ? issued + config.maxAssertionAgeMs : 0);
  return new Date(latest + config.clockSkewMs + 60_000).toISOString();
}

function subjectOf(profile: Profile): SamlSubject | undefined {
  if (typeof profile.nameID !== 'string' || profile.nameID === '') return undefined;
  const s: SamlSubject = { nameID: profile.nameID, nameIDFormat: typeof profile.nameIDFormat === 'string' ? profile.nameIDFormat : 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' };
  if (typeof profile.nameQualifier === 'string') s.nameQualifier = profile.nameQualifier;
  if (typeof profile.spNameQualifier === 'string') s.spNameQualifier = profile.spNameQualifier;
  if (typeof profile.sessionIndex === 'string') s.sessionIndex = profile.sessionIndex;
  return s;
}

export function createSamlSignOn(deps: SamlSignOnDeps): SamlSignOn {
  const { config, records, sessions, now } = deps;
  const policy: SignOnPolicy = { ...deps.policy, attributes: config.attributes, strongAuthnContexts: config.strongAuthnContexts };
  const loginIds = new AsyncLocalStorage<string>();
  const requestIdFor = (nonce: string) => `_${createHash('sha256').update(nonce).digest('hex')}`;

  /** Everything Envelope checks after the library verified the response: an accepted sign-on or why not. */
  async function accept(req: VerifyRequest, profile: Profile | null): Promise<AcceptedSignOn | Refusal> {
    if (req.path !== '/auth/saml/acs' || profile === null) return refusal(401, 'Not a sign-on response');
    let facts: AssertionFacts;
    try {
      facts = assertionFacts(profile);
    } catch (e) {
      return refusal(401, e instanceof AssertionError ? `Malformed assertion: ${e.message}` : 'Malformed assertion');
    }
    // node-saml checks neither: the assertion must be meant for this endpoint and, when configured, come from this IdP.
    if (facts.recipients.length === 0 || facts.recipients.some((r) => r !== config.acsUrl)) {
      return refusal(401, 'The assertion is addressed to another endpoint (Recipient)');
    }
    if (config.idpIssuer !== undefined && facts.issuer !== config.idpIssuer) return refusal(401, 'The assertion comes from another issuer');
    // InResponseTo names a request this server sent; it must also be the one this browser started.
    const expected = req.res?.locals[EXPECTED_REQUEST_ID];
    if (typeof expected !== 'string' || profile['inResponseTo'] !== expected) {
      return refusal(401, 'The response does not answer a sign-on started in this browser');
    }
    const subject = subjectOf(profile);
    if (!subject) return refusal(401, 'The assertion has no NameID');
    const fresh = await records.claimOnce(ASSERTION_KIND, facts.id, rememberUntil(facts, config), now().toISOString());
    if (!fresh) return refusal(401, 'This assertion was already used (replay)');
    const decision = decideSignOn(facts, policy);
    if (!decision.ok) return refusal(decision.status, decision.reason);
    const accepted: AcceptedSignOn = { user: decision.user, subject, assertionId: facts.id };
    if (facts.issuer !== undefined) accepted.issuer = facts.issuer;
    return accepted;
  }

  const signOnVerify = (req: VerifyRequest, profile: Profile | null, done: VerifiedCallback) => {
    accept(req, profile).then(
      (r) => ('reason' in r ? done(null, undefined, { ...r }) : done(null, { ...r })),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  };

  // IdP-initiated logout, after the library verified the LogoutRequest's signature.
  const logoutVerify = (req: VerifyRequest, profile: Profile | null, done: VerifiedCallback) => {
    if (req.path !== '/auth/saml/slo' || profile === null || typeof profile.nameID !== 'string') {
      done(new Error('Not a logout request'));
      return;
    }
    const nameID = profile.nameID;
    sessions.endAllOf(nameID).then(
      () => {
        // passport-saml answers Success only when the verified user equals req.user; sessions are ours, not passport's.
        const user = { nameID };
        req.user = user;
        done(null, user);
      },
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  };

  const options: PassportSamlConfig = {
    name: STRATEGY_NAME,
    passReqToCallback: true,
    entryPoint: config.idpSsoUrl,
    callbackUrl: config.acsUrl,
    issuer: config.spEntityId,
    audience: config.spEntityId,
    idpCert: config.idpCerts,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: LOGIN_WINDOW_MS,
    cacheProvider: recordCacheProvider(records, now, LOGIN_WINDOW_MS),
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    acceptedClockSkewMs: config.clockSkewMs,
    maxAssertionAgeMs: config.maxAssertionAgeMs,
    authnContext: config.strongAuthnContexts,
    racComparison: 'exact',
    identifierFormat: null,
    generateUniqueId: () => loginIds.getStore() ?? `_${randomBytes(20).toString('hex')}`,
  };
  if (config.idpIssuer !== undefined) options.idpIssuer = config.idpIssuer;
  if (config.idpSloUrl !== undefined) {
    options.logoutUrl = config.idpSloUrl;
    options.logoutCallbackUrl = config.sloUrl;
  }
  if (config.spKey !== undefined && config.spCert !== undefined) {
    options.privateKey = config.spKey;
    options.publicCert = config.spCert;
  }
  const strategy = new Strategy(options, signOnVerify as never, logoutVerify as never);
  const authenticator = new passport.Passport();
  authenticator.use(STRATEGY_NAME, strategy as unknown as passport.Strategy);
  const logout = promisify((user: SamlSubject, cb: (err: Error | null, url?: string | null) => void) =>
    strategy.logout({ user, query: {}, body: {} } as never, cb));

  const logoutResponses = new SAML({ ...options, validateInResponseTo: ValidateInResponseTo.ifPresent });

  return {
    config,
    passport: authenticator,
    requestIdFor,
    withLoginNonce: (nonce, fn) => loginIds.run(requestIdFor(nonce), fn),
    async logoutUrl(subject) {
      if (config.idpSloUrl === undefined) return undefined;
      return (await logout(subject)) ?? undefined;
    },
    async verifyPostedLogoutResponse(samlResponse) {
      if (!/^\s*<(?:[\w.-]+:)?LogoutResponse[\s>]/.test(Buffer.from(samlResponse, 'base64').toString('utf8').replace(/^<\?xml[^>]*\?>/, ''))) return false;
      const r = await logoutResponses.validatePostResponseAsync({ SAMLResponse: samlResponse }).catch(() => undefined);
      return r?.loggedOut === true && r.profile === null;
    },
    metadata: () => strategy.generateServiceProviderMetadata(null, config.spCert ?? null),
  };
}
