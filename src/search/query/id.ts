// `_id`: the resource id itself, which the store holds directly (Cond `id`), not an index value.
import { ID_PATTERN } from '../../domain/fhir.js';
import type { Cond } from '../../domain/search-types.js';
import { unescapeValue } from '../escape.js';
import { bad } from './context.js';

export function idCondition(values: string[], param: string): Cond {
  const ids = [...new Set(values.map(unescapeValue))];
  for (const id of ids) if (!ID_PATTERN.test(id)) throw bad(param, `'${id}' is not a valid resource id`);
  return { k: 'id', ids };
}
