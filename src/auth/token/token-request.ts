// The form parameters of a token request (RFC 6749 §4.4.2 with RFC 7523 client assertions), checked
// before any cryptography runs.
import { CLIENT_ASSERTION_TYPE } from './client-assertion.js';
import { OAuthError } from './oauth-error.js';

export interface ClientCredentialsRequest {
  clientAssertion: string;
  /** Optional (RFC 7523 §3): when sent it must equal the assertion's iss. */
  clientId?: string;
  scope?: string;
}

const KNOWN = ['grant_type', 'client_assertion_type', 'client_assertion', 'client_id', 'scope', 'client_secret'] as const;

/** Parameters in request order, repeats kept. Unknown parameters are ignored (RFC 6749 §3.2). */
export function parseTokenRequest(params: readonly (readonly [string, string])[]): ClientCredentialsRequest {
  const values = new Map<string, string>();
  for (const [k, v] of params) {
    if (!(KNOWN as readonly string[]).includes(k)) continue;
    // RFC 6749 §3.2: parameters MUST NOT be included more than once; guessing which one counts is unsafe.
    if (values.has(k)) throw new OAuthError('invalid_request', `The ${k} parameter is repeated`);
    // §3.1: a parameter sent without a value is treated as omitted.
    if (v !== '') values.set(k, v);
  }
  const grantType = values.get('grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required');
  if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
  if (values.has('client_secret')) throw new OAuthError('invalid_client', 'Client secrets are not accepted; authenticate with a private_key_jwt client assertion');
  const type = values.get('client_assertion_type');
  const assertion = values.get('client_assertion');
  if (type === undefined || assertion === undefined) {
    throw new OAuthError('invalid_client', `Client authentication is required: client_assertion_type=${CLIENT_ASSERTION_TYPE} and client_assertion`);
  }
  if (type !== CLIENT_ASSERTION_TYPE) throw new OAuthError('invalid_client', `Unsupported client_assertion_type; use ${CLIENT_ASSERTION_TYPE}`);
  const out: ClientCredentialsRequest = { clientAssertion: assertion };
  const clientId = values.get('client_id');
  if (clientId !== undefined) out.clientId = clientId;
  const scope = values.get('scope');
  if (scope !== undefined) out.scope = scope;
  return out;
}
