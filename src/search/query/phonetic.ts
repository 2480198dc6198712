// `phonetic` search values (Patient, Practitioner, Organization): the Soundex key of each word of the
// value (see ../phonetic.ts), all of which must be keys of some word of the resource's name(s): `Smyth`
// finds Smith, `John Smyth` finds names with a word sounding like John and one like Smith.
import type { Cond } from '../../domain/search-types.js';
import { and } from '../../domain/search-types.js';
import { unescapeValue } from '../escape.js';
import { phoneticKeys } from '../phonetic.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx } from './context.js';

export function phoneticCondition(def: SearchParamDef, value: string, param: string): Cond {
  const keys = phoneticKeys(unescapeValue(value));
  if (keys.length === 0) throw bad(param, `'${value}' has no letters to match phonetically`);
  return and(...keys.map((k) => idx(def.code, { f: 'code', op: 'eq', v: k })));
}
