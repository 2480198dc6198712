// Binds src/search (registry + parser) to the engine's SearchParser shape.
import { compartmentCondition, type Compartment } from '../search/compartment.js';
import type { SearchRegistry } from '../search/registry.js';
import { parseSearch } from '../search/parse.js';
import type { SearchParser, SearchParamInfo } from './search-parser.js';

export function searchParserFor(
  registry: SearchRegistry,
  compartments: Compartment[],
  opts: { defaultCount: number; maxCount: number; baseUrl?: string },
): SearchParser {
  return {
    compartment(ownerType, id, memberType) {
      const c = compartments.find((x) => x.type === ownerType);
      return c ? compartmentCondition(c, memberType, id) : undefined;
    },
    compartmentTypes: () => compartments.map((c) => c.type),
    parse(types, params, { strict }) {
      const o = { strict, defaultCount: opts.defaultCount, maxCount: opts.maxCount, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) };
      return parseSearch(types, params, registry, o);
    },
    referenceParams(type) {
      return registry.paramsFor(type).filter((p) => p.type === 'reference' && p.supported).map((p) => ({ code: p.code, targets: p.targets }));
    },
    searchParams(type) {
      return registry.paramsFor(type).filter((p) => p.supported).map((p): SearchParamInfo => ({ code: p.code, type: p.type, url: p.url, description: p.description }));
    },
  };
}
