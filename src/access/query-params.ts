// Which search parameters a query uses, per resource type — in its conditions, through chains and
// _has, and in its sort order. A parameter over sealed content must not let a principal find (or
// order, or count) resources by what is hidden from them, so the access layer asks this first.
import type { Cond, SearchRequest } from '../domain/search-types.js';

export function paramsByType(req: SearchRequest): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const use = (types: readonly string[], p: string): void => {
    for (const t of types) {
      let s = out.get(t);
      if (!s) out.set(t, (s = new Set()));
      s.add(p);
    }
  };
  const walk = (c: Cond, types: readonly string[]): void => {
    switch (c.k) {
      case 'idx': use(types, c.p); break;
      case 'and': case 'or': c.of.forEach((x) => walk(x, types)); break;
      case 'not': case 'policy': walk(c.of, types); break;
      case 'chain': use(types, c.p); walk(c.where, c.types); break;
      case 'has': use([c.type], c.p); walk(c.where, [c.type]); break;
      default: break;
    }
  };
  for (const c of req.where) walk(c, req.types);
  for (const k of req.sort) use(req.types, k.p);
  return new Map([...out].map(([t, s]) => [t, [...s]]));
}
