// People's sign-on over HTTP: SAML login, assertion consumer, metadata, single logout, and the
// session endpoints a browser client uses (who am I, select a role profile). Mounted before /fhir
// only when SAML is configured; otherwise these paths are unknown endpoints (404).
// Errors are OperationOutcomes; a refused sign-on is a 401 (403 when the user has no usable role)
// that sets no cookie and never echoes the assertion.
import { randomBytes } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AuthRequest } from '../auth/authenticate.js';
import { isSafeReturnTo, DEFAULT_RETURN_TO } from '../auth/saml/return-to.js';
import { redirectSignatureAllowed, weakSignatureAlgorithm } from '../auth/saml/signature-algorithms.js';
import { EXPECTED_REQUEST_ID, LOGIN_WINDOW_MS, STRATEGY_NAME, type AcceptedSignOn, type Refusal, type SamlSignOn } from '../auth/saml/strategy.js';
import { LOGIN_COOKIE, readCookie, serializeCookie, SESSION_COOKIE } from '../auth/session/cookies.js';
import { checkCsrf, CSRF_HEADER } from '../auth/session/csrf.js';
import type { Session, Sessions } from '../auth/session/sessions.js';
import { sessionView } from '../auth/session/view.js';
import { errors, FhirError } from '../domain/errors.js';
import { errorResponse } from '../fhir/engine.js';
import { send } from './serialize.js';
import type { SignOnAudit } from './sign-on-audit.js';
import type { Principal } from '../domain/principal.js';

export interface SamlRoutesDeps {
  saml: SamlSignOn;
  sessions: Sessions;
  secureCookies: boolean;
  /** PUBLIC_BASE_URL's origin, when configured (CSRF origin check). */
  publicOrigin?: string;
  log: (event: Record<string, unknown>) => void;
  /** The audit trail for logins and logouts (recorded before the answer that completes them). */
  audit?: SignOnAudit;
}

/** Who a session is, for the audit record of its login or logout. */
function sessionPrincipal(s: Session): Principal {
  const profile = s.data.profiles.find((p) => p.id === s.data.selectedProfileId) ?? (s.data.profiles.length === 1 ? s.data.profiles[0] : undefined);
  const p: Principal = { sub: s.data.userId, authMethod: 'saml', role: profile?.role ?? '', scopes: [], sessionId: s.id, authnContext: s.data.authnContext };
  if (profile) {
    p.organization = profile.orgCode;
    p.roleProfileId = profile.id;
  }
  if (s.data.issuer !== undefined) p.issuer = s.data.issuer;
  if (s.data.fhirUser !== undefined) p.fhirUser = s.data.fhirUser;
  if (s.data.assertionId !== undefined) p.assertionId = s.data.assertionId;
  return p;
}

/** A SAMLResponse carries a signed assertion and a certificate or two; nothing legitimate is near this. */
const SAML_BODY_LIMIT = '100kb';
const SAML_FIELDS = ['SAMLRequest', 'SAMLResponse'] as const;

function lowerHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function query(req: Request): URLSearchParams {
  const q = req.originalUrl.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : req.originalUrl.slice(q + 1));
}

