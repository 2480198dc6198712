// Token search values: `code`, `system|code`, `|code` (no system), `system|` (any code in system),
// and the modifiers :text (starts-with on the normalised display/text) and :of-type (identifier type).
import type { Cond, FieldTest } from '../../domain/search-types.js';
import { splitEscaped, splitFirst, unescapeValue } from '../escape.js';
import { OF_TYPE_SUFFIX } from '../extract.js';
import { normalizeString } from '../normalize.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx } from './context.js';

/** The sys/code tests of `system|code` forms, shared with reference :identifier. */
export function systemCodeTests(param: string, value: string): FieldTest[] {
  const parts = splitFirst(value, '|');
  if (parts.length === 1) return [{ f: 'code', op: 'eq', v: unescapeValue(parts[0]) }];
  const sys = unescapeValue(parts[0]);
  const code = unescapeValue(parts[1]);
  if (sys === '' && code === '') throw bad(param, `'${value}' has neither a system nor a code`);
  if (code === '') return [{ f: 'sys', op: 'eq', v: sys }];
  return [{ f: 'sys', op: 'eq', v: sys }, { f: 'code', op: 'eq', v: code }];
}

function isBooleanParam(def: SearchParamDef): boolean {
  return def.valueTypes !== undefined && def.valueTypes.every((t) => t === 'boolean');
}

/** One alternative of a token parameter, for modifier undefined, `not` (negated by the caller), `text`, `of-type`. */
export function tokenCondition(def: SearchParamDef, modifier: string | undefined, value: string, param: string): Cond {
  if (modifier === 'text') return idx(def.code, { f: 'text', op: 'sw', v: normalizeString(unescapeValue(value)) });
  if (modifier === 'of-type') {
    if (def.valueTypes && !def.valueTypes.includes('Identifier')) {
      throw bad(param, `:of-type applies to identifiers only; '${def.code}' is not one`);
    }
    const parts = splitEscaped(value, '|').map(unescapeValue);
    if (parts.length !== 3 || parts.some((x) => x === '')) {
      throw bad(param, `:of-type needs type-system|type-code|value, got '${value}'`);
    }
    return idx(def.code + OF_TYPE_SUFFIX, { f: 'sys', op: 'eq', v: parts[0]! }, { f: 'code', op: 'eq', v: `${parts[1]}|${parts[2]}` });
  }
  const tests = systemCodeTests(param, value);
  if (isBooleanParam(def)) {
    const code = tests.find((t) => t.f === 'code') as { v: string } | undefined;
    if (tests.length !== 1 || (code?.v !== 'true' && code?.v !== 'false')) {
      throw bad(param, `'${def.code}' is a boolean: expected true or false, got '${value}'`);
    }
  }
  return idx(def.code, ...tests);
}
