// Who is asking. Built by src/auth from a verified credential; read by src/policy and src/access.

/** `internal`: the server itself (its timers, such as the hold sweeper), never a request's caller. */
export type AuthMethod = 'jwt' | 'client-credentials' | 'saml' | 'internal';

/** A parsed SMART scope: context/type.permissions, with v1 read/write normalised to v2 letters. */
export interface Scope {
  context: 'patient' | 'user' | 'system' | '*';
  /** A resource type or `*`. */
  type: string;
  /** Subset of c r u d s. */
  permissions: Set<'c' | 'r' | 'u' | 'd' | 's'>;
}

export interface Principal {
  /** Subject identifier (user id or client id). */
  sub: string;
  authMethod: AuthMethod;
  /** The selected role; names are defined by the role policy file. */
  role: string;
  /** ODS code of the organisation the principal acts for. */
  organization?: string;
  /** e.g. `Practitioner/123` or `Patient/456`. */
  fhirUser?: string;
  scopes: Scope[];
  /** Purpose of use code (for example TREAT, ETREAT). */
  purposeOfUse?: string;
  /** Token id (jti) for audit. */
  tokenId?: string;
  /** Issuer of the credential. */
  issuer?: string;
  /** A system client (`/auth/token` client credentials): its registered client id. */
  clientId?: string;
  /**
   * The end user a registered system asserted through the request context headers, when the client
   * is registered as allowed to assert them. `organization` and `role` above are then the end
   * user's; this keeps who asserted what for the audit trail.
   */
  endUser?: { id?: string; organization?: string; role?: string };
  /** SAML sign-on: the server-side session this request runs in. */
  sessionId?: string;
  /** SAML sign-on: the selected role profile (an NHS URID-like identifier). */
  roleProfileId?: string;
  /** The authentication context the identity provider asserted (SAML AuthnContextClassRef or JWT `acr`). */
  authnContext?: string;
  /** SAML sign-on: the ID of the assertion the session was started with (for the audit trail). */
  assertionId?: string;
}
