// Turning the values a parameter's expression yields into IndexValue entries, one function per
// parameter type, following the field conventions documented on IndexValue (domain/search-types.ts).
// Values of a shape a parameter type cannot use (an Attachment for a reference parameter, a malformed
// date) yield nothing: validation is not the indexer's job, and a search must never fail on data.
import type { IndexValue } from '../domain/search-types.js';
import { MAX_INSTANT, MIN_INSTANT, parseDateRange } from './dates.js';
import { normalizeString } from './normalize.js';
import { storedNumberRange } from './numbers.js';
import { phoneticKeys } from './phonetic.js';
import { parseReference } from './references.js';
import type { SearchParamDef, SearchParamType } from './registry.js';

export interface ExtractContext {
  /** This server's base URL, normalised (no trailing slash), to recognise absolute local references. */
  baseUrl: string | undefined;
}

/** Appends the entries for one value `v` of FHIR type `t` to `out`, for parameter `p`. */
export type Extractor = (out: IndexValue[], p: string, v: unknown, t: string, ctx: ExtractContext) => void;

/** Suffix of the implicit parameter that holds Identifier types for `:of-type` (`identifier:of-type`). */
export const OF_TYPE_SUFFIX = ':of-type';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// ---- token ----------------------------------------------------------------------------------------

function pushCoding(out: IndexValue[], p: string, c: unknown): void {
  if (!isObj(c)) return;
  const code = str(c.code);
  const display = str(c.display);
  if (code === undefined && display === undefined) return;
  const e: IndexValue = { p, sys: str(c.system) ?? '' };
  if (code !== undefined) e.code = code;
  if (display !== undefined) e.text = normalizeString(display);
  out.push(e);
}

function pushIdentifier(out: IndexValue[], p: string, id: Obj): void {
  const value = str(id.value);
  const system = str(id.system);
  const typeText = isObj(id.type) ? str(id.type.text) : undefined;
  if (value === undefined && system === undefined) return;
  const e: IndexValue = { p, sys: system ?? '' };
  if (value !== undefined) e.code = value;
  if (typeText !== undefined) e.text = normalizeString(typeText);
  out.push(e);
  // `:of-type` matches type-system|type-code|value; an entry per type coding under an implicit
  // parameter keeps these out of the way of ordinary identifier searches.
  if (value !== undefined && isObj(id.type) && Array.isArray(id.type.coding)) {
    for (const c of id.type.coding) {
      if (isObj(c) && str(c.code) !== undefined) {
        out.push({ p: p + OF_TYPE_SUFFIX, sys: str(c.system) ?? '', code: `${c.code as string}|${value}` });
      }
    }
  }
}

const token: Extractor = (out, p, v, t) => {
  switch (t) {
    case 'Coding':
      return pushCoding(out, p, v);
    case 'CodeableConcept': {
      if (!isObj(v)) return;
      if (Array.isArray(v.coding)) for (const c of v.coding) pushCoding(out, p, c);
      const text = str(v.text);
      if (text !== undefined) out.push({ p, text: normalizeString(text) });
      return;
    }
    case 'Identifier':
      if (isObj(v)) pushIdentifier(out, p, v);
      return;
    case 'ContactPoint': {
      // A ContactPoint token has no system part (ContactPoint.system is phone/email…, not a URI).
      const value = isObj(v) ? str(v.value) : undefined;
      if (value !== undefined) out.push({ p, sys: '', code: value });
      return;
    }
    default:
      // code, string, id, uri, boolean …: the value is the code and there is no system.
      if (typeof v === 'string' ? v !== '' : typeof v === 'boolean' || typeof v === 'number') {
        out.push({ p, sys: '', code: String(v) });
      }
  }
};

// ---- string ---------------------------------------------------------------------------------------

function pushString(out: IndexValue[], p: string, v: unknown): void {
  if (typeof v !== 'string') return;
  const s = normalizeString(v);
  if (s !== '') out.push({ p, s, exact: v });
}

