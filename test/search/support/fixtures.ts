// Shared test fixtures: the official registry (built once) and the official R4 examples.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Resource } from '../../../src/domain/fhir.js';
import { RESOURCE_TYPES } from '../../../src/domain/fhir.js';
import { buildRegistry, readR4SearchParameters, type SearchRegistry } from '../../../src/search/registry.js';
import { parseSearch, type ParseOptions, type ParsedSearch } from '../../../src/search/parse.js';

const require = createRequire(import.meta.url);
export const EXAMPLES_DIR = dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

export function example<T extends Resource = Resource>(name: string): T {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as T;
}

const bundle = readR4SearchParameters();
export const registry: SearchRegistry = buildRegistry(bundle);
/** Envelope's types plus a few with number, quantity and composite parameters, for those tests. */
export const wideRegistry: SearchRegistry = buildRegistry(bundle, {
  types: [...RESOURCE_TYPES, 'Observation', 'RiskAssessment', 'Encounter'],
});

export const BASE = 'https://envelope.example.org/fhir';
export const NOW = new Date('2025-06-15T12:00:00.000Z');
export const LENIENT: ParseOptions = { strict: false, defaultCount: 20, maxCount: 100, baseUrl: BASE, now: NOW };
export const STRICT: ParseOptions = { ...LENIENT, strict: true };

/** Parses a query string (`a=1&b=2`) for `types`. */
export function parse(types: string | string[], query: string, opts: ParseOptions = LENIENT, reg: SearchRegistry = registry): ParsedSearch {
  const pairs = [...new URLSearchParams(query)] as [string, string][];
  return parseSearch(Array.isArray(types) ? types : [types], pairs, reg, opts);
}

/** The single condition a one-parameter query compiles to. */
export function where(types: string | string[], query: string, reg: SearchRegistry = registry): unknown {
  const parsed = parse(types, query, LENIENT, reg);
  if (parsed.request.where.length !== 1) throw new Error(`expected one condition, got ${JSON.stringify(parsed.request.where)}`);
  return parsed.request.where[0];
}
