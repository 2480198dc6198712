// Typed authentication settings read from the environment. Fails closed: an ambiguous or
// half-configured setup is a startup error, never a silent fall-back to the dev issuer.
import { envInt, envString } from '../domain/env.js';

/** Names of the token claims that become a `Principal`. Each can be renamed for a given IdP. */
export interface ClaimNames {
  sub: string;
  scope: string;
  fhirUser: string;
  organization: string;
  role: string;
  purposeOfUse: string;
}

export const DEFAULT_CLAIM_NAMES: Readonly<ClaimNames> = Object.freeze({
  sub: 'sub',
  scope: 'scope',
  fhirUser: 'fhirUser',
  organization: 'organization',
  role: 'role',
  purposeOfUse: 'purpose_of_use',
});

/** Environment variable that renames each claim. */
export const CLAIM_ENV: Readonly<Record<keyof ClaimNames, string>> = Object.freeze({
  sub: 'AUTH_CLAIM_SUB',
  scope: 'AUTH_CLAIM_SCOPE',
  fhirUser: 'AUTH_CLAIM_FHIR_USER',
  organization: 'AUTH_CLAIM_ORGANIZATION',
  role: 'AUTH_CLAIM_ROLE',
  purposeOfUse: 'AUTH_CLAIM_PURPOSE_OF_USE',
});

export const DEFAULT_AUDIENCE = 'envelope';
export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
/** Five minutes: beyond that, clocks are broken rather than skewed. */
export const MAX_CLOCK_TOLERANCE_SEC = 300;

export interface AuthConfig {
  /** Path of a JWKS JSON file holding the IdP's public keys. */
  jwksFile?: string;
  /** https URL of the IdP's JWKS (http only for loopback hosts). */
  jwksUrl?: string;
  /** Required `iss`. Set exactly when jwksFile or jwksUrl is set; the dev issuer supplies its own. */
  issuer?: string;
  /** Required `aud`. */
  audience: string;
  claimNames: ClaimNames;
  clockToleranceSec: number;
}

/** True when no external IdP is configured, so the composition root must start the dev issuer. */
export function usesDevIssuer(config: AuthConfig): boolean {
  return config.jwksFile === undefined && config.jwksUrl === undefined;
}


/** The audience the server expects; shared with the dev issuer so its tokens match. */
export function audienceFromEnv(env: NodeJS.ProcessEnv): string {
  return envString(env, 'AUTH_AUDIENCE') ?? DEFAULT_AUDIENCE;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function checkJwksUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`AUTH_JWKS_URL is not a valid URL`);
  }
  // Keys fetched over plain http could be swapped in transit, which is a full authentication bypass.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error('AUTH_JWKS_URL must use https (plain http is allowed only for localhost)');
  }
  return url.toString();
}

function claimName(env: NodeJS.ProcessEnv, key: keyof ClaimNames): string {
  const v = envString(env, CLAIM_ENV[key]);
  if (v === undefined) return DEFAULT_CLAIM_NAMES[key];
  if (v.length > 200) throw new Error(`${CLAIM_ENV[key]} is too long`);
  return v;
}

/** Reads and validates the AUTH_* variables. Throws `Error` with the variable name on a bad setup. */
export function authConfigFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const jwksFile = envString(env, 'AUTH_JWKS_FILE');
  const jwksUrlRaw = envString(env, 'AUTH_JWKS_URL');
  const issuer = envString(env, 'AUTH_ISSUER');
  if (jwksFile !== undefined && jwksUrlRaw !== undefined) {
    throw new Error('Set only one of AUTH_JWKS_FILE and AUTH_JWKS_URL');
  }
  const external = jwksFile !== undefined || jwksUrlRaw !== undefined;
  if (external && issuer === undefined) {
    throw new Error('AUTH_ISSUER is required when AUTH_JWKS_FILE or AUTH_JWKS_URL is set');
  }
  if (!external && issuer !== undefined) {
    // Without this, a typo in the JWKS variable would quietly start the dev issuer instead.
    throw new Error('AUTH_ISSUER is set but neither AUTH_JWKS_FILE nor AUTH_JWKS_URL is');
  }

  const clockToleranceSec = envInt(env, 'AUTH_CLOCK_TOLERANCE_SEC', DEFAULT_CLOCK_TOLERANCE_SEC, 0, MAX_CLOCK_TOLERANCE_SEC);

  const claimNames: ClaimNames = {
    sub: claimName(env, 'sub'),
    scope: claimName(env, 'scope'),
    fhirUser: claimName(env, 'fhirUser'),
    organization: claimName(env, 'organization'),
    role: claimName(env, 'role'),
    purposeOfUse: claimName(env, 'purposeOfUse'),
  };

  const config: AuthConfig = { audience: audienceFromEnv(env), claimNames, clockToleranceSec };
  if (jwksFile !== undefined) config.jwksFile = jwksFile;
  if (jwksUrlRaw !== undefined) config.jwksUrl = checkJwksUrl(jwksUrlRaw);
  if (issuer !== undefined) config.issuer = issuer;
  return config;
}

// ---- Envelope's own token endpoint (/auth/token, client credentials) ----

export const DEFAULT_TOKEN_TTL_SEC = 300;
/** IHE IUA: access tokens should live at most an hour. */
export const MAX_TOKEN_TTL_SEC = 3600;

export interface TokenEndpointConfig {
  /** Registered clients (JSON). Unset: no client is registered and every client is unknown. */
  clientsFile?: string;
  /** Envelope's private signing key (JWK or PKCS#8 PEM). Unset: a key generated in DATA_DIR. */
  signingKeyFile?: string;
  /** `iss` of the tokens Envelope issues. */
  issuer: string;
  /** Lifetime of the tokens Envelope issues. */
  ttlSec: number;
}

/**
 * Reads AUTH_CLIENTS_FILE, AUTH_SIGNING_KEY_FILE, AUTH_TOKEN_ISSUER and AUTH_TOKEN_TTL_SEC. The issuer
 * must not depend on the request (every token is checked against one value), so it defaults to
 * PUBLIC_BASE_URL, else `http://localhost:<PORT>`.
 */
export function tokenEndpointConfigFromEnv(env: NodeJS.ProcessEnv, server: { publicBaseUrl?: string; port: number }): TokenEndpointConfig {
  const issuer = envString(env, 'AUTH_TOKEN_ISSUER') ?? server.publicBaseUrl ?? `http://localhost:${server.port}`;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error('AUTH_TOKEN_ISSUER must be an http(s) URL such as https://envelope.example.org');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('AUTH_TOKEN_ISSUER must be an http(s) URL');
  const ttlSec = envInt(env, 'AUTH_TOKEN_TTL_SEC', DEFAULT_TOKEN_TTL_SEC, 1, MAX_TOKEN_TTL_SEC);
  const config: TokenEndpointConfig = { issuer, ttlSec };
  const clientsFile = envString(env, 'AUTH_CLIENTS_FILE');
  if (clientsFile !== undefined) config.clientsFile = clientsFile;
  const signingKeyFile = envString(env, 'AUTH_SIGNING_KEY_FILE');
  if (signingKeyFile !== undefined) config.signingKeyFile = signingKeyFile;
  return config;
}
