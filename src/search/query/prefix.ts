// The comparison prefixes of number, date and quantity search values (`ge2024-01-01`, `lt5.4`).
import { bad } from './context.js';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/** Splits off the prefix (default `eq`); two leading letters that are not a prefix are an error. */
export function splitPrefix(param: string, value: string): { prefix: Prefix; rest: string } {
  const m = /^([a-z]{2})(.*)$/s.exec(value);
  if (!m) return { prefix: 'eq', rest: value };
  if (!PREFIXES.has(m[1]!)) throw bad(param, `Unknown prefix '${m[1]}' in '${value}' (expected one of eq ne gt lt ge le sa eb ap)`);
  return { prefix: m[1] as Prefix, rest: m[2]! };
}
