// FHIR date, dateTime and instant values as inclusive ranges of UTC instants with millisecond
// precision. Shared by the indexer (stored values) and the parser (search values): a value denotes
// every instant its precision allows, so `2024` is the whole year and `2024-03-01T10:00` a minute.

export interface InstantRange {
  /** First instant, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  lo: string;
  /** Last instant (inclusive), same format. */
  hi: string;
}

/** The open ends of a Period, and the clamp for values that a time-zone shift pushes out of range. */
export const MIN_INSTANT = '0001-01-01T00:00:00.000Z';
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

const MIN_MS = Date.parse(MIN_INSTANT);
const MAX_MS = Date.parse(MAX_INSTANT);
const MINUTE = 60_000;
const DAY = 86_400_000;
// Date.UTC maps years 0..99 to 1900..1999; the Gregorian calendar repeats every 400 years, so such
// years are computed 400 years later and shifted back.
const GREGORIAN_CYCLE_MS = 146_097 * DAY;

// year, month, day, hour, minute, second, fraction, zone. Minutes without seconds are accepted because
// search values may stop at the minute.
const DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function utc(y: number, mo: number, d: number, h = 0, mi = 0): number {
  return y < 100 ? Date.UTC(y + 400, mo, d, h, mi) - GREGORIAN_CYCLE_MS : Date.UTC(y, mo, d, h, mi);
}

function daysInMonth(y: number, month1: number): number {
  if (month1 === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return month1 === 4 || month1 === 6 || month1 === 9 || month1 === 11 ? 30 : 31;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

export function instantString(ms: number): string {
  if (ms <= MIN_MS) return MIN_INSTANT;
  if (ms >= MAX_MS) return MAX_INSTANT;
  return new Date(ms).toISOString();
}

/**
 * The range of instants a FHIR date, dateTime or instant denotes, or undefined when the text is not
 * one. Dates and partial dates carry no zone in FHIR; Envelope reads them, and a dateTime with a time
 * but without a zone (invalid FHIR, accepted in search values), as UTC, so that every stored and
 * searched value lives in one frame of reference.
 */
export function parseDateRange(text: string): InstantRange | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const ys = m[1]!;
  const y = Number(ys);
  const zone = m[8];
  // Values in UTC (the common case: instants as stored, dates, partial dates) are built as strings;
  // only a zone offset needs arithmetic. Year 0000 goes through arithmetic to be clamped.
  const utcText = y > 0 && (zone === undefined || zone === 'Z' || zone === '+00:00' || zone === '-00:00');
  if (m[2] === undefined) {
    return utcText ? { lo: `${ys}-01-01T00:00:00.000Z`, hi: `${ys}-12-31T23:59:59.999Z` } : { lo: instantString(utc(y, 0, 1)), hi: instantString(utc(y + 1, 0, 1) - 1) };
  }
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  if (m[3] === undefined) {
    const ym = `${ys}-${m[2]}`;
    return utcText
      ? { lo: `${ym}-01T00:00:00.000Z`, hi: `${ym}-${daysInMonth(y, mo)}T23:59:59.999Z` }
      : { lo: instantString(utc(y, mo - 1, 1)), hi: instantString(utc(y, mo, 1) - 1) };
  }
  const d = Number(m[3]);
  if (d < 1 || d > daysInMonth(y, mo)) return undefined;
  const ymd = `${ys}-${m[2]}-${m[3]}`;
  if (m[4] === undefined) {
    if (utcText) return { lo: `${ymd}T00:00:00.000Z`, hi: `${ymd}T23:59:59.999Z` };
    const lo = utc(y, mo - 1, d);
    return { lo: instantString(lo), hi: instantString(lo + DAY - 1) };
  }
  const h = Number(m[4]);
  const mi = Number(m[5]);
  if (h > 23 || mi > 59) return undefined;
  const s = m[6] === undefined ? undefined : Number(m[6]);
  if (s !== undefined && s > 59) return undefined;
  const frac = m[7];
  // Milliseconds of the first and last instant within the second (or minute) the value denotes.
  let loMs: number;
  let hiMs: number;
  if (s === undefined) {
    loMs = 0;
    hiMs = MINUTE - 1;
  } else if (frac === undefined) {
    loMs = s * 1000;
    hiMs = loMs + 999;
  } else if (frac.length >= 3) {
    // Sub-millisecond digits are below the index's resolution: the millisecond that contains them.
    loMs = hiMs = s * 1000 + Number(frac.slice(0, 3));
  } else {
    loMs = s * 1000 + Number(frac.padEnd(3, '0'));
    hiMs = s * 1000 + Number(frac.padEnd(3, '9'));
  }
  if (utcText) {
    const hm = `${ymd}T${m[4]}:${m[5]}:`;
    const fmt = (ms: number) => `${hm}${pad2(Math.floor(ms / 1000))}.${String(ms % 1000).padStart(3, '0')}Z`;
    return { lo: fmt(loMs), hi: fmt(hiMs) };
  }
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const hh = Number(zone.slice(1, 3));
    const mm = Number(zone.slice(4, 6));
    if (hh > 14 || mm > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (hh * 60 + mm) * MINUTE;
  }
  const base = utc(y, mo - 1, d, h, mi) - offset;
  return { lo: instantString(base + loMs), hi: instantString(base + hiMs) };
}
