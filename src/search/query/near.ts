// `near=latitude|longitude|[distance]|[units]` on Location (R4 special parameter, xpathUsage nearby):
// locations whose position lies within `distance` of the point. The indexer stores a position as two
// entries of parameter `near`: `{code:'lat', n: latitude}` and `{code:'lon', n: longitude}` (see
// extract.ts); a Location has one position, so an AND of one condition on each is exact.
//
// Distances are great-circle distances on a sphere of the mean Earth radius, 6371.0088 km (one degree
// of latitude is 111.195 km). The search compiles to the latitude/longitude bounding box of that
// circle: the box contains the whole circle, so nothing within the distance is missed, but it also
// holds its corners, so a location up to √2 × distance away (towards a corner) can match as well; the
// box is what both stores answer from their indexes, with no per-row trigonometry. Near a pole the box
// becomes a polar cap (every longitude); across the antimeridian the longitude range is split in two.
//
// The distance is optional: without it, "near" means within DEFAULT_NEAR_KM. Units are UCUM: `km`
// (the default when omitted), `m`, and `[mi_i]` (international mile; `mi` accepted too). Anything else,
// and any malformed value, is a 400 naming the parameter.
import type { Cond, FieldTest } from '../../domain/search-types.js';
import { and, or } from '../../domain/search-types.js';
import { splitEscaped, unescapeValue } from '../escape.js';
import type { SearchParamDef } from '../registry.js';
import { bad, idx } from './context.js';

export const EARTH_RADIUS_KM = 6371.0088;
/** What `near` means when the search gives no distance. */
export const DEFAULT_NEAR_KM = 50;

const KM_PER_UNIT: Record<string, number> = { km: 1, m: 0.001, '[mi_i]': 1.609344, mi: 1.609344 };

export interface NearSearch {
  lat: number;
  lon: number;
  km: number;
}

/** A latitude/longitude box; `lon` is undefined when every longitude qualifies, a pair of ranges when it wraps. */
export interface GeoBox {
  lat: [number, number];
  lon?: [number, number][];
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function decimal(text: string, what: string, value: string, param: string): number {
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) throw bad(param, `near: ${what} '${text}' in '${value}' is not a number`);
  return n;
}

/** Parses one `near` value (one comma alternative, still escaped). */
export function parseNear(value: string, param: string): NearSearch {
  const parts = splitEscaped(value, '|').map(unescapeValue).map((s) => s.trim());
  if (parts.length < 2 || parts.length > 4) {
    throw bad(param, `near needs latitude|longitude|[distance]|[units], got '${value}'`);
  }
  const [latText, lonText, distText = '', unitText = ''] = parts as [string, string, string?, string?];
  const lat = decimal(latText, 'latitude', value, param);
  const lon = decimal(lonText, 'longitude', value, param);
  if (lat < -90 || lat > 90) throw bad(param, `near: latitude ${latText} is outside -90..90`);
  if (lon < -180 || lon > 180) throw bad(param, `near: longitude ${lonText} is outside -180..180`);
  const unit = unitText === '' ? 'km' : unitText;
  const perUnit = KM_PER_UNIT[unit];
  if (perUnit === undefined) {
    throw bad(param, `near: unsupported distance unit '${unitText}' (use km, m or [mi_i])`);
  }
  if (distText === '') return { lat, lon, km: DEFAULT_NEAR_KM };
  const dist = decimal(distText, 'distance', value, param);
  if (dist < 0) throw bad(param, `near: distance ${distText} is negative`);
  return { lat, lon, km: dist * perUnit };
}

const DEG = 180 / Math.PI;
const RAD = Math.PI / 180;

/**
 * The bounding box of the circle of radius `km` around (lat, lon) on the sphere (J. P. Matuschek,
 * "Finding Points Within a Distance of a Latitude/Longitude Using Bounding Coordinates"): latitude
 * ±δ, longitude ±asin(sin δ / cos φ), where δ is the angular radius; a circle that reaches a pole
 * spans every longitude. Widened by a hair so that a point exactly at the distance is inside.
 */
export function nearBox({ lat, lon, km }: NearSearch): GeoBox {
  const delta = (km / EARTH_RADIUS_KM) * (1 + 1e-9) + 1e-12; // radians
  const latLo = lat - delta * DEG;
  const latHi = lat + delta * DEG;
  if (latLo <= -90 || latHi >= 90 || delta >= Math.PI / 2) {
    return { lat: [Math.max(latLo, -90), Math.min(latHi, 90)] };
  }
  const dLon = Math.asin(Math.min(1, Math.sin(delta) / Math.cos(lat * RAD))) * DEG;
  if (dLon >= 180) return { lat: [latLo, latHi] };
  const lonLo = lon - dLon;
  const lonHi = lon + dLon;
  let ranges: [number, number][];
  if (lonLo < -180) ranges = [[lonLo + 360, 180], [-180, lonHi]];
  else if (lonHi > 180) ranges = [[lonLo, 180], [-180, lonHi - 360]];
  else ranges = [[lonLo, lonHi]];
  return { lat: [latLo, latHi], lon: ranges };
}

function between(p: string, code: 'lat' | 'lon', [lo, hi]: [number, number]): Cond {
  const tests: FieldTest[] = [{ f: 'code', op: 'eq', v: code }, { f: 'n', op: 'ge', v: lo }, { f: 'n', op: 'le', v: hi }];
  return idx(p, ...tests);
}

/** One alternative of `near`: AND of the latitude range and the longitude range(s) of the box. */
export function nearCondition(def: SearchParamDef, value: string, param: string): Cond {
  const box = nearBox(parseNear(value, param));
  const latCond = between(def.code, 'lat', box.lat);
  // Every longitude: the position still has to have one (the same entry pair is always written).
  const lonCond = box.lon === undefined ? idx(def.code, { f: 'code', op: 'eq', v: 'lon' }) : or(...box.lon.map((r) => between(def.code, 'lon', r)));
  return and(latCond, lonCond);
}
