// Reference search values: `Type/id`, a bare `id` (when the parameter can only point at one type, or
// with the :Type modifier), an absolute URL (under this server's base it is the local `Type/id`),
// anything else (urn:uuid:…, canonical URLs) compared as written; and :identifier, which searches the
// identifier a reference carries.
import { ID_PATTERN } from '../../domain/fhir.js';
import type { Cond } from '../../domain/search-types.js';
import { unescapeValue } from '../escape.js';
import { parseReference } from '../references.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx, type ParseContext } from './context.js';
import { systemCodeTests } from './token.js';

/** Whether `modifier` is a resource type name (`:Patient`), the reference-type modifier. */
export function isTypeModifier(modifier: string | undefined): modifier is string {
  return modifier !== undefined && /^[A-Z][A-Za-z]+$/.test(modifier);
}

/** Checks a :Type modifier against the parameter's targets. */
export function checkTargetType(def: SearchParamDef, type: string, param: string): void {
  if (def.targets.length > 0 && !def.targets.includes(type)) {
    throw bad(param, `'${def.code}' cannot refer to ${type} (it refers to ${def.targets.join(', ')})`);
  }
}

export function referenceCondition(
  def: SearchParamDef,
  modifier: string | undefined,
  value: string,
  param: string,
  ctx: ParseContext,
): Cond {
  if (modifier === 'identifier') return idx(def.code, ...systemCodeTests(param, value));
  const v = unescapeValue(value);
  const typeModifier = isTypeModifier(modifier) ? modifier : undefined;
  if (ID_PATTERN.test(v) && !v.includes('/')) {
    const types = typeModifier ? [typeModifier] : def.targets;
    if (types.length === 0) throw bad(param, `'${v}' is a bare id but '${def.code}' does not say what it refers to: use Type/id`);
    if (types.length === 1) return idx(def.code, { f: 's', op: 'eq', v: `${types[0]}/${v}` });
    return idx(def.code, { f: 's', op: 'in', v: types.map((t) => `${t}/${v}`) });
  }
  const ref = parseReference(v, ctx.baseUrl);
  if (!ref) throw bad(param, `'${v}' is not a searchable reference`);
  if (ref.local && ref.rt !== undefined) {
    if (typeModifier !== undefined && typeModifier !== ref.rt) {
      throw bad(param, `'${v}' does not refer to a ${typeModifier}`);
    }
    checkTargetType(def, ref.rt, param);
  }
  return idx(def.code, { f: 's', op: 'eq', v: ref.s });
}
