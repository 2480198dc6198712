// URI search values: exact by default; :below matches URIs under the given one (a prefix), :above
// matches the URIs the given one is under (each of its path prefixes).
import { or, type Cond } from '../../domain/search-types.js';
import { unescapeValue } from '../escape.js';
import type { SearchParamDef } from '../registry.js';
import { idx } from './context.js';

/** `http://a.org/fhir/ValueSet/x` → itself, `http://a.org/fhir/ValueSet`, `http://a.org/fhir`, `http://a.org`. */
export function uriAncestors(uri: string): string[] {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(uri)?.[0];
  const out = [uri];
  let u = uri.replace(/\/+$/, '');
  if (u !== uri) out.push(u);
  for (let cut = u.lastIndexOf('/'); cut > 0 && (!scheme || cut >= scheme.length); cut = u.lastIndexOf('/')) {
    u = u.slice(0, cut);
    if (u.endsWith('/')) break;
    out.push(u);
  }
  return [...new Set(out)];
}

export function uriCondition(def: SearchParamDef, modifier: string | undefined, value: string): Cond {
  const v = unescapeValue(value);
  if (modifier === 'below') {
    // The URI itself or anything under it as a path: `…/fhir` must not find `…/fhirplace`.
    const base = v.replace(/\/+$/, '');
    return or(idx(def.code, { f: 's', op: 'eq', v: base }), idx(def.code, { f: 's', op: 'sw', v: base + '/' }));
  }
  if (modifier === 'above') return idx(def.code, { f: 's', op: 'in', v: uriAncestors(v) });
  return idx(def.code, { f: 's', op: 'eq', v });
}
