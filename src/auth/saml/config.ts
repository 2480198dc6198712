// SAML sign-on settings from the environment. Sign-on is on only when both the IdP's SSO URL and its
// certificate are given; every other SAML_* variable without those two is a start-up error, so a
// typo never leaves a half-configured sign-on silently switched off. Fails closed like src/auth/config.ts.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envInt, envString } from '../../domain/env.js';

export const SMARTCARD_CONTEXTS: readonly string[] = Object.freeze([
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
]);

export const DEFAULT_CLOCK_SKEW_SEC = 60;
/** Beyond five minutes clocks are broken rather than skewed (the same bound as AUTH_CLOCK_TOLERANCE_SEC). */
export const MAX_CLOCK_SKEW_SEC = 300;
/** An assertion is posted back seconds after it is issued; five minutes covers a slow browser. */
export const DEFAULT_MAX_ASSERTION_AGE_SEC = 300;
export const MAX_MAX_ASSERTION_AGE_SEC = 3600;

export interface SamlAttributeNames {
  userId: string;
  roleProfiles: string;
  selectedRole: string;
  name?: string;
  practitioner?: string;
}

export const DEFAULT_ATTRIBUTE_NAMES: Readonly<SamlAttributeNames> = Object.freeze({
  userId: 'uid',
  roleProfiles: 'nhsid_nrbac_roles',
  selectedRole: 'selected_roleid',
});

export interface SamlConfig {
  idpSsoUrl: string;
  idpSloUrl?: string;
  /** PEM certificates the IdP may sign with (more than one during a key rollover). */
  idpCerts: string[];
  /** When set, the assertion's (and logout messages') Issuer must equal it. */
  idpIssuer?: string;
  spEntityId: string;
  /** Absolute URLs of Envelope's own endpoints, as the IdP must address them. */
  acsUrl: string;
  sloUrl: string;
  /** Envelope's origin (scheme://host[:port]) for same-origin checks. */
  origin: string;
  /** Signs AuthnRequests and logout messages when set (PEM). */
  spKey?: string;
  spCert?: string;
  clockSkewMs: number;
  maxAssertionAgeMs: number;
  /** AuthnContextClassRef URIs that count as smartcard strength. */
  strongAuthnContexts: string[];
  attributes: SamlAttributeNames;
  roleMapFile: string;
}

export interface ServerSettings {
  publicBaseUrl?: string;
  port: number;
  production: boolean;
}


const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or plain http for a loopback host (a local test IdP). */
function idpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = envString(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error(`${name} must use https (plain http is allowed only for localhost)`);
  }
  return url.toString();
}

function readText(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${variable}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Every PEM certificate in a file, each checked to be a parseable X.509 certificate. */
function readCertificates(file: string, variable: string): string[] {
  const pems = readText(file, variable).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new Error(`${variable}: ${file} holds no PEM certificate`);
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new Error(`${variable}: ${file} holds a certificate that cannot be parsed`);
    }
  }
  return pems;
}

function readPrivateKey(file: string, variable: string): string {
  const pem = readText(file, variable);
  try {
    createPrivateKey(pem);
  } catch {
    throw new Error(`${variable}: ${file} is not a PEM private key`);
  }
  return pem;
}


function attributeName(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = envString(env, name);
  if (v !== undefined && v.length > 200) throw new Error(`${name} is too long`);
  return v;
}

function strongContexts(env: NodeJS.ProcessEnv): string[] {
  const raw = envString(env, 'SAML_STRONG_AUTHN_CONTEXTS');
  if (raw === undefined) return [...SMARTCARD_CONTEXTS];
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('SAML_STRONG_AUTHN_CONTEXTS must list at least one AuthnContextClassRef URI');
  for (const uri of list) {
    // Class refs are URIs (urn:… or http(s)://…); a bare word is a mistake, not a class.
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new Error(`SAML_STRONG_AUTHN_CONTEXTS: "${uri}" is not a URI`);
  }
  return list;
}

