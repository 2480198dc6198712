// Reading FHIR reference strings into the form the index stores: `Type/id` for references to this
// server (relative, or absolute under its own base), the absolute URL otherwise, `_history` removed.

const ID = '[A-Za-z0-9\\-.]{1,64}';
const TYPE = '[A-Z][A-Za-z]+';
const LOCAL_RE = new RegExp(`^(${TYPE})/(${ID})(?:/_history/${ID})?$`);
const ABSOLUTE_RE = new RegExp(`^([a-z][a-z0-9+.-]*://.+?)/(${TYPE})/(${ID})(?:/_history/${ID})?$`, 'i');

export interface ParsedReference {
  /** The value stored in IndexValue.s. */
  s: string;
  /** The target type when the reference says it. */
  rt?: string;
  /** True when the reference is to a resource on this server. */
  local: boolean;
}

/** A base URL without a trailing slash, for comparisons. */
export function normalizeBase(baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined || baseUrl === '') return undefined;
  return baseUrl.replace(/\/+$/, '');
}

/**
 * Parses a reference string. `baseUrl` is this server's base (normalised with normalizeBase). Returns
 * undefined for references to contained resources (`#id`), which are not searchable by reference.
 */
export function parseReference(ref: string, baseUrl: string | undefined): ParsedReference | undefined {
  if (ref === '' || ref.startsWith('#')) return undefined;
  const local = LOCAL_RE.exec(ref);
  if (local) return { s: `${local[1]}/${local[2]}`, rt: local[1]!, local: true };
  const abs = ABSOLUTE_RE.exec(ref);
  if (abs) {
    const [, base, type, id] = abs as unknown as [string, string, string, string];
    if (baseUrl !== undefined && base.replace(/\/+$/, '') === baseUrl) return { s: `${type}/${id}`, rt: type, local: true };
    return { s: `${base}/${type}/${id}`, rt: type, local: false };
  }
  return { s: ref, local: false };
}

/**
 * Whether a Reference points at a resource of `type`, judged from `Reference.type` or the shape of
 * `Reference.reference` (the way the official expressions' `where(resolve() is Type)` is evaluated
 * here, without fetching anything). Must agree with RESOLVE_IS_FHIRPATH below.
 */
export function referenceIs(ref: unknown, type: string): boolean {
  if (typeof ref !== 'object' || ref === null) return false;
  const r = ref as { type?: unknown; reference?: unknown };
  if (r.type === type) return true;
  return typeof r.reference === 'string' && refTypeRegex(type).test(r.reference);
}

const REF_TYPE_REGEXES = new Map<string, RegExp>();
function refTypeSource(type: string): string {
  // No backslashes: the same text is embedded in a FHIRPath string literal.
  return `^(.*/)?${type}/[A-Za-z0-9.-]{1,64}(/_history/[A-Za-z0-9.-]{1,64})?$`;
}
function refTypeRegex(type: string): RegExp {
  let re = REF_TYPE_REGEXES.get(type);
  if (!re) {
    re = new RegExp(refTypeSource(type));
    REF_TYPE_REGEXES.set(type, re);
  }
  return re;
}

/** The FHIRPath predicate equivalent to referenceIs, substituted for `resolve() is Type`. */
export function resolveIsFhirpath(type: string): string {
  return `(type = '${type}' or reference.matches('${refTypeSource(type)}'))`;
}
