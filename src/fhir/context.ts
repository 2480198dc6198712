// What every interaction handler receives: the request, the guard for its principal and the engine's
// collaborators. Handlers never see the store; they go through the guard.
import type { Guard } from '../access/guard.js';
import type { Issue } from '../domain/errors.js';
import type { Resource } from '../domain/fhir.js';
import type { IndexValue } from '../domain/search-types.js';
import type { SearchParser } from './search-parser.js';
import type { FhirRequest } from './types.js';

export interface EngineDeps {
  /** Structural validation of a resource body; returns every issue found. */
  validate(resource: unknown, expectedType?: string): Issue[];
  parser: SearchParser;
  /** Extracts index values; used to follow references for _include. */
  indexer(resource: Resource): IndexValue[];
  newId(): string;
  /** Resource types this server serves. */
  resourceTypes: readonly string[];
  /** Names of the top-level elements of a type marked isSummary in R4 (for _summary=true). */
  summaryElementsOf(type: string): string[];
  software: { name: string; version: string };
  /** Told when the audit trail could not record a request (the request was answered 503). */
  onAuditFault?(e: unknown): void;
}

export interface Ctx {
  req: FhirRequest;
  guard: Guard;
  deps: EngineDeps;
}
