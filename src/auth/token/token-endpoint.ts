// POST /auth/token, independent of HTTP: form parameters in, an RFC 6749 §5.1 body out, or an
// OAuthError (§5.2). Order: request shape, then client authentication (which spends the jti), then
// the scope decision, then the token.
import { signAccessToken, type AccessTokenSettings } from './access-token.js';
import type { ClientAuthenticator } from './client-assertion.js';
import { OAuthError } from './oauth-error.js';
import { grantScopes } from './scope-grant.js';
import { parseTokenRequest } from './token-request.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface TokenEndpointCall {
  params: readonly (readonly [string, string])[];
  /** The exact `aud` client assertions must carry: this endpoint's public URL. */
  endpointUrl: string;
}

export type TokenEndpoint = (call: TokenEndpointCall) => Promise<TokenResponse>;

export function createTokenEndpoint(deps: { clients: ClientAuthenticator; tokens: AccessTokenSettings; now: () => Date }): TokenEndpoint {
  return async ({ params, endpointUrl }) => {
    const request = parseTokenRequest(params);
    const now = deps.now();
    const client = await deps.clients.authenticate(request.clientAssertion, request.clientId, { audience: endpointUrl, now });
    const scopes = grantScopes(request.scope, { allowed: client.scopes, role: client.roleScopes, roleName: client.role });
    const issued = await signAccessToken(client, scopes, deps.tokens, now);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scopes.join(' ') };
  };
}

/** With no clients registered (AUTH_CLIENTS_FILE unset) the request is still checked, then every client is unknown. */
export const noClientsEndpoint: TokenEndpoint = async ({ params }) => {
  parseTokenRequest(params);
  throw new OAuthError('invalid_client', 'Unknown client');
};