function pushParts(out: IndexValue[], p: string, obj: Obj, fields: readonly string[]): void {
  for (const f of fields) {
    const x = obj[f];
    if (Array.isArray(x)) for (const y of x) pushString(out, p, y);
    else pushString(out, p, x);
  }
}

const HUMAN_NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix'] as const;
const ADDRESS_PARTS = ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'] as const;

const string: Extractor = (out, p, v, t) => {
  if (t === 'HumanName') {
    if (isObj(v)) pushParts(out, p, v, HUMAN_NAME_PARTS);
  } else if (t === 'Address') {
    if (isObj(v)) pushParts(out, p, v, ADDRESS_PARTS);
  } else pushString(out, p, v);
};

// ---- date -----------------------------------------------------------------------------------------

function pushRange(out: IndexValue[], p: string, lo: string, hi: string): void {
  out.push({ p, lo, hi });
}

/** The outer limits of a Timing: its events and its bounds period, the schedule itself ignored. */
function timingRange(v: Obj): { lo: string; hi: string } | undefined {
  let lo: string | undefined;
  let hi: string | undefined;
  const widen = (l: string, h: string) => {
    if (lo === undefined || l < lo) lo = l;
    if (hi === undefined || h > hi) hi = h;
  };
  if (Array.isArray(v.event)) {
    for (const e of v.event) {
      const r = typeof e === 'string' ? parseDateRange(e) : undefined;
      if (r) widen(r.lo, r.hi);
    }
  }
  const bounds = isObj(v.repeat) ? v.repeat.boundsPeriod : undefined;
  if (isObj(bounds)) {
    const r = periodRange(bounds);
    if (r) widen(r.lo, r.hi);
  }
  return lo !== undefined && hi !== undefined ? { lo, hi } : undefined;
}

/** A Period as a range; a missing start or end is open (the minimum / maximum instant). */
function periodRange(v: Obj): { lo: string; hi: string } | undefined {
  const start = typeof v.start === 'string' ? parseDateRange(v.start) : undefined;
  const end = typeof v.end === 'string' ? parseDateRange(v.end) : undefined;
  if (!start && !end) return undefined;
  return { lo: start?.lo ?? MIN_INSTANT, hi: end?.hi ?? MAX_INSTANT };
}

const date: Extractor = (out, p, v, t) => {
  if (typeof v === 'string') {
    const r = parseDateRange(v);
    if (r) pushRange(out, p, r.lo, r.hi);
    return;
  }
  if (!isObj(v)) return;
  const r = t === 'Timing' ? timingRange(v) : t === 'Period' ? periodRange(v) : undefined;
  if (r) pushRange(out, p, r.lo, r.hi);
};

// ---- reference ------------------------------------------------------------------------------------

const reference: Extractor = (out, p, v, t, ctx) => {
  if (typeof v === 'string') {
    // canonical / uri: the URL itself, and without its `|version` so that unversioned searches match.
    if (v === '') return;
    out.push({ p, s: v });
    const bar = v.indexOf('|');
    if (bar > 0) out.push({ p, s: v.slice(0, bar) });
    return;
  }
  if (t !== 'Reference' || !isObj(v)) return;
  const e: IndexValue = { p };
  const parsed = typeof v.reference === 'string' ? parseReference(v.reference, ctx.baseUrl) : undefined;
  if (parsed) e.s = parsed.s;
  const rt = parsed?.rt ?? str(v.type);
  if (rt !== undefined) e.rt = rt;
  const id = v.identifier;
  if (isObj(id) && str(id.value) !== undefined) {
    e.sys = str(id.system) ?? '';
    e.code = id.value as string;
  }
  if (e.s !== undefined || e.code !== undefined) out.push(e);
};

// ---- uri ------------------------------------------------------------------------------------------

