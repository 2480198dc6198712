// One search parameter applied directly (no chain): the modifier checked against the parameter type,
// the value split into its comma alternatives (OR), each alternative parsed by the type's module.
import { TRUE, FALSE, type Cond } from '../../domain/search-types.js';
import { splitEscaped } from '../escape.js';
import type { SearchParamDef, SearchParamType } from '../registry.js';
import { compositeCondition } from './composite.js';
import { anyOf, bad, idx, type ParseContext } from './context.js';
import { dateCondition } from './date.js';
import { idCondition } from './id.js';
import { nearCondition } from './near.js';
import { numberCondition, quantityCondition } from './number.js';
import { phoneticCondition } from './phonetic.js';
import { checkTargetType, isTypeModifier, referenceCondition } from './reference.js';
import { stringCondition } from './string.js';
import { tokenCondition } from './token.js';
import { uriCondition } from './uri.js';

/** Modifiers Envelope implements, per parameter type (`missing` applies to all). */
const MODIFIERS: Record<SearchParamType, readonly string[]> = {
  token: ['not', 'text', 'of-type'],
  string: ['exact', 'contains'],
  uri: ['below', 'above'],
  reference: ['identifier'], // and :Type
  date: [],
  number: [],
  quantity: [],
  composite: [],
  special: [],
};
/** The modifiers R4 defines: a known one on a type it does not apply to is "not supported", not "unknown". */
const R4_MODIFIERS = new Set(['missing', 'exact', 'contains', 'not', 'text', 'in', 'not-in', 'below', 'above', 'type', 'identifier', 'of-type']);

function checkModifier(def: SearchParamDef, modifier: string, param: string): string {
  const m = modifier === 'ofType' ? 'of-type' : modifier;
  // Phonetic matching has no :exact or :contains (`missing` is handled before this).
  if (def.matching === 'phonetic') throw bad(param, `Modifier ':${m}' is not supported on phonetic parameter '${def.code}'`);
  if (MODIFIERS[def.type].includes(m)) return m;
  if (def.type === 'reference' && isTypeModifier(m)) {
    checkTargetType(def, m, param);
    return m;
  }
  if (R4_MODIFIERS.has(m)) {
    throw bad(param, `Modifier ':${m}' is not supported on ${def.type} parameter '${def.code}'`);
  }
  throw bad(param, `Unknown modifier ':${m}' on '${def.code}'`);
}

function missing(def: SearchParamDef, values: string[], param: string): Cond {
  const conds = values.map((v): Cond => {
    if (v !== 'true' && v !== 'false') throw bad(param, `:missing takes true or false, got '${v}'`);
    if (def.code === '_id') return v === 'true' ? FALSE : TRUE; // every resource has an id
    const present = idx(def.code);
    return v === 'true' ? { k: 'not', of: present } : present;
  });
  return conds.length === 1 ? conds[0]! : { k: 'or', of: conds };
}

/** One alternative (no unescaped commas) for an unmodified or validly modified parameter. */
function alternative(def: SearchParamDef, modifier: string | undefined, value: string, param: string, ctx: ParseContext): Cond {
  switch (def.type) {
    case 'token':
      return tokenCondition(def, modifier === 'not' ? undefined : modifier, value, param);
    case 'string':
      if (def.matching === 'phonetic') return phoneticCondition(def, value, param);
      return stringCondition(def, modifier, value);
    case 'date':
      return dateCondition(def, value, param, ctx);
    case 'number':
      return numberCondition(def, value, param);
    case 'quantity':
      return quantityCondition(def, value, param);
    case 'reference':
      return referenceCondition(def, modifier, value, param, ctx);
    case 'uri':
      return uriCondition(def, modifier, value);
    case 'composite':
      return compositeCondition(def, value, param, ctx.registry, (c, v) => alternative(c, undefined, v, param, ctx));
    case 'special':
      if (def.matching === 'nearby') return nearCondition(def, value, param);
      throw bad(param, `'${def.code}' is not supported`);
  }
}

/** The condition for `param` (as written, for messages) = `value` on parameter `def` with `modifier`. */
export function leafCondition(def: SearchParamDef, rawModifier: string | undefined, value: string, param: string, ctx: ParseContext): Cond {
  const values = splitEscaped(value, ',');
  if (values.some((v) => v === '')) throw bad(param, `Empty value in '${value}'`);
  if (rawModifier === 'missing') return missing(def, values, param);
  const modifier = rawModifier === undefined ? undefined : checkModifier(def, rawModifier, param);
  if (def.code === '_id') {
    if (modifier !== undefined && modifier !== 'not') throw bad(param, `Modifier ':${modifier}' is not supported on '_id'`);
    const c = idCondition(values, param);
    return modifier === 'not' ? { k: 'not', of: c } : c;
  }
  const any = anyOf(values.map((v) => alternative(def, modifier, v, param, ctx)));
  // :not holds for resources with no matching value at all, including those without the element.
  return modifier === 'not' ? { k: 'not', of: any } : any;
}
