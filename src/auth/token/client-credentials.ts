// System sign-on assembled from configuration: the registered clients, Envelope's signing key, the
// token endpoint, the verifier for the tokens it issues, and who may assert end-user context.
// The composition root calls this once and wires the pieces into the app and the authenticator.
import type { JSONWebKeySet } from 'jose';
import type { RecordStore } from '../../domain/records.js';
import { NO_CLIENTS, type ClientRegistry, type RoleScopes } from '../clients/client-registry.js';
import { loadClientRegistry } from '../clients/load-clients.js';
import type { AuthConfig, TokenEndpointConfig } from '../config.js';
import type { EndUserRights } from '../end-user-context.js';
import { createJwtVerifier } from '../jwt-verifier.js';
import { clientAuthenticator } from './client-assertion.js';
import { loadSigningKey } from './signing-key.js';
import { createTokenEndpoint, noClientsEndpoint, type TokenEndpoint } from './token-endpoint.js';
import type { TrustedIssuer } from './trusted-issuers.js';

export interface ClientCredentials {
  clients: ClientRegistry;
  tokenEndpoint: TokenEndpoint;
  /** Envelope's public signing keys (none until a key is configured or clients are registered). */
  jwks: JSONWebKeySet;
  /** The issuer the bearer verifier trusts besides the configured one; undefined without a key. */
  ownIssuer?: TrustedIssuer;
  endUserRights: EndUserRights;
  /** For the start-up log line. */
  describe: string;
}

export interface ClientCredentialsDeps {
  auth: AuthConfig;
  /** `iss` of the configured token source (external IdP or dev issuer); must differ from ours. */
  configuredIssuer: string;
  dataDir: string;
  roleScopes: RoleScopes;
  records: Pick<RecordStore, 'claimOnce'>;
  now: () => Date;
}

export async function createClientCredentials(config: TokenEndpointConfig, deps: ClientCredentialsDeps): Promise<ClientCredentials> {
  const clients = config.clientsFile === undefined ? NO_CLIENTS : await loadClientRegistry(config.clientsFile, deps.roleScopes);
  const endUserRights: EndUserRights = (id) => clients.get(id)?.endUserContext;
  // No key is made (nor written to DATA_DIR) while nothing could use it.
  if (config.clientsFile === undefined && config.signingKeyFile === undefined) {
    return { clients, tokenEndpoint: noClientsEndpoint, jwks: { keys: [] }, endUserRights, describe: 'no system clients' };
  }
  if (config.issuer === deps.configuredIssuer) {
    // One iss for two key sets would let either key vouch for the other issuer's tokens.
    throw new Error(`AUTH_TOKEN_ISSUER ${config.issuer} is also the configured token issuer; Envelope's own tokens need an issuer of their own`);
  }
  const key = await loadSigningKey(config.signingKeyFile === undefined ? { dataDir: deps.dataDir } : { file: config.signingKeyFile, dataDir: deps.dataDir });
  const tokens = { issuer: config.issuer, audience: deps.auth.audience, ttlSec: config.ttlSec, claimNames: deps.auth.claimNames, key };
  const verifier = await createJwtVerifier({
    jwks: { keys: [key.publicJwk] },
    issuer: config.issuer,
    audience: deps.auth.audience,
    claimNames: deps.auth.claimNames,
    clockToleranceSec: deps.auth.clockToleranceSec,
    authMethod: 'client-credentials',
    now: deps.now,
  });
  const authenticator = clientAuthenticator({ clients, records: deps.records, clockToleranceSec: deps.auth.clockToleranceSec });
  return {
    clients,
    tokenEndpoint: createTokenEndpoint({ clients: authenticator, tokens, now: deps.now }),
    jwks: { keys: [key.publicJwk] },
    ownIssuer: { issuer: config.issuer, verifier },
    endUserRights,
    describe: `${clients.size} system client(s), tokens issued as ${config.issuer}`,
  };
}