const uri: Extractor = (out, p, v, t) => {
  if (typeof v !== 'string' || v === '') return;
  out.push({ p, s: v });
  // A canonical (`_profile` is one) may carry `|version`: also without it, so that unversioned
  // searches match, as for canonicals under reference parameters above.
  if (t === 'canonical') {
    const bar = v.indexOf('|');
    if (bar > 0) out.push({ p, s: v.slice(0, bar) });
  }
};

// ---- number and quantity --------------------------------------------------------------------------

const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt', 'integer64']);

const number: Extractor = (out, p, v, t) => {
  if (typeof v !== 'number') return;
  const r = storedNumberRange(v, INTEGER_TYPES.has(t));
  if (r) out.push({ p, n: r.n, nlo: r.lo, nhi: r.hi });
};

const quantity: Extractor = (out, p, v, t) => {
  if (!isObj(v) || typeof v.value !== 'number') return;
  const r = storedNumberRange(v.value, false);
  if (!r) return;
  const base = { p, n: r.n, nlo: r.lo, nhi: r.hi };
  if (t === 'Money') {
    out.push({ ...base, sys: 'urn:iso:std:iso:4217', code: str(v.currency) ?? '' });
    return;
  }
  const code = str(v.code);
  const unit = str(v.unit);
  out.push({ ...base, sys: str(v.system) ?? '', code: code ?? unit ?? '' });
  // The human-readable unit too, so `5||mg` finds a quantity coded in another system.
  if (code !== undefined && unit !== undefined && unit !== code) out.push({ ...base, sys: '', code: unit });
};

// ---- phonetic and near (matching other than the type's usual one, SearchParamDef.matching) -------

/** The name parts whose words get phonetic keys: prefixes and suffixes (Mr, PhD) are not names. */
const PHONETIC_NAME_PARTS = ['text', 'family', 'given'] as const;

function pushPhonetic(out: IndexValue[], p: string, v: unknown): void {
  if (typeof v !== 'string') return;
  for (const code of phoneticKeys(v)) out.push({ p, code });
}

/** A token-like entry `{p, code: Soundex key}` per word of each name part (or of a plain string). */
const phonetic: Extractor = (out, p, v, t) => {
  if (t !== 'HumanName') return pushPhonetic(out, p, v);
  if (!isObj(v)) return;
  for (const f of PHONETIC_NAME_PARTS) {
    const x = v[f];
    if (Array.isArray(x)) for (const y of x) pushPhonetic(out, p, y);
    else pushPhonetic(out, p, x);
  }
};

const isCoordinate = (x: unknown, limit: number): x is number => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= limit;

/**
 * A Location.position as two entries, `{p, code:'lat', n}` and `{p, code:'lon', n}` (degrees, WGS84);
 * a Location has one position, so a search's AND of a condition on each is exact (query/near.ts).
 * A position without both coordinates in range is not indexed.
 */
const near: Extractor = (out, p, v) => {
  if (!isObj(v) || !isCoordinate(v.latitude, 90) || !isCoordinate(v.longitude, 180)) return;
  out.push({ p, code: 'lat', n: v.latitude }, { p, code: 'lon', n: v.longitude });
};

const EXTRACTORS: Partial<Record<SearchParamType, Extractor>> = {
  token, string, date, reference, uri, number, quantity,
};

/** The extractor for a parameter: by its matching when it has one (phonetic, near), else by its type. */
export function extractorForParam(def: Pick<SearchParamDef, 'type' | 'matching'>): Extractor | undefined {
  if (def.matching === 'phonetic') return phonetic;
  if (def.matching === 'nearby') return near;
  return extractorFor(def.type);
}

/**
 * The extractor for a parameter type. Composite parameters have none: their components are indexed
 * as the parameters they are, so a composite search is answered from those (without correlating the
 * components to the same repeating element). Special parameters are not indexed by type (`near` has its own, see extractorForParam).
 */
export function extractorFor(type: SearchParamType): Extractor | undefined {
  return EXTRACTORS[type];
}
