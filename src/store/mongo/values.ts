// Guards that keep search input as data. A MongoDB filter treats an object whose keys start with `$`
// as an operator, so a value that arrived as `{"$gt": ""}` (or a field name like `$where`) could
// change the meaning of a query. The search language types values as string | number; these
// assertions make that true at run time too, before anything reaches a filter. Strings that merely
// start with `$` are harmless as values (only object keys are operators), and every comparison is
// written with an explicit operator (`{ f: { $eq: v } }`), never as `{ f: v }` with v unchecked.
import { errors } from '../../domain/errors.js';
import type { IndexField } from '../../domain/search-types.js';

export type Scalar = string | number;

const INDEX_FIELDS: ReadonlySet<string> = new Set<IndexField>([
  'sys', 'code', 'text', 's', 'exact', 'rt', 'lo', 'hi', 'n', 'nlo', 'nhi',
]);

export function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

export function scalar(v: unknown, what: string): Scalar {
  if (!isScalar(v)) throw errors.badRequest(`Invalid search value for ${what}: expected a string or a finite number`);
  return v;
}

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw errors.badRequest(`Invalid search value for ${what}: expected a string`);
  return v;
}

export function scalars(v: unknown, what: string): Scalar[] {
  if (!Array.isArray(v)) throw errors.badRequest(`Invalid search value for ${what}: expected a list`);
  return v.map((x) => scalar(x, what));
}

export function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v)) throw errors.badRequest(`Invalid search value for ${what}: expected a list`);
  return v.map((x) => str(x, what));
}

/** Index fields become object keys in filters, so only the known names pass. */
export function indexField(f: unknown): IndexField {
  if (typeof f !== 'string' || !INDEX_FIELDS.has(f)) throw errors.badRequest(`Unknown index field ${String(f)}`);
  return f as IndexField;
}

export function isIndexField(f: string): f is IndexField {
  return INDEX_FIELDS.has(f);
}

/** A regular expression source that matches `s` literally (same escaping works for JS and PCRE). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
