// Running one query on one target and comparing with the oracle: the unpaged result (order and
// total), then every page through the `next` cursor.
import type { Cond, SearchRequest } from '../../../src/domain/search-types.js';
import { parseSearch, type ParseOptions } from '../../../src/search/parse.js';
import type { SearchRegistry } from '../../../src/search/registry.js';
import type { SearchResult } from '../../../src/store/port.js';
import { BASE, NOW } from './corpus.js';
import type { Query } from './queries.js';
import type { Target } from './targets.js';

export const PARSE_OPTIONS: ParseOptions = { strict: true, defaultCount: 20, maxCount: 1000, baseUrl: BASE, now: NOW };
/** Larger than any corpus: "every match in one page" (the SQLite adapter's own maximum). */
const ALL = 10_000;

/**
 * Splits `a=1&b=2` into pairs, percent-decoding each side. Unlike URLSearchParams, `+` stays a plus
 * (time zones like `+01:00` read naturally in the table).
 */
export function queryPairs(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').map((kv) => {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    const v = i < 0 ? '' : kv.slice(i + 1);
    return [decodeURIComponent(k), decodeURIComponent(v)];
  });
}

/** `{lu:Type/id}` becomes that resource's lastUpdated in this store; `{lu+1:…}` / `{lu-1:…}` a millisecond later / earlier. */
export function resolvePlaceholders(query: string, stamps: Map<string, string>): string {
  return query.replace(/\{lu([+-]1)?:([^}]+)\}/g, (_, delta: string | undefined, key: string) => {
    const lu = stamps.get(key);
    if (!lu) throw new Error(`no stamp for ${key}`);
    const ms = Date.parse(lu) + (delta ? Number(delta) : 0);
    return new Date(ms).toISOString();
  });
}

export interface Outcome {
  /** Keys ("Type/id") the oracle expects, in order. */
  expected: string[];
  /** What went wrong, one line each; empty when the store agrees. */
  problems: string[];
}

const keyOf = (m: { resourceType: string; id: string }) => `${m.resourceType}/${m.id}`;

/** At most `n` keys, and how many more there are. */
function some(keys: string[], n = 40): string {
  return keys.length <= n ? keys.join(', ') : `${keys.slice(0, n).join(', ')} … (${keys.length - n} more)`;
}

function describeDiff(expected: string[], actual: string[]): string {
  const want = new Set(expected);
  const got = new Set(actual);
  const missing = expected.filter((k) => !got.has(k));
  const extra = actual.filter((k) => !want.has(k));
  if (missing.length || extra.length) {
    return `missing [${some(missing)}] extra [${some(extra)}]`;
  }
  const at = expected.findIndex((k, i) => actual[i] !== k);
  return `same set, order differs from position ${at}: expected ${expected.slice(at, at + 4).join(', ')} … got ${actual.slice(at, at + 4).join(', ')} …`;
}

export function parseFor(query: Query, registry: SearchRegistry, stamps: Map<string, string>, visibility?: Record<string, Cond>): SearchRequest {
  const text = resolvePlaceholders(query.q, stamps);
  const parsed = parseSearch(query.types, queryPairs(text), registry, PARSE_OPTIONS);
  if (parsed.issues.length > 0) throw new Error(`the parser reported issues for ${text}: ${JSON.stringify(parsed.issues)}`);
  const req = parsed.request;
  return visibility ? { ...req, visibility } : req;
}

/** Runs `query` on `target`: unpaged (order, total) and paged (cursor walk), against the oracle. */
export async function runQuery(
  target: Target,
  query: Query,
  registry: SearchRegistry,
  visibility?: Record<string, Cond>,
): Promise<Outcome> {
  const req = parseFor(query, registry, target.stamps, visibility);
  const expected = target.oracle.search(req).map((r) => `${r.type}/${r.id}`);
  const problems: string[] = [];
  const n = expected.length;
  const where = target.name;

  // 1. Everything in one page, with an accurate total.
  const full = await target.store.search({ ...req, count: ALL, total: 'accurate' });
  const got = full.matches.map(keyOf);
  if (got.join('\n') !== expected.join('\n')) {
    problems.push(`${where}: results differ (${describeDiff(expected, got)})\n      expected (${n}): ${some(expected)}\n      actual   (${got.length}): ${some(got)}`);
  }
  if (full.total !== n) problems.push(`${where}: total ${String(full.total)}, expected ${n}`);
  if (full.next !== undefined) problems.push(`${where}: a single page holding everything has a next cursor`);
  if (full.matches.some((m) => m.deleted)) problems.push(`${where}: a deleted version among the matches`);

  // 2. As asked: count 0 (a count-only answer) or every page through `next`.
  const explicitCount = /(^|&)_count=/.test(query.q);
  if (req.count === 0) {
    const only = await target.store.search(req);
    if (only.matches.length !== 0 || only.next !== undefined) problems.push(`${where}: _count=0 returned rows or a cursor`);
    if (only.total !== n) problems.push(`${where}: count-only total ${String(only.total)}, expected ${n}`);
    return { expected, problems };
  }
  const count = explicitCount ? req.count : Math.max(1, Math.ceil(n / 3));
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    let page: SearchResult;
    try {
      page = await target.store.search({ ...req, count, ...(cursor === undefined ? {} : { cursor }) });
    } catch (e) {
      problems.push(`${where}: page ${pages + 1} failed: ${(e as Error).message}`);
      break;
    }
    pages++;
    seen.push(...page.matches.map(keyOf));
    if (req.total === 'accurate' && page.total !== n) problems.push(`${where}: page ${pages} total ${String(page.total)}, expected ${n}`);
    if (req.total === 'estimate' && typeof page.total !== 'number') problems.push(`${where}: page ${pages} has no estimated total`);
    if (req.total === 'none' && page.total !== undefined) problems.push(`${where}: page ${pages} has a total though none was asked for`);
    if (page.next !== undefined && page.matches.length !== count) problems.push(`${where}: page ${pages} holds ${page.matches.length} rows (count ${count}) yet has a next cursor`);
    if (page.next === undefined) break;
    if (pages > n + 2) {
      problems.push(`${where}: paging does not end after ${pages} pages`);
      break;
    }
    cursor = page.next;
  }
  if (new Set(seen).size !== seen.length) problems.push(`${where}: paging (count ${count}) repeats rows: ${some(seen)}`);
  if (seen.join('\n') !== expected.join('\n')) {
    problems.push(`${where}: pages (count ${count}) concatenate to something else (${describeDiff(expected, seen)})`);
  }
  const wantPages = Math.max(1, Math.ceil(n / count));
  if (pages !== wantPages) {
    problems.push(`${where}: ${pages} pages for ${n} rows at ${count} a page, expected ${wantPages}`);
  }
  return { expected, problems };
}
