// HTTP for system sign-on: POST /auth/token and the discovery documents. These endpoints speak OAuth
// and SMART, so their errors are RFC 6749 §5.2 JSON, not OperationOutcome.
import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import type { JSONWebKeySet } from 'jose';
import { JWKS_PATH, TOKEN_PATH, smartConfiguration, type SmartConfigurationPart } from '../auth/discovery/smart-configuration.js';
import { OAuthError, oauthErrorBody } from '../auth/token/oauth-error.js';
import type { TokenEndpoint } from '../auth/token/token-endpoint.js';
import type { Principal } from '../domain/principal.js';
import type { SignOnAudit } from './sign-on-audit.js';

/** A token request is a handful of short parameters; anything bigger is not one. */
export const TOKEN_BODY_LIMIT = 16 * 1024;
const FORM = 'application/x-www-form-urlencoded';
/** Host header values used to build URLs when PUBLIC_BASE_URL is unset. */
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface TokenRoutesOptions {
  tokenEndpoint: TokenEndpoint;
  /** Parts of /.well-known/smart-configuration, one per sign-on method. */
  discovery: readonly SmartConfigurationPart[];
  /** Envelope's public signing keys. */
  jwks: () => JSONWebKeySet;
  /** Public origin; derived from the request when unset. */
  publicBaseUrl?: string;
  onFault?: (err: unknown, req: Request) => void;
  /** The audit trail for token grants and refusals (recorded before the token leaves). */
  audit?: SignOnAudit;
}

/** Who a token we just issued is for, read from its payload (our own signature, just made). */
function grantee(accessToken: string): Principal | undefined {
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
    const sub = str('sub');
    if (sub === undefined) return undefined;
    const p: Principal = { sub, authMethod: 'client-credentials', role: str('role') ?? '', scopes: [], clientId: str('client_id') ?? sub };
    const org = str('organization');
    if (org !== undefined) p.organization = org;
    const iss = str('iss');
    if (iss !== undefined) p.issuer = iss;
    const jti = str('jti');
    if (jti !== undefined) p.tokenId = jti;
    return p;
  } catch {
    return undefined;
  }
}

function baseUrlOf(req: Request, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl !== undefined) return publicBaseUrl;
  const host = req.get('host');
  if (host === undefined || !HOST.test(host)) throw new OAuthError('invalid_request', 'The Host header is missing or malformed');
  return `${req.protocol}://${host}`;
}

function sendOAuthError(res: Response, e: OAuthError): void {
  res.status(e.status).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(oauthErrorBody(e));
}

function formParams(req: Request): [string, string][] {
  if (!req.is(FORM)) throw new OAuthError('invalid_request', `The body must be ${FORM}`);
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw new OAuthError('invalid_request', 'The request has no parameters');
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new OAuthError('invalid_request', 'The body is not valid UTF-8');
  }
  return [...new URLSearchParams(text)];
}

export function tokenRoutes(opts: TokenRoutesOptions): (app: Express) => void {
  const router = Router();
  router.post(TOKEN_PATH, express.raw({ type: () => true, limit: TOKEN_BODY_LIMIT }), async (req, res) => {
    if (req.get('authorization') !== undefined) {
      // RFC 6749 §2.3: one client authentication method per request, and ours is the assertion.
      throw new OAuthError('invalid_request', 'Authenticate with client_assertion; the Authorization header is not accepted here');
    }
    const body = await opts.tokenEndpoint({ params: formParams(req), endpointUrl: `${baseUrlOf(req, opts.publicBaseUrl)}${TOKEN_PATH}` });
    // No token leaves before its grant is durably in the audit trail.
    const principal = grantee(String((body as { access_token?: unknown }).access_token ?? ''));
    if (opts.audit && !(await opts.audit(req, res, { interaction: 'token', status: 200, ...(principal ? { principal } : {}) }))) {
      throw new OAuthError('temporarily_unavailable', 'The audit trail cannot record the grant just now; try again', 503);
    }
    res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(body);
  });
  router.all(TOKEN_PATH, (_req, res) => {
    res.set('Allow', 'POST');
    sendOAuthError(res, new OAuthError('invalid_request', 'Use POST', 405));
  });
  router.get('/.well-known/smart-configuration', (req, res) => {
    res.set('Cache-Control', 'no-cache').json(smartConfiguration(baseUrlOf(req, opts.publicBaseUrl), opts.discovery));
  });
  router.get(JWKS_PATH, (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(opts.jwks());
  });
  // Errors of the routes above, in OAuth's format.
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof OAuthError) {
      if (err.status === 503 || !opts.audit) return sendOAuthError(res, err);
      // A refused grant is recorded too; if even that cannot be, the answer is still the refusal.
      void opts.audit(req, res, { interaction: 'token', status: err.status, text: oauthErrorBody(err).error_description ?? oauthErrorBody(err).error })
        .finally(() => sendOAuthError(res, err));
      return;
    }
    const e = err as { status?: number; type?: string };
    if (e?.type === 'entity.too.large') {
      return sendOAuthError(res, new OAuthError('invalid_request', `The request body is larger than ${TOKEN_BODY_LIMIT / 1024} KiB`, 413));
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return sendOAuthError(res, new OAuthError('invalid_request', 'The request could not be read'));
    opts.onFault?.(err, req);
    sendOAuthError(res, new OAuthError('server_error', 'Internal server error'));
  });
  return (app) => {
    app.use(router);
  };
}