function form(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

function sendOutcome(res: Response, e: FhirError): void {
  const out = errorResponse(e);
  out.headers['Cache-Control'] = 'no-store';
  send(res, out, { pretty: false, mediaType: 'application/json', head: false });
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.json(body);
}

function refused(status: 401 | 403, reason: string): FhirError {
  return status === 403 ? errors.forbidden(reason) : errors.unauthorized(reason);
}

function isRefusal(v: unknown): v is Refusal {
  const r = v as Partial<Refusal> | undefined;
  return typeof r?.reason === 'string' && (r.status === 401 || r.status === 403);
}

type PassportOutcome =
  | { kind: 'callback'; err: unknown; user: unknown; info: unknown }
  /** The strategy called pass(): a message that asks for no action (a LogoutResponse). */
  | { kind: 'passed' }
  /** The strategy wrote the response itself (a redirect). */
  | { kind: 'responded' };

/** Runs the SAML strategy on one request and waits for whichever way it ends. */
function authenticateOnce(saml: SamlSignOn, req: Request, res: Response): Promise<PassportOutcome> {
  return new Promise((resolve, reject) => {
    const responded = () => resolve({ kind: 'responded' });
    res.once('finish', responded);
    const settle = (outcome: PassportOutcome) => {
      res.off('finish', responded);
      resolve(outcome);
    };
    const mw = saml.passport.authenticate(STRATEGY_NAME, { session: false }, (err: unknown, user: unknown, info: unknown) =>
      settle({ kind: 'callback', err, user, info }));
    try {
      mw(req, res, (err?: unknown) => (err ? reject(err) : settle({ kind: 'passed' })));
    } catch (e) {
      reject(e);
    }
  });
}

export function samlRoutes(deps: SamlRoutesDeps): (app: Express) => void {
  const { saml, sessions, log } = deps;
  const cookie = (name: string, value: string, path: string, maxAgeSec?: number, sameSite: 'Lax' | 'None' = 'Lax') =>
    serializeCookie(name, value, { path, secure: deps.secureCookies, sameSite, ...(maxAgeSec !== undefined ? { maxAgeSec } : {}) });
  const clearSessionCookie = () => cookie(SESSION_COOKIE, '', '/', 0);

  async function currentSession(req: Request): Promise<Session | undefined> {
    const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
    return secret === undefined ? undefined : sessions.resume(secret);
  }

  /** SAML messages belong only on the endpoints that expect them; anywhere else they are refused. */
  function carriesSamlMessage(req: Request): boolean {
    const q = query(req);
    const b = form(req);
    return SAML_FIELDS.some((f) => q.has(f) || b[f] !== undefined);
  }

  const urlencoded = express.urlencoded({ extended: false, limit: SAML_BODY_LIMIT, parameterLimit: 20 });

  const metadata = (_req: Request, res: Response) => {
    res.setHeader('Content-Type', 'application/samlmetadata+xml; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(saml.metadata());
  };

  const login = (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    if (carriesSamlMessage(req)) return sendOutcome(res, errors.badRequest('SAML messages are not accepted here'));
    const returnTo = query(req).get('returnTo') ?? DEFAULT_RETURN_TO;
    if (!isSafeReturnTo(returnTo)) return sendOutcome(res, errors.badRequest('returnTo must be a path on this server, such as /app/', 'returnTo'));
    const nonce = randomBytes(32).toString('base64url');
    // The IdP posts the response back cross-site: outside local development the binding cookie must
    // be SameSite=None (and Secure) to come along; on localhost the IdP is same-site and Lax is enough.
    res.append('Set-Cookie', cookie(LOGIN_COOKIE, nonce, '/auth/saml', LOGIN_WINDOW_MS / 1000, deps.secureCookies ? 'None' : 'Lax'));
    // passport-saml's own option: RelayState carries returnTo (a RelayState in the query is ignored).
    const options = { session: false, additionalParams: { RelayState: returnTo } };
    saml.withLoginNonce(nonce, () => saml.passport.authenticate(STRATEGY_NAME, options)(req, res, next));
  };

  async function completeSignOn(req: Request, res: Response, accepted: AcceptedSignOn): Promise<void> {
    // A new session id on every sign-on; a session the browser still held is ended, not reused.
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    const stale = previous === undefined ? undefined : await sessions.resume(previous);
    if (stale) await sessions.end(stale.id);
    const { user, subject, issuer, assertionId } = accepted;
    const { secret, session } = await sessions.create({
      userId: user.userId,
      ...(user.name !== undefined ? { name: user.name } : {}),
      ...(user.fhirUser !== undefined ? { fhirUser: user.fhirUser } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      authnContext: user.authnContext,
      assertionId,
      strongAuthentication: user.strongAuthentication,
      profiles: user.profiles.map((p) => ({ id: p.id, orgCode: p.orgCode, roleCode: p.roleCode, role: p.role, ...(p.roleName !== undefined ? { roleName: p.roleName } : {}) })),
      ...(user.selectedProfileId !== undefined ? { selectedProfileId: user.selectedProfileId } : {}),
      subject,
    });
    // No session cookie leaves before the login is durably in the audit trail.
    if (deps.audit && !(await deps.audit(req, res, { interaction: 'login', status: 303, principal: sessionPrincipal(session), saml: { authnContext: user.authnContext, assertionId } }))) {
      await sessions.end(session.id);
      return sendOutcome(res, errors.unavailable('The audit trail cannot record the sign-on just now; try again'));
    }
    res.append('Set-Cookie', cookie(SESSION_COOKIE, secret, '/'));
    res.append('Set-Cookie', cookie(LOGIN_COOKIE, '', '/auth/saml', 0, deps.secureCookies ? 'None' : 'Lax'));
    const relay = form(req)['RelayState'];
    res.redirect(303, isSafeReturnTo(relay) ? relay : DEFAULT_RETURN_TO);
  }

  const acs = async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const refuse = async (status: 401 | 403, reason: string, detail?: string) => {
      log({ msg: 'saml sign-on refused', status, reason, ...(detail !== undefined ? { detail } : {}) });
      if (deps.audit && !(await deps.audit(req, res, { interaction: 'login', status, text: reason }))) {
        return sendOutcome(res, errors.unavailable('The audit trail cannot record the sign-on just now; try again'));
      }
      sendOutcome(res, refused(status, reason));
    };
    const samlResponse = form(req)['SAMLResponse'];
    // Only a POSTed SAMLResponse: passport-saml would take a query-string message, or a SAMLRequest,
    // as a logout message, and logout is not this endpoint's business.
    if (typeof samlResponse !== 'string' || form(req)['SAMLRequest'] !== undefined || SAML_FIELDS.some((f) => query(req).has(f))) {
      return sendOutcome(res, errors.badRequest('POST the identity provider\'s SAMLResponse form field here'));
    }
    const weak = weakSignatureAlgorithm(Buffer.from(samlResponse, 'base64').toString('utf8'));
    if (weak) return refuse(401, `The response's signature is too weak: ${weak}`);
    const nonce = readCookie(req.headers.cookie, LOGIN_COOKIE);
    if (nonce === undefined) return refuse(401, 'No sign-on was started in this browser, or it took longer than 10 minutes');
    res.locals[EXPECTED_REQUEST_ID] = saml.requestIdFor(nonce);

    const outcome = await authenticateOnce(saml, req, res);
    if (outcome.kind !== 'callback') return refuse(401, 'Not a sign-on response');
    const { err, user, info } = outcome;
    if (err) return refuse(401, 'The identity provider\'s response could not be verified', err instanceof Error ? err.message : String(err));
    if (!user) return isRefusal(info) ? refuse(info.status, info.reason) : refuse(401, 'Sign-on refused');
    await completeSignOn(req, res, user as AcceptedSignOn);
  };

  const logoutPage = async (req: Request, res: Response) => {
    const session = await currentSession(req);
    const idp = saml.config.idpSloUrl ? ` ${new URL(saml.config.idpSloUrl).origin}` : '';
    // The form's redirect goes on to the IdP, which form-action must allow; nothing else is needed.
    res.setHeader('Content-Security-Policy', `default-src 'none'; form-action 'self'${idp}; frame-ancestors 'none'; base-uri 'none'`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(session
      ? `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body>
<form method="post" action="/auth/saml/logout"><input type="hidden" name="_csrf" value="${session.data.csrfToken}"><button type="submit">Sign out of Envelope</button></form>
</body></html>`
      : '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>You are not signed in.</p></body></html>');
  };

  const logout = async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const session = await currentSession(req);
    if (!session) {
      res.append('Set-Cookie', clearSessionCookie());
      return sendJson(res, 200, { signedOut: true });
    }
    const token = req.get(CSRF_HEADER) ?? (typeof form(req)['_csrf'] === 'string' ? (form(req)['_csrf'] as string) : undefined);
    const authReq: AuthRequest = { method: 'POST', headers: { ...lowerHeaders(req), [CSRF_HEADER]: token } };
    try {
      checkCsrf(authReq, session.data.csrfToken, deps.publicOrigin);
    } catch (e) {
      if (e instanceof FhirError) return sendOutcome(res, e);
      throw e;
    }
    await sessions.end(session.id);
    res.append('Set-Cookie', clearSessionCookie());
    // The session is over whatever happens next; its end is recorded (a failure to record is logged).
    if (deps.audit) await deps.audit(req, res, { interaction: 'logout', status: 200, principal: sessionPrincipal(session) });
    const url = await saml.logoutUrl(session.data.subject);
    if (url) return res.redirect(303, url);
    sendJson(res, 200, { signedOut: true });
  };

  // The IdP's side of single logout: its LogoutRequest (it ends this user's sessions) or its
  // LogoutResponse to ours. Either binding; a signature is required on both.
  const slo = async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const q = query(req);
    const body = form(req);
    const redirectBinding = q.has('SAMLRequest') || q.has('SAMLResponse');
    if (redirectBinding) {
      // node-saml accepts a redirect-binding message without any signature; Envelope does not.
      if (!q.has('Signature') || !redirectSignatureAllowed(q.get('SigAlg'))) {
        return sendOutcome(res, errors.unauthorized('Logout messages must be signed with RSA-SHA256 or stronger'));
      }
    } else {
      const message = body['SAMLRequest'] ?? body['SAMLResponse'];
      if (typeof message !== 'string') return sendOutcome(res, errors.badRequest('Expected a SAML logout message'));
      const weak = weakSignatureAlgorithm(Buffer.from(message, 'base64').toString('utf8'));
      if (weak) return sendOutcome(res, errors.unauthorized(`The logout message's signature is too weak: ${weak}`));
      if (typeof body['SAMLResponse'] === 'string') {
        if (await saml.verifyPostedLogoutResponse(body['SAMLResponse'])) return sendJson(res, 200, { signedOut: true });
        log({ msg: 'saml logout message refused', detail: 'POSTed SAMLResponse is not a validly signed LogoutResponse' });
        return sendOutcome(res, errors.unauthorized('The logout message could not be verified'));
      }
    }
    // passport-saml calls req.logout() after an IdP-initiated logout; sessions are Envelope's own, so
    // passport's session manager (which needs express-session) must not run.
    const noPassportSession = (a?: unknown, b?: unknown) => {
      const cb = typeof a === 'function' ? a : b;
      if (typeof cb === 'function') (cb as (err?: unknown) => void)();
    };
    Object.assign(req, { logout: noPassportSession, logOut: noPassportSession });
    const outcome = await authenticateOnce(saml, req, res);
    if (outcome.kind === 'responded') return;
    if (outcome.kind === 'passed') return sendJson(res, 200, { signedOut: true });
    const detail = outcome.err instanceof Error ? outcome.err.message : 'not a logout message';
    log({ msg: 'saml logout message refused', detail });
    sendOutcome(res, errors.unauthorized('The logout message could not be verified'));
  };

  const whoAmI = async (req: Request, res: Response) => {
    const session = await currentSession(req);
    if (!session) return sendOutcome(res, errors.unauthorized('Not signed in: start at /auth/saml/login'));
    sendJson(res, 200, sessionView(session));
  };

  const selectRole = async (req: Request, res: Response) => {
    const session = await currentSession(req);
    if (!session) return sendOutcome(res, errors.unauthorized('Not signed in: start at /auth/saml/login'));
    try {
      checkCsrf({ method: 'POST', headers: lowerHeaders(req) }, session.data.csrfToken, deps.publicOrigin);
    } catch (e) {
      if (e instanceof FhirError) return sendOutcome(res, e);
      throw e;
    }
    const id = form(req)['person_roleid'];
    if (typeof id !== 'string') return sendOutcome(res, errors.badRequest('Send {"person_roleid": "<one of roleProfiles>"}', 'person_roleid'));
    if (!session.data.profiles.some((p) => p.id === id)) {
      return sendOutcome(res, errors.forbidden('That role profile is not one of this session\'s role profiles'));
    }
    const current = session.data.selectedProfileId;
    if (current !== undefined && current !== id) {
      // A session acts in one role profile only; another role means signing on again.
      return sendOutcome(res, errors.conflict('A role profile is already selected for this session; sign in again to act in another'));
    }
    const updated = current === id ? session : await sessions.selectProfile(session, id);
    if (!updated) return sendOutcome(res, errors.unauthorized('The session ended'));
    sendJson(res, 200, sessionView(updated));
  };

  /** Express 5 passes rejected promises to the error handler; this keeps the handlers plain async functions. */
  const wrap = (h: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    h(req, res).catch(next);
  };

  return (app) => {
    app.get('/auth/saml/metadata', metadata);
    app.get('/auth/saml/login', login);
    app.post('/auth/saml/acs', urlencoded, wrap(acs));
    app.get('/auth/saml/logout', wrap(logoutPage));
    app.post('/auth/saml/logout', urlencoded, wrap(logout));
    if (saml.config.idpSloUrl !== undefined) {
      app.get('/auth/saml/slo', wrap(slo));
      app.post('/auth/saml/slo', urlencoded, wrap(slo));
    }
    app.get('/auth/session', wrap(whoAmI));
    app.post('/auth/session/role', express.json({ limit: '4kb', type: ['application/json', 'application/*+json'] }), urlencoded, wrap(selectRole));
  };
}
