// Chooses the key source for the bearer verifier: the configured IdP, or else the dev issuer.
// Kept apart from main.ts so the choice (and its refusal in production) is tested here.
import type { AuthConfig } from './config.js';
import { usesDevIssuer } from './config.js';
import { ensureDevIssuer } from './dev-issuer.js';
import type { JwtVerifier, VerifierConfig } from './jwt-verifier.js';
import { createJwtVerifier } from './jwt-verifier.js';

export type KeySourceKind = 'jwks-file' | 'jwks-url' | 'dev-issuer';

export interface BearerAuth {
  verifier: JwtVerifier;
  /** For the start-up log line. */
  keySource: KeySourceKind;
  issuer: string;
  audience: string;
}

/** Throws (so the server does not start) on a bad JWKS, or when the dev issuer is needed in production. */
export async function createBearerAuth(config: AuthConfig, opts: { dataDir: string; env: NodeJS.ProcessEnv }): Promise<BearerAuth> {
  const common = { audience: config.audience, claimNames: config.claimNames, clockToleranceSec: config.clockToleranceSec };
  let vc: VerifierConfig;
  let keySource: KeySourceKind;
  if (usesDevIssuer(config)) {
    const dev = await ensureDevIssuer(opts.dataDir, opts.env);
    vc = { ...common, jwks: dev.jwks, issuer: dev.issuer };
    keySource = 'dev-issuer';
  } else if (config.jwksFile !== undefined) {
    vc = { ...common, jwksFile: config.jwksFile, issuer: config.issuer as string };
    keySource = 'jwks-file';
  } else {
    vc = { ...common, jwksUrl: config.jwksUrl as string, issuer: config.issuer as string };
    keySource = 'jwks-url';
  }
  return { verifier: await createJwtVerifier(vc), keySource, issuer: vc.issuer, audience: vc.audience };
}
