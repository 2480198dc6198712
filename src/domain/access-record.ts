// What the server knows about one interaction, as plain data: the input from which the audit
// layer builds its AuditEvents (src/audit/balp.ts). Filled in by src/access while a request runs (and by
// the sign-on routes for logins and token grants); nothing in it is sent to a client. In src/domain
// because several layers fill it in; src/audit/access-record.ts re-exports it.
import type { Principal } from './principal.js';

/** DICOM/BALP outcome: 0 success, 4 minor failure (the client's fault), 8 serious failure, 12 major failure (server). */
export type AuditOutcome = '0' | '4' | '8' | '12';

export interface AccessRecord {
  /** X-Request-ID of the request (echoed in the response). */
  requestId: string;
  /**
   * FHIR restful interaction code (read, vread, update, patch, delete, history-instance,
   * history-type, history-system, create, search-type, search-system, capabilities, batch,
   * transaction, operation), or a sign-on event: login, logout, token, claim-relationship.
   */
  interaction: string;
  /** For interaction 'operation': its name, e.g. `$hold`. */
  operation?: string;
  /** C create, R read (and history), U update, D delete, E execute (searches — BALP Query —, operations, batch, login). */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /** When the interaction ended (UTC instant). */
  recorded: string;
  outcome: {
    code: AuditOutcome;
    /** HTTP status sent. */
    status: number;
    /** The OperationOutcome's text (diagnostics) on failure. */
    text?: string;
  };
  /** Who asked; absent when the request could not be authenticated. */
  principal?: Principal;
  /** The client's network address and software, as seen by the server. */
  client: { address?: string; userAgent?: string };
  /** This server (the observer). */
  server: { name: string; version: string; address?: string };
  /** The HTTP method and path (without query) of the request. */
  method: string;
  path: string;
  /** The query string as received (searches), without the leading `?`. */
  query?: string;
  /**
   * Every resource the interaction touched or disclosed (read, written, returned in a Bundle), with
   * the patient (id) it is about when it is about exactly one.
   */
  resources: { type: string; id: string; versionId?: number; patient?: string }[];
  /** Ids of the patients whose data the interaction involved (one AuditEvent per patient). */
  patients: string[];
  /** SAML sign-on: the assertion id (login) and the authentication context. */
  saml?: { assertionId?: string; authnContext?: string };
  /** Set when the policy masked sealed data: which resources, and which of their elements were withheld. */
  masked?: string[];
  /** Set when sealed data was opened by break glass: the reason the user gave and the patients concerned. */
  breakGlass?: { reason: string; patients: string[] };
}
