// Index values come from the injected indexer. Only the documented fields, with the documented types,
// are stored: an `undefined` would otherwise be written as null by some drivers (and then match
// `$eq: null`), and a stray field would be invisible to every index.
import type { IndexValue } from '../../domain/search-types.js';

const STRING_FIELDS = ['sys', 'code', 'text', 's', 'exact', 'rt', 'lo', 'hi'] as const;
const NUMBER_FIELDS = ['n', 'nlo', 'nhi'] as const;

export function sanitizeIndex(values: IndexValue[]): IndexValue[] {
  const out: IndexValue[] = [];
  for (const v of values ?? []) {
    if (typeof v?.p !== 'string' || v.p === '') continue;
    const clean: IndexValue = { p: v.p };
    for (const f of STRING_FIELDS) if (typeof v[f] === 'string') clean[f] = v[f];
    for (const f of NUMBER_FIELDS) if (typeof v[f] === 'number' && Number.isFinite(v[f])) clean[f] = v[f];
    out.push(clean);
  }
  return out;
}
