// Number and quantity search values. The search value's written precision gives a range for eq, ne
// and ap (`100` means [99.5, 100.5)); gt, lt, ge and le compare with the exact value; sa and eb
// compare the stored value's own implied range with the search range. Stored `n` is the value, `nlo`
// and `nhi` the range its precision implies. Quantities add unit tests: `5.4|system|code`, `5.4||code`
// (any system). Units are compared as written; no UCUM conversion.
import type { Cond, FieldTest } from '../../domain/search-types.js';
import { splitEscaped, unescapeValue } from '../escape.js';
import { parseDecimalRange, type DecimalRange } from '../numbers.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx } from './context.js';
import { splitPrefix, type Prefix } from './prefix.js';

function numberTests(prefix: Prefix, r: DecimalRange): FieldTest[][] {
  switch (prefix) {
    case 'eq':
      return [[{ f: 'n', op: 'ge', v: r.lo }, { f: 'n', op: 'lt', v: r.hi }]];
    case 'ne':
      return [[{ f: 'n', op: 'lt', v: r.lo }], [{ f: 'n', op: 'ge', v: r.hi }]];
    case 'gt':
    case 'lt':
    case 'ge':
    case 'le':
      return [[{ f: 'n', op: prefix, v: r.n }]];
    case 'sa':
      return [[{ f: 'nlo', op: 'ge', v: r.hi }]];
    case 'eb':
      return [[{ f: 'nhi', op: 'le', v: r.lo }]];
    case 'ap': {
      // 10% of the value, and never narrower than the value's own precision.
      const slack = Math.abs(r.n) * 0.1;
      return [[{ f: 'n', op: 'ge', v: Math.min(r.lo, r.n - slack) }, { f: 'n', op: 'le', v: Math.max(r.hi, r.n + slack) }]];
    }
  }
}

function build(p: string, alternatives: FieldTest[][], unit: FieldTest[]): Cond {
  const conds = alternatives.map((tests) => idx(p, ...unit, ...tests));
  return conds.length === 1 ? conds[0]! : { k: 'or', of: conds };
}

function parseNumber(param: string, text: string, value: string): { prefix: Prefix; range: DecimalRange } {
  const { prefix, rest } = splitPrefix(param, text);
  const range = parseDecimalRange(rest);
  if (!range) throw bad(param, `'${value}' is not a valid number`);
  return { prefix, range };
}

export function numberCondition(def: SearchParamDef, value: string, param: string): Cond {
  const { prefix, range } = parseNumber(param, unescapeValue(value), value);
  return build(def.code, numberTests(prefix, range), []);
}

export function quantityCondition(def: SearchParamDef, value: string, param: string): Cond {
  const parts = splitEscaped(value, '|').map(unescapeValue);
  if (parts.length !== 1 && parts.length !== 3) {
    throw bad(param, `'${value}' is not a valid quantity (expected [prefix]number or [prefix]number|system|code)`);
  }
  const { prefix, range } = parseNumber(param, parts[0]!, value);
  const unit: FieldTest[] = [];
  if (parts[1]) unit.push({ f: 'sys', op: 'eq', v: parts[1] });
  if (parts[2]) unit.push({ f: 'code', op: 'eq', v: parts[2] });
  return build(def.code, numberTests(prefix, range), unit);
}
