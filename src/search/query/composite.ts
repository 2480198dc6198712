// Composite search values: one value per component, joined with `$` (`code-value-quantity=
// http://loinc.org|8480-6$gt100`). Components are indexed as the parameters they name, so the
// condition is the AND of the component conditions on the same resource; they are not tied to the
// same repeating element (a limitation of an index of independent values).
import type { Cond } from '../../domain/search-types.js';
import { and } from '../../domain/search-types.js';
import { splitEscaped } from '../escape.js';
import type { SearchParamDef, SearchRegistry } from '../registry.js';
import { bad } from './context.js';

export function compositeCondition(
  def: SearchParamDef,
  value: string,
  param: string,
  registry: SearchRegistry,
  component: (def: SearchParamDef, value: string) => Cond,
): Cond {
  const components = def.components ?? [];
  const parts = splitEscaped(value, '$');
  if (parts.length !== components.length) {
    throw bad(param, `'${def.code}' needs ${components.length} values joined with '$', got '${value}'`);
  }
  return and(
    ...components.map((c, i) => {
      const cdef = c.code === undefined ? undefined : registry.param(def.base, c.code);
      if (!cdef) throw bad(param, `component ${c.definition} of '${def.code}' is not searchable`);
      return component(cdef, parts[i]!);
    }),
  );
}
