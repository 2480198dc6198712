// A small SAML 2.0 identity provider on localhost, for the tests and for trying sign-on locally. It
// takes an AuthnRequest in the HTTP-Redirect binding, lets you pick a demo user (or is told which one
// in the query), and answers with an auto-submitting form that posts a signed SAMLResponse to the
// ACS URL the request named. Query parameters on /sso choose the person (`user`), the authentication
// strength (`context=smartcard|password|<class ref URI>`), the role picked at the IdP (`selected`)
// and, for the tests, an `attack` (see ATTACKS in response.ts). Never use it for anything real.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { ensureKeyPair } from './keys.js';
import { logoutRequestXml, logoutResponseXml, postBindingMessage, redirectBindingUrl, type RedirectSignature } from './logout.js';
import { AUTHN_CONTEXT, autoPostForm, buildResponse, escapeXml, isAttack, newId, type SigningKey } from './response.js';
import { DEMO_USERS, type IdpUser } from './users.js';

export interface IdpOptions {
  /** Folder for the key pairs (reused when present). */
  keyDir: string;
  port?: number;
  /** Listening address (default 127.0.0.1: never reachable from other machines). */
  host?: string;
  /** Host name in the IdP's URLs (default localhost, so a browser sees the IdP and Envelope as one site). */
  publicHost?: string;
  users?: readonly IdpUser[];
  /** Envelope's /auth/saml/slo, where logout messages go. */
  spSloUrl?: string;
}

export interface TestIdp {
  /** e.g. http://localhost:7000 */
  url: string;
  ssoUrl: string;
  sloUrl: string;
  entityId: string;
  certFile: string;
  key: SigningKey;
  /** Another key pair, for responses "signed by someone else". */
  attackerKey: SigningKey;
  users: readonly IdpUser[];
  /** Ids of the LogoutRequests the SP sent here. */
  logoutRequestsReceived: string[];
  /** An IdP-initiated LogoutRequest for the SP, redirect binding. */
  logoutRequestUrl(nameID: string, opts?: { signature?: RedirectSignature; key?: SigningKey; sessionIndex?: string }): string;
  /** An IdP-initiated LogoutRequest for the SP, POST binding (the SAMLRequest form value). */
  logoutRequestPost(nameID: string, opts?: { key?: SigningKey }): string;
  close(): Promise<void>;
}

interface AuthnRequestInfo {
  id: string;
  acsUrl: string;
  spEntityId: string;
  requestedContexts: string[];
}

function parseAuthnRequest(b64: string): AuthnRequestInfo {
  const xml = inflateRawSync(Buffer.from(b64, 'base64')).toString('utf8');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root || root.localName !== 'AuthnRequest') throw new Error('not an AuthnRequest');
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent?.trim();
  const id = root.getAttribute('ID');
  const acsUrl = root.getAttribute('AssertionConsumerServiceURL');
  if (!id || !acsUrl || !issuer) throw new Error('the AuthnRequest lacks ID, AssertionConsumerServiceURL or Issuer');
  const refs = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'AuthnContextClassRef');
  const requestedContexts: string[] = [];
  for (let i = 0; i < refs.length; i++) requestedContexts.push(refs[i]?.textContent?.trim() ?? '');
  return { id, acsUrl, spEntityId: issuer, requestedContexts };
}

