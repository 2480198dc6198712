// The FHIR engine's own request/response model, independent of HTTP frameworks.
import type { Released } from '../access/released.js';
import type { Bundle, OperationOutcome, Resource } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FhirRequest {
  method: HttpMethod;
  /** Path below the FHIR base, split on '/', already URL-decoded, without empty segments. */
  segments: string[];
  /** Query parameters in order (repeats kept). */
  query: [string, string][];
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Parsed body (JSON), when there was one. */
  body?: unknown;
  /** Absolute base URL of the FHIR endpoint, e.g. `https://host/fhir`. */
  baseUrl: string;
  requestId: string;
  /** The X-Request-ID the client sent (absent when the server generated one). */
  clientRequestId?: string;
  principal: Principal;
  /** The client as the server saw it: network address and software (for the audit trail). */
  client?: { address?: string; userAgent?: string };
}

export type ReleasedBody = Released<Resource> | Released<Bundle> | Released<OperationOutcome>;

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  body?: ReleasedBody;
}
