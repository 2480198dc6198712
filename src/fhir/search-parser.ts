// What the engine needs from search: parsing (src/search/parse.ts produces the ParsedSearch it
// consumes), the reference parameters for includes, compartments and the parameter list.
import type { Cond } from '../domain/search-types.js';
import type { ParsedSearch } from '../search/parse.js';

export type { IncludeSpec, ParsedSearch, SummaryMode } from '../search/parse.js';

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