function requestIdOf(b64: string, root: string): string | undefined {
  const xml = inflateRawSync(Buffer.from(b64, 'base64')).toString('utf8');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return doc.documentElement?.localName === root ? doc.documentElement.getAttribute('ID') ?? undefined : undefined;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title></head><body><h1>${escapeXml(title)}</h1>${body}</body></html>`);
}

function chooser(url: URL, request: AuthnRequestInfo, users: readonly IdpUser[]): string {
  const link = (user: IdpUser, context: 'smartcard' | 'password') => {
    const u = new URL(url);
    u.searchParams.set('user', user.uid);
    u.searchParams.set('context', context);
    return `<a href="${escapeXml(u.pathname + u.search)}">${context}</a>`;
  };
  const rows = users.map((u) => `<li><strong>${escapeXml(u.name)}</strong> (${escapeXml(u.uid)}): ${escapeXml(u.note)}. Sign in with ${link(u, 'smartcard')} or ${link(u, 'password')}</li>`).join('');
  return `<p>Test identity provider: not for real use. Signing in to <code>${escapeXml(request.spEntityId)}</code>, which asked for `
    + `<code>${escapeXml(request.requestedContexts.join(', ') || 'any authentication')}</code>.</p><ul>${rows}</ul>`;
}

export async function startSamlIdp(opts: IdpOptions): Promise<TestIdp> {
  const users = opts.users ?? DEMO_USERS;
  const pair = ensureKeyPair(opts.keyDir, 'idp', 'Envelope test IdP');
  const attacker = ensureKeyPair(opts.keyDir, 'attacker', 'Not the IdP');
  const key: SigningKey = { key: pair.key, cert: pair.cert };
  const attackerKey: SigningKey = { key: attacker.key, cert: attacker.cert };
  const logoutRequestsReceived: string[] = [];
  let lastAssertionId: string | undefined;
  let base = '';
  const entityId = () => `${base}/metadata`;

  function sso(url: URL, res: ServerResponse): void {
    const samlRequest = url.searchParams.get('SAMLRequest');
    if (!samlRequest) return page(res, 400, 'No SAMLRequest', '<p>Start at the service provider\'s login URL.</p>');
    let request: AuthnRequestInfo;
    try {
      request = parseAuthnRequest(samlRequest);
    } catch (e) {
      return page(res, 400, 'Bad AuthnRequest', `<p>${escapeXml(e instanceof Error ? e.message : String(e))}</p>`);
    }
    const uid = url.searchParams.get('user');
    if (uid === null) return page(res, 200, 'Choose a test user', chooser(url, request, users));
    const user = users.find((u) => u.uid === uid);
    if (!user) return page(res, 400, 'Unknown user', '');
    const attack = url.searchParams.get('attack') ?? undefined;
    if (attack !== undefined && !isAttack(attack)) return page(res, 400, 'Unknown attack', '');
    const context = url.searchParams.get('context') ?? 'smartcard';
    const authnContext = context === 'smartcard' ? AUTHN_CONTEXT.smartcard : context === 'password' ? AUTHN_CONTEXT.password : context;
    const assertionId = attack === 'reuse-assertion-id' && lastAssertionId ? lastAssertionId : newId();
    lastAssertionId = assertionId;
    const selected = url.searchParams.get('selected') ?? undefined;
    const xml = buildResponse({
      idpEntityId: entityId(), inResponseTo: request.id, acsUrl: request.acsUrl, audience: request.spEntityId, user, authnContext,
      now: new Date(), assertionId, ...(user.practitioner ? { practitioner: user.practitioner } : {}), ...(selected ? { selectedRole: selected } : {}),
    }, key, { ...(attack ? { attack } : {}), attackerKey });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(autoPostForm(request.acsUrl, xml, url.searchParams.get('RelayState') ?? undefined));
  }

  function slo(url: URL, res: ServerResponse): void {
    const request = url.searchParams.get('SAMLRequest');
    if (request) {
      const id = requestIdOf(request, 'LogoutRequest');
      if (!id) return page(res, 400, 'Bad LogoutRequest', '');
      logoutRequestsReceived.push(id);
      if (!opts.spSloUrl) return page(res, 200, 'Signed out', '<p>Signed out at the test IdP.</p>');
      const xml = logoutResponseXml({ idpEntityId: entityId(), destination: opts.spSloUrl, inResponseTo: id });
      const relay = url.searchParams.get('RelayState') ?? undefined;
      res.writeHead(302, { Location: redirectBindingUrl(opts.spSloUrl, 'SAMLResponse', xml, key, relay !== undefined ? { relayState: relay } : {}), 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    page(res, 200, 'Signed out', '<p>Signed out at the test IdP.</p>');
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    try {
      if (req.method === 'GET' && url.pathname === '/sso') return sso(url, res);
      if (req.method === 'GET' && url.pathname === '/slo') return slo(url, res);
      page(res, 404, 'Not found', '');
    } catch (e) {
      page(res, 500, 'Test IdP error', `<p>${escapeXml(e instanceof Error ? e.message : String(e))}</p>`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${opts.publicHost ?? 'localhost'}:${port}`;

  return {
    url: base,
    ssoUrl: `${base}/sso`,
    sloUrl: `${base}/slo`,
    get entityId() {
      return entityId();
    },
    certFile: pair.certFile,
    key,
    attackerKey,
    users,
    logoutRequestsReceived,
    logoutRequestUrl(nameID, o = {}) {
      if (!opts.spSloUrl) throw new Error('the IdP was started without spSloUrl');
      const xml = logoutRequestXml({ idpEntityId: entityId(), destination: opts.spSloUrl, nameID, ...(o.sessionIndex ? { sessionIndex: o.sessionIndex } : {}) });
      return redirectBindingUrl(opts.spSloUrl, 'SAMLRequest', xml, o.key ?? key, { signature: o.signature ?? 'sha256' });
    },
    logoutRequestPost(nameID, o = {}) {
      if (!opts.spSloUrl) throw new Error('the IdP was started without spSloUrl');
      return postBindingMessage(logoutRequestXml({ idpEntityId: entityId(), destination: opts.spSloUrl, nameID }), 'LogoutRequest', o.key ?? key);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
