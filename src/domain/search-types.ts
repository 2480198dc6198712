// The plain, engine-neutral search language shared by the query parser (src/search), the policy layer
// (which appends conditions) and the store adapters (which compile it to SQL or a MongoDB filter).

/**
 * One extracted search value of one resource version. A resource has many; each belongs to one
 * search parameter `p`. Only the fields relevant to the parameter's type are set.
 *
 * - token:     sys (system, may be ''), code (exact), text (normalised display/text, for :text)
 * - string:    s (normalised: lower case, accents stripped), exact (as written)
 * - uri:       s (exact uri)
 * - reference: s ("Type/id" for local references, the absolute url otherwise), rt (target type),
 *              plus sys/code when the reference carries an identifier (for :identifier)
 * - date:      lo, hi (inclusive bounds as UTC instants `YYYY-MM-DDTHH:mm:ss.sssZ`)
 * - number:    n, nlo, nhi (value and the range its precision implies)
 * - quantity:  n, nlo, nhi, sys (unit system), code (unit code)
 */
export interface IndexValue {
  p: string;
  sys?: string;
  code?: string;
  text?: string;
  s?: string;
  exact?: string;
  rt?: string;
  lo?: string;
  hi?: string;
  n?: number;
  nlo?: number;
  nhi?: number;
}

export type IndexField = Exclude<keyof IndexValue, 'p'>;

/** A test on one field of one index value. String comparisons are ordinal (byte order). */
export type FieldTest =
  | { f: IndexField; op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; v: string | number }
  | { f: IndexField; op: 'in'; v: (string | number)[] }
  | { f: IndexField; op: 'sw' | 'co'; v: string } // starts with, contains (v already normalised)
  | { f: IndexField; op: 'exists' | 'absent' };

/** A condition on a stored resource (current version). */
export type Cond =
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'and'; of: Cond[] }
  | { k: 'or'; of: Cond[] }
  | { k: 'not'; of: Cond }
  /** Some index value of parameter `p` passes every test (an empty list: the parameter has a value). */
  | { k: 'idx'; p: string; tests: FieldTest[] }
  /** The resource id is one of `ids`. */
  | { k: 'id'; ids: string[] }
  /** Some reference value of parameter `p` points at a resource of one of `types` that satisfies `where`. */
  | { k: 'chain'; p: string; types: string[]; where: Cond }
  /** Some resource of `type` whose reference parameter `p` points at this resource satisfies `where`. */
  | { k: 'has'; type: string; p: string; where: Cond }
  /**
   * The policy's own question about the data (a visibility rule, or part of one): `of` must hold,
   * and the resources it reaches through chain/has are tested for being live, never for being
   * visible — the rule is a fact the server checks, not something disclosed. Only the access layer
   * builds these; a client's query never contains one.
   */
  | { k: 'policy'; of: Cond };

export interface SortKey {
  /** Search parameter code, or `_id` / `_lastUpdated`. */
  p: string;
  desc: boolean;
}

export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchRequest {
  /** One type for a type-level search; several for a system-level search. */
  types: string[];
  /** All must hold. */
  where: Cond[];
  /**
   * What the principal may see, per resource type, added by the access layer. When present, a type
   * missing from the map is invisible. Applied to the searched types and to every resource reached
   * through `chain` and `has`, so counts and paging never see hidden data.
   */
  visibility?: Record<string, Cond>;
  sort: SortKey[];
  count: number;
  /** Opaque cursor from a previous page's `next`. */
  cursor?: string;
  total: TotalMode;
}

export const TRUE: Cond = { k: 'true' };
export const FALSE: Cond = { k: 'false' };
export function and(...of: Cond[]): Cond {
  const flat = of.filter((c) => c.k !== 'true');
  if (flat.some((c) => c.k === 'false')) return FALSE;
  if (flat.length === 0) return TRUE;
  return flat.length === 1 ? flat[0]! : { k: 'and', of: flat };
}
export function or(...of: Cond[]): Cond {
  const flat = of.filter((c) => c.k !== 'false');
  if (flat.some((c) => c.k === 'true')) return TRUE;
  if (flat.length === 0) return FALSE;
  return flat.length === 1 ? flat[0]! : { k: 'or', of: flat };
}
export function not(of: Cond): Cond {
  if (of.k === 'true') return FALSE;
  if (of.k === 'false') return TRUE;
  return { k: 'not', of };
}
