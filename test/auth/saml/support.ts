// A real test IdP on localhost plus a composed Envelope configured against it, and a minimal browser
// (a cookie jar over supertest) that walks the sign-on the way a browser would: login → IdP → the
// auto-posting form → ACS → cookie.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Response } from 'supertest';
import { startSamlIdp, type TestIdp } from '../../../scripts/saml-idp/server.js';
import type { Attack } from '../../../scripts/saml-idp/response.js';
import type { IdpUser } from '../../../scripts/saml-idp/users.js';
import type { ComposeOptions } from '../../../src/compose.js';
import { startEnvelope, startEnvelopeWithPolicy, type TestEnvelope } from '../../helpers/envelope.js';

export const ORIGIN = 'http://envelope.test';
export const ACS_URL = `${ORIGIN}/auth/saml/acs`;

let keyDir: string | undefined;
/** One key folder per test process: openssl runs once, and parallel runs never share files. */
function sharedKeyDir(): string {
  keyDir ??= mkdtempSync(join(tmpdir(), 'envelope-saml-keys-'));
  return keyDir;
}
process.once('exit', () => {
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

export async function startIdp(opts: { users?: readonly IdpUser[]; origin?: string } = {}): Promise<TestIdp> {
  return startSamlIdp({
    keyDir: sharedKeyDir(), publicHost: '127.0.0.1', spSloUrl: `${opts.origin ?? ORIGIN}/auth/saml/slo`, ...(opts.users ? { users: opts.users } : {}),
  });
}

/** The environment that points Envelope at the IdP (plus any overrides). */
export function samlEnv(idp: TestIdp, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PUBLIC_BASE_URL: ORIGIN,
    SAML_IDP_SSO_URL: idp.ssoUrl,
    SAML_IDP_SLO_URL: idp.sloUrl,
    SAML_IDP_CERT_FILE: idp.certFile,
    SAML_IDP_ISSUER: idp.entityId,
    SAML_ATTR_NAME: 'displayName',
    SAML_ATTR_PRACTITIONER: 'practitioner',
    ...extra,
  };
}

export interface SamlWorld {
  idp: TestIdp;
  env: TestEnvelope;
  browser(): Browser;
  stop(): Promise<void>;
}

export async function startSamlWorld(opts: { env?: Record<string, string>; policy?: object; compose?: ComposeOptions; idp?: TestIdp } = {}): Promise<SamlWorld> {
  const idp = opts.idp ?? (await startIdp());
  const env = opts.policy
    ? await startEnvelopeWithPolicy(opts.policy, samlEnv(idp, opts.env), opts.compose)
    : await startEnvelope(samlEnv(idp, opts.env), opts.compose);
  return {
    idp,
    env,
    browser: () => new Browser(env, idp),
    async stop() {
      await env.stop();
      if (!opts.idp) await idp.close();
    },
  };
}

export interface IdpChoice {
  user: string;
  context?: 'smartcard' | 'password' | string;
  attack?: Attack;
  selected?: string;
}

export interface PostedForm {
  acsUrl: string;
  SAMLResponse: string;
  RelayState?: string;
}

function unescapeHtml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function setCookies(res: Response): string[] {
  const h = res.headers['set-cookie'] as unknown;
  return Array.isArray(h) ? (h as string[]) : typeof h === 'string' ? [h] : [];
}

/** A browser's view of Envelope: cookies it was given, sent back on every request. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly envelope: TestEnvelope, readonly idp: TestIdp) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  absorb(res: Response): Response {
    for (const c of setCookies(res)) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/;\s*Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const req = request(this.envelope.app).get(path).set(headers);
    if (this.cookies.size) req.set('Cookie', this.cookieHeader());
    return this.absorb(await req);
  }

  async post(path: string, body?: unknown, headers: Record<string, string> = {}, type = 'application/json'): Promise<Response> {
    const req = request(this.envelope.app).post(path).set(headers);
    if (this.cookies.size) req.set('Cookie', this.cookieHeader());
    if (body !== undefined) req.type(type).send(body as object);
    return this.absorb(await req);
  }

  /** GET /auth/saml/login: the 302 to the IdP (its URL) and the login-binding cookie. */
  async startLogin(returnTo?: string): Promise<string> {
    const res = await this.get(`/auth/saml/login${returnTo !== undefined ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
    if (res.status !== 302) throw new Error(`login answered ${res.status}: ${res.text}`);
    return res.headers['location'] as string;
  }

  /** What the IdP's auto-posting form would submit, for this choice of user (and attack). */
  async atIdp(idpUrl: string, choice: IdpChoice): Promise<PostedForm> {
    const url = new URL(idpUrl);
    url.searchParams.set('user', choice.user);
    if (choice.context) url.searchParams.set('context', choice.context);
    if (choice.attack) url.searchParams.set('attack', choice.attack);
    if (choice.selected) url.searchParams.set('selected', choice.selected);
    const res = await fetch(url);
    const html = await res.text();
    if (res.status !== 200) throw new Error(`IdP answered ${res.status}: ${html}`);
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
    const saml = /name="SAMLResponse" value="([^"]*)"/.exec(html)?.[1];
    const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
    if (!action || !saml) throw new Error('the IdP page has no SAMLResponse form');
    return { acsUrl: unescapeHtml(action), SAMLResponse: saml, ...(relay !== undefined ? { RelayState: unescapeHtml(relay) } : {}) };
  }

  /** Posts the form to Envelope's ACS, as the browser would after the IdP's page loads. */
  async postToAcs(form: PostedForm): Promise<Response> {
    const fields: Record<string, string> = { SAMLResponse: form.SAMLResponse };
    if (form.RelayState !== undefined) fields['RelayState'] = form.RelayState;
    return this.post(new URL(form.acsUrl).pathname, new URLSearchParams(fields).toString(), {}, 'application/x-www-form-urlencoded');
  }

  /** The whole sign-on; answers the ACS response. */
  async signOn(choice: IdpChoice, returnTo?: string): Promise<Response> {
    return this.postToAcs(await this.atIdp(await this.startLogin(returnTo), choice));
  }

  /** GET /auth/session's body (expects 200). */
  async session(): Promise<{ csrfToken: string; [k: string]: unknown }> {
    const res = await this.get('/auth/session');
    if (res.status !== 200) throw new Error(`/auth/session answered ${res.status}: ${res.text}`);
    return res.body as { csrfToken: string };
  }
}

/** Demo users of scripts/saml-idp/users.ts by what they are for. */
export const USERS = {
  gp: '555000000001',
  clerk: '555000000002',
  twoProfiles: '555000000003',
  unmapped: '555000000004',
} as const;
