// Coded errors. Every failure a client can see is one of these and maps to an OperationOutcome.
import type { OperationOutcome, OperationOutcomeIssue } from './fhir.js';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';
/** FHIR issue-type codes used by Envelope (http://hl7.org/fhir/issue-type). */
export type IssueCode =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant' | 'security' | 'login' | 'unknown'
  | 'expired' | 'forbidden' | 'suppressed' | 'processing' | 'not-supported' | 'duplicate'
  | 'multiple-matches' | 'not-found' | 'deleted' | 'too-long' | 'code-invalid' | 'extension'
  | 'too-costly' | 'business-rule' | 'conflict' | 'transient' | 'lock-error' | 'no-store'
  | 'exception' | 'timeout' | 'incomplete' | 'throttled' | 'informational';

export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  /** FHIRPath-style location of the fault, e.g. `Appointment.status`. */
  expression?: string[];
  /** Optional coded detail (for example NHS Spine error codes). */
  details?: { system: string; code: string; display?: string };
}

/** e-RS error code system (NO_RELATIONSHIP). */
export const ERS_ERROR_SYSTEM = 'https://fhir.nhs.uk/CodeSystem/ers-error-codes';
/** Spine error code system used for `details` (GP Connect style). */
export const SPINE_ERROR_SYSTEM = 'https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1';

export class FhirError extends Error {
  readonly status: number;
  readonly issues: Issue[];
  readonly headers: Record<string, string>;
  constructor(status: number, issues: Issue | Issue[], headers: Record<string, string> = {}) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((i) => i.diagnostics).join('; '));
    this.name = 'FhirError';
    this.status = status;
    this.issues = list;
    this.headers = headers;
  }
}

/**
 * Diagnostics may quote the client's input (a parameter name, a value); a hostile megabyte of it
 * must not come back, nor fill the audit trail. Longer text is cut, saying so.
 */
export const MAX_DIAGNOSTICS = 2000;
function clip(text: string): string {
  return text.length <= MAX_DIAGNOSTICS ? text : `${text.slice(0, MAX_DIAGNOSTICS)}… (${text.length - MAX_DIAGNOSTICS} more characters not shown)`;
}

function issue(code: IssueCode, diagnostics: string, expression?: string | string[], details?: Issue['details']): Issue {
  const i: Issue = { severity: 'error', code, diagnostics: clip(diagnostics) };
  if (expression !== undefined) i.expression = Array.isArray(expression) ? expression : [expression];
  if (details) i.details = details;
  return i;
}
function spine(code: string, display: string): Issue['details'] {
  return { system: SPINE_ERROR_SYSTEM, code, display };
}

export const errors = {
  badRequest: (msg: string, expression?: string | string[]) =>
    new FhirError(400, issue('invalid', msg, expression, spine('BAD_REQUEST', 'Bad request'))),
  structure: (msg: string, expression?: string | string[]) =>
    new FhirError(400, issue('structure', msg, expression, spine('BAD_REQUEST', 'Bad request'))),
  unauthorized: (msg: string) =>
    new FhirError(401, issue('login', msg), { 'WWW-Authenticate': 'Bearer realm="envelope"' }),
  forbidden: (msg = 'Access denied') =>
    new FhirError(403, issue('forbidden', msg, undefined, spine('ACCESS_DENIED', 'Access denied'))),
  /** No legitimate relationship with the patient (e-RS answers NO_RELATIONSHIP as 403). */
  noRelationship: (msg: string) =>
    new FhirError(403, issue('forbidden', msg, undefined, { system: ERS_ERROR_SYSTEM, code: 'NO_RELATIONSHIP', display: 'No legitimate relationship' })),
  /** The patient's consent does not allow this (GP Connect answers NO_PATIENT_CONSENT as 403). */
  noPatientConsent: (msg: string) =>
    new FhirError(403, issue('forbidden', msg, undefined, spine('NO_PATIENT_CONSENT', 'Patient has not provided consent to share data'))),
  notFound: (msg: string) => new FhirError(404, issue('not-found', msg, undefined, spine('NO_RECORD_FOUND', 'No record found'))),
  methodNotAllowed: (msg: string) => new FhirError(405, issue('not-supported', msg)),
  notAcceptable: (msg: string) => new FhirError(406, issue('not-supported', msg)),
  conflict: (msg: string, expression?: string | string[]) => new FhirError(409, issue('conflict', msg, expression)),
  duplicate: (msg: string, expression?: string | string[]) =>
    new FhirError(409, issue('duplicate', msg, expression, spine('DUPLICATE_REJECTED', 'Duplicate rejected'))),
  gone: (msg: string) => new FhirError(410, issue('deleted', msg)),
  preconditionFailed: (msg: string, expression?: string | string[]) => new FhirError(412, issue('conflict', msg, expression)),
  multipleMatches: (msg: string) => new FhirError(412, issue('multiple-matches', msg)),
  tooLarge: (msg: string) => new FhirError(413, issue('too-long', msg)),
  unsupportedMediaType: (msg: string) => new FhirError(415, issue('not-supported', msg)),
  unprocessable: (issues: Issue | Issue[]) => new FhirError(422, issues),
  invalid: (msg: string, expression?: string | string[], code: IssueCode = 'invalid') =>
    new FhirError(422, issue(code, msg, expression, spine('INVALID_RESOURCE', 'Invalid resource'))),
  notImplemented: (msg: string) => new FhirError(501, issue('not-supported', msg, undefined, spine('NOT_IMPLEMENTED', 'Not implemented'))),
  /**
   * 503: a transient condition (the store or the audit trail cannot be used just now); Retry-After
   * tells the client it may try again in a moment (RFC 9110 §15.6.4). `cause`, the engine's own
   * error, is kept for the server's log and never shown to the client.
   */
  unavailable: (msg: string, cause?: unknown) => {
    const e = new FhirError(503, issue('transient', msg), { 'Retry-After': '1' });
    if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause });
    return e;
  },
  internal: (msg = 'Internal server error') => new FhirError(500, issue('exception', msg, undefined, spine('INTERNAL_SERVER_ERROR', 'Internal server error'))),
  issue,
};

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i): OperationOutcomeIssue => {
      const text = clip(i.diagnostics);
      const out: OperationOutcomeIssue = { severity: i.severity, code: i.code, diagnostics: text };
      if (i.details) out.details = { coding: [{ ...i.details }], text };
      if (i.expression) out.expression = i.expression.map(clip);
      return out;
    }),
  };
}

export function informational(msg: string): OperationOutcome {
  return operationOutcome([{ severity: 'information', code: 'informational', diagnostics: msg }]);
}
