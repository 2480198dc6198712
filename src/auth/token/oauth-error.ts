// Token endpoint errors in the OAuth format (RFC 6749 §5.2), not OperationOutcome: the endpoint speaks
// OAuth, and client libraries parse `error` to decide whether to retry or give up.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/** HTTP status per code: invalid_client is 401 (RFC 6749 §5.2), faults of ours 5xx, everything else 400. */
const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  /**
   * Said to the client. Written by us from fixed text plus at most identifiers the client sent as
   * parameters (a scope, a client id); never the assertion or anything decoded from an unverified one.
   */
  readonly description: string;
  constructor(code: OAuthErrorCode, description: string, status = STATUS[code]) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.code = code;
    this.status = status;
    this.description = description;
  }
}

/** The §5.2 body. error_description is limited to printable ASCII without `"` and `\` (RFC 6749 §5.2). */
export function oauthErrorBody(e: OAuthError): { error: OAuthErrorCode; error_description: string } {
  return { error: e.code, error_description: e.description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '').slice(0, 500) };
}
