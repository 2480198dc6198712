// String search values: starts-with by default, :contains, both on the normalised form (case and
// accents ignored), and :exact on the value as written.
import type { Cond } from '../../domain/search-types.js';
import { unescapeValue } from '../escape.js';
import { normalizeString } from '../normalize.js';
import type { SearchParamDef } from '../registry.js';
import { idx } from './context.js';

export function stringCondition(def: SearchParamDef, modifier: string | undefined, value: string): Cond {
  const v = unescapeValue(value);
  if (modifier === 'exact') return idx(def.code, { f: 'exact', op: 'eq', v });
  return idx(def.code, { f: 's', op: modifier === 'contains' ? 'co' : 'sw', v: normalizeString(v) });
}
