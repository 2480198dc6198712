// GET /.well-known/smart-configuration (SMART App Launch 2, "Conformance"): how clients get tokens.
// Each sign-on method contributes a part; parts are merged here, so adding a method (SAML sign-on
// for people, say) means adding one part in the composition root and nothing else.
import { RESOURCE_TYPES } from '../../domain/fhir.js';
import { ASSERTION_ALGORITHMS } from '../clients/client-keys.js';

export type SmartConfiguration = Record<string, unknown>;

/** One sign-on method's fields, given the server's public base URL (no trailing slash). */
export type SmartConfigurationPart = (baseUrl: string) => SmartConfiguration;

export const TOKEN_PATH = '/auth/token';
export const JWKS_PATH = '/.well-known/jwks.json';

/** Merges parts in order: arrays are unioned (first occurrence order), other fields keep the first value. */
export function smartConfiguration(baseUrl: string, parts: readonly SmartConfigurationPart[]): SmartConfiguration {
  const doc: SmartConfiguration = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part(baseUrl))) {
      const had = doc[k];
      if (had === undefined) doc[k] = Array.isArray(v) ? [...v] : v;
      else if (Array.isArray(had) && Array.isArray(v)) doc[k] = [...new Set([...had, ...v])];
    }
  }
  return doc;
}

/** The client-credentials grant of /auth/token (SMART Backend Services). */
export const clientCredentialsPart: SmartConfigurationPart = (baseUrl) => ({
  token_endpoint: `${baseUrl}${TOKEN_PATH}`,
  jwks_uri: `${baseUrl}${JWKS_PATH}`,
  grant_types_supported: ['client_credentials'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
  // What /auth/token can grant: v2 system scopes per served type (subsets of the letters too).
  scopes_supported: RESOURCE_TYPES.map((t) => `system/${t}.cruds`),
  capabilities: ['client-confidential-asymmetric', 'permission-v2', 'permission-v1'],
});
