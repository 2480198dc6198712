// The result parameters that shape a search rather than filter it: _sort, _count, _total, _summary,
// _elements.
import type { Issue } from '../domain/errors.js';
import type { SortKey, TotalMode } from '../domain/search-types.js';
import { bad, UnknownParameter, type ParseContext } from './query/context.js';
import { resolveParam } from './query/criterion.js';

export type SummaryMode = 'true' | 'count' | 'data' | 'text' | 'false';
const SUMMARY = new Set<string>(['true', 'count', 'data', 'text', 'false']);
const TOTAL = new Set<string>(['none', 'estimate', 'accurate']);
/** Sorting needs one comparable value per resource; these types have none. */
const UNSORTABLE = new Set(['composite', 'special']);

/**
 * `_sort=a,-b`: keys in order, `-` for descending. Each must be a parameter of every searched type
 * (`_id` and `_lastUpdated` always are). Unknown keys go through `onUnknown` (ignore or fail).
 */
export function parseSort(
  value: string,
  types: readonly string[],
  ctx: ParseContext,
  onUnknown: (e: UnknownParameter) => void,
): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    const desc = item.startsWith('-');
    const code = desc ? item.slice(1) : item;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(code)) throw bad('_sort', `'${item}' is not a sort key`);
    if (keys.some((k) => k.p === code)) continue;
    try {
      const def = resolveParam(types, code, '_sort', ctx);
      if (UNSORTABLE.has(def.type)) throw bad('_sort', `Cannot sort by ${def.type} parameter '${code}'`);
      if (def.matching === 'phonetic') throw bad('_sort', `Cannot sort by phonetic parameter '${code}'`);
    } catch (e) {
      if (e instanceof UnknownParameter) {
        onUnknown(e);
        continue;
      }
      throw e;
    }
    keys.push({ p: code, desc });
  }
  return keys;
}

/** `_count`: a non-negative integer, capped at `max` (a warning says so). */
export function parseCount(value: string, max: number, issues: Issue[]): number {
  if (!/^\d+$/.test(value)) throw bad('_count', `_count must be a non-negative integer, got '${value}'`);
  const n = Number(value);
  if (n > max) {
    issues.push({
      severity: 'warning',
      code: 'too-costly',
      diagnostics: `_count=${value} exceeds the maximum page size; ${max} used`,
      expression: ['_count'],
    });
    return max;
  }
  return n;
}

export function parseTotal(value: string): TotalMode {
  if (!TOTAL.has(value)) throw bad('_total', `_total must be none, estimate or accurate, got '${value}'`);
  return value as TotalMode;
}

export function parseSummary(value: string): SummaryMode {
  if (!SUMMARY.has(value)) throw bad('_summary', `_summary must be true, count, data, text or false, got '${value}'`);
  return value as SummaryMode;
}

const ELEMENT = /^([A-Z][A-Za-z]+\.)?[a-z][A-Za-z0-9]*(\[x\])?$/;

/** `_elements=a,b`: top-level element names (optionally `Type.element`), de-duplicated. */
export function parseElements(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const e = raw.trim();
    if (e === '') continue;
    if (!ELEMENT.test(e)) throw bad('_elements', `'${e}' is not an element name`);
    if (!out.includes(e)) out.push(e);
  }
  return out;
}
