// The shape of a parsed FHIR search, as the engine consumes it. src/search produces it.
import type { Issue } from '../domain/errors.js';
import type { Cond, SearchRequest } from '../domain/search-types.js';

export interface IncludeSpec {
  sourceType: string;
  /** Reference search parameter code, or '*' for every reference parameter. */
  param: string;
  targetType?: string;
  iterate: boolean;
  wildcard: boolean;
}

export type SummaryMode = 'true' | 'count' | 'data' | 'text' | 'false';

export interface ParsedSearch {
  request: SearchRequest;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: SummaryMode;
  elements?: string[];
  /** Warnings about ignored parameters (lenient handling). */
  issues: Issue[];
}

export interface SearchParser {
  parse(types: string[], params: [string, string][], opts: { strict: boolean }): ParsedSearch;
  /** Reference parameters of a type (for _include=Type:*) with their target types. */
  referenceParams(type: string): { code: string; targets: string[] }[];
  /** Membership of `memberType` in the compartment `ownerType/id`; undefined when not a member or no such compartment. */
  compartment(ownerType: string, id: string, memberType: string): Cond | undefined;
  /** Compartments served (owner resource types). */
  compartmentTypes(): string[];
  /** Every search parameter of a type, for the CapabilityStatement. */
  searchParams(type: string): SearchParamInfo[];
}

export interface SearchParamInfo {
  code: string;
  type: 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';
  url?: string;
  description?: string;
}