/** Undefined when SAML sign-on is not configured. Throws an Error naming the variable on a bad setup. */
export function samlConfigFromEnv(env: NodeJS.ProcessEnv, server: ServerSettings): SamlConfig | undefined {
  const idpSsoUrl = idpUrl(env, 'SAML_IDP_SSO_URL');
  const certFile = envString(env, 'SAML_IDP_CERT_FILE');
  if (idpSsoUrl === undefined || certFile === undefined) {
    const stray = Object.keys(env).filter((k) => k.startsWith('SAML_') && envString(env, k) !== undefined).sort();
    if (stray.length > 0) {
      throw new Error(`SAML sign-on needs both SAML_IDP_SSO_URL and SAML_IDP_CERT_FILE (set: ${stray.join(', ')})`);
    }
    return undefined;
  }
  if (server.production && server.publicBaseUrl === undefined) {
    // The ACS URL and entity id are absolute and fixed; in production they cannot be guessed from localhost.
    throw new Error('SAML sign-on in production needs PUBLIC_BASE_URL (the address the identity provider posts back to)');
  }
  const base = server.publicBaseUrl ?? `http://localhost:${server.port}`;
  const spKeyFile = envString(env, 'SAML_SP_KEY_FILE');
  const spCertFile = envString(env, 'SAML_SP_CERT_FILE');
  if ((spKeyFile === undefined) !== (spCertFile === undefined)) {
    throw new Error('Set both SAML_SP_KEY_FILE and SAML_SP_CERT_FILE, or neither');
  }
  const spEntityId = envString(env, 'SAML_SP_ENTITY_ID') ?? `${base}/auth/saml/metadata`;
  if (spEntityId.length > 1024) throw new Error('SAML_SP_ENTITY_ID is too long');
  const config: SamlConfig = {
    idpSsoUrl,
    idpCerts: readCertificates(certFile, 'SAML_IDP_CERT_FILE'),
    spEntityId,
    acsUrl: `${base}/auth/saml/acs`,
    sloUrl: `${base}/auth/saml/slo`,
    origin: new URL(base).origin,
    clockSkewMs: envInt(env, 'SAML_CLOCK_SKEW_SEC', DEFAULT_CLOCK_SKEW_SEC, 0, MAX_CLOCK_SKEW_SEC) * 1000,
    maxAssertionAgeMs: envInt(env, 'SAML_MAX_ASSERTION_AGE_SEC', DEFAULT_MAX_ASSERTION_AGE_SEC, 10, MAX_MAX_ASSERTION_AGE_SEC) * 1000,
    strongAuthnContexts: strongContexts(env),
    attributes: {
      userId: attributeName(env, 'SAML_ATTR_USER_ID') ?? DEFAULT_ATTRIBUTE_NAMES.userId,
      roleProfiles: attributeName(env, 'SAML_ATTR_ROLE_PROFILES') ?? DEFAULT_ATTRIBUTE_NAMES.roleProfiles,
      selectedRole: attributeName(env, 'SAML_ATTR_SELECTED_ROLE') ?? DEFAULT_ATTRIBUTE_NAMES.selectedRole,
    },
    roleMapFile: resolve(envString(env, 'SAML_ROLE_MAP_FILE') ?? new URL('../../../../policy/saml-roles.json', import.meta.url).pathname),
  };
  const sloUrl = idpUrl(env, 'SAML_IDP_SLO_URL');
  if (sloUrl !== undefined) config.idpSloUrl = sloUrl;
  const idpIssuer = envString(env, 'SAML_IDP_ISSUER');
  if (idpIssuer !== undefined) config.idpIssuer = idpIssuer;
  if (spKeyFile !== undefined && spCertFile !== undefined) {
    config.spKey = readPrivateKey(spKeyFile, 'SAML_SP_KEY_FILE');
    config.spCert = readCertificates(spCertFile, 'SAML_SP_CERT_FILE')[0] as string;
  }
  const name = attributeName(env, 'SAML_ATTR_NAME');
  if (name !== undefined) config.attributes.name = name;
  const practitioner = attributeName(env, 'SAML_ATTR_PRACTITIONER');
  if (practitioner !== undefined) config.attributes.practitioner = practitioner;
  return config;
}
