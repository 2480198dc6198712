// The search module's public surface: the registry of parameters, the indexer and the query parser.
export {
  buildRegistry, loadR4Registry, readR4SearchParameters, COMMON_PARAM_CODES,
  type SearchRegistry, type SearchParamDef, type SearchParamType, type SearchParamComponent,
  type ReferenceParamRef, type RegistryOptions,
} from './registry.js';
export { createIndexer, type IndexFn, type IndexerOptions } from './indexer.js';
export { parseSearch, type ParseOptions, type ParsedSearch, type IncludeSpec, type SummaryMode } from './parse.js';
export { OF_TYPE_SUFFIX } from './extract.js';
export { normalizeString } from './normalize.js';
export { parseDateRange, MIN_INSTANT, MAX_INSTANT, type InstantRange } from './dates.js';
