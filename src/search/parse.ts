// parseSearch: a FHIR search query (already split into name/value pairs and URL-decoded) compiled
// into the engine-neutral SearchRequest, plus what the FHIR layer needs to shape the result
// (includes, _summary, _elements) and the warnings for what was ignored.
import type { Issue } from '../domain/errors.js';
import type { Cond, SearchRequest, SortKey, TotalMode } from '../domain/search-types.js';
import { parseCount, parseElements, parseSort, parseSummary, parseTotal, type SummaryMode } from './control.js';
import { parseInclude, type IncludeSpec } from './include.js';
import { bad, UnknownParameter, type ParseContext } from './query/context.js';
import { criterion } from './query/criterion.js';
import { normalizeBase } from './references.js';
import type { SearchRegistry } from './registry.js';

export type { IncludeSpec } from './include.js';
export type { SummaryMode } from './control.js';

export interface ParseOptions {
  /** Unknown or unsupported parameters: true → 400, false → ignored with a warning. */
  strict: boolean;
  defaultCount: number;
  maxCount: number;
  /** This server's base URL, so that absolute references to it are read as local. */
  baseUrl?: string;
  /** The reference instant for `ap` on dates (default: the current time). */
  now?: Date;
}

export interface ParsedSearch {
  request: SearchRequest;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: SummaryMode;
  elements?: string[];
  /** Warnings: parameters ignored under lenient handling, a capped _count, empty values. */
  issues: Issue[];
}

/** Accepted and deliberately without effect here (the HTTP layer handles the format). */
const IGNORED = new Set(['_format', '_pretty']);
/** Result parameters, which take no modifier. */
const CONTROL = new Set(['_sort', '_count', '_total', '_summary', '_elements', '_cursor']);
/** FHIR search features Envelope does not implement; treated like unknown parameters. */
const NOT_IMPLEMENTED = new Set(['_text', '_content', '_list', '_query', '_filter', '_contained', '_containedType', '_graph']);

function warning(param: string, diagnostics: string, code: Issue['code'] = 'not-supported'): Issue {
  return { severity: 'warning', code, diagnostics, expression: [param] };
}

function baseName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(0, i);
}

/** Narrows a system search with `_type=A,B`. */
function applyType(types: string[], value: string, registry: SearchRegistry): string[] {
  const wanted = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of wanted) if (!registry.isType(t)) throw bad('_type', `'${t}' is not a resource type served here`);
  const kept = types.filter((t) => wanted.includes(t));
  if (kept.length === 0) throw bad('_type', `_type=${value} leaves nothing to search`);
  return kept;
}

export function parseSearch(
  types: string[],
  params: [string, string][],
  registry: SearchRegistry,
  opts: ParseOptions,
): ParsedSearch {
  if (types.length === 0) throw bad('_type', 'No resource type to search');
  for (const t of types) if (!registry.isType(t)) throw bad('_type', `'${t}' is not a resource type served here`);
  const ctx: ParseContext = { registry, baseUrl: normalizeBase(opts.baseUrl), now: opts.now ?? new Date() };
  const issues: Issue[] = [];
  const unknown = (e: UnknownParameter): void => {
    if (opts.strict) throw bad(e.param, e.message);
    issues.push(warning(e.param, `${e.message}; ignored`));
  };

  // _type decides which parameters exist, so it is read before anything else.
  let searched = [...types];
  for (const [name, value] of params) if (name === '_type' && value !== '') searched = applyType(searched, value, registry);

  const where: Cond[] = [];
  const include: IncludeSpec[] = [];
  const revinclude: IncludeSpec[] = [];
  let sort: SortKey[] = [];
  let count = Math.min(opts.defaultCount, opts.maxCount);
  let countGiven = false;
  let total: TotalMode | undefined;
  let summary: SummaryMode | undefined;
  let elements: string[] | undefined;
  let cursor: string | undefined;

  for (const [name, value] of params) {
    const base = baseName(name);
    if (IGNORED.has(base) || base === '_type') continue;
    if (value === '') {
      issues.push(warning(name, `Parameter '${name}' has no value; ignored`, 'informational'));
      continue;
    }
    const plain = name === base;
    if (!plain && CONTROL.has(base)) throw bad(name, `'${base}' takes no modifier`);
    try {
      switch (base) {
        case '_sort':
          sort = parseSort(value, searched, ctx, unknown);
          continue;
        case '_count':
          count = parseCount(value, opts.maxCount, issues);
          countGiven = true;
          continue;
        case '_total':
          total = parseTotal(value);
          continue;
        case '_summary':
          summary = parseSummary(value);
          continue;
        case '_elements':
          elements = parseElements(value);
          continue;
        case '_cursor':
          cursor = value;
          continue;
        case '_include':
        case '_revinclude': {
          const list = base === '_include' ? include : revinclude;
          for (const spec of parseInclude(base, plain ? undefined : name.slice(base.length + 1), value, searched, ctx)) {
            if (!list.some((s) => JSON.stringify(s) === JSON.stringify(spec))) list.push(spec);
          }
          continue;
        }
      }
      if (NOT_IMPLEMENTED.has(base)) throw new UnknownParameter(name, `Search parameter '${base}' is not supported`);
      const cond = criterion(searched, name, value, name, ctx);
      if (cond.k !== 'true') where.push(cond);
    } catch (e) {
      if (e instanceof UnknownParameter) unknown(e);
      else throw e;
    }
  }

  if (countGiven && count === 0 && summary === undefined) summary = 'count';
  // A count-only answer needs the total and no rows.
  if (summary === 'count') {
    total = 'accurate';
    count = 0;
  }
  const request: SearchRequest = { types: searched, where, sort, count, total: total ?? 'none' };
  if (cursor !== undefined) request.cursor = cursor;
  const out: ParsedSearch = { request, include, revinclude, issues };
  if (summary !== undefined) out.summary = summary;
  if (elements !== undefined) out.elements = elements;
  return out;
}

