// FHIR date/dateTime values as the inclusive range of UTC instants they denote, in the text form the
// search index stores (`YYYY-MM-DDTHH:mm:ss.sssZ`), so consent periods compare with index values as
// strings. `2024` is the whole year, `2024-03-01` the whole day. A value without a zone is read as
// UTC, the convention the indexer uses for stored values.

export interface InstantBounds {
  lo: string;
  hi: string;
}

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function utcMs(year: number, month0: number, day: number, h = 0, mi = 0, s = 0): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The bounds of a FHIR date or dateTime, or undefined when the text is not one. */
export function instantBounds(text: string | undefined): InstantBounds | undefined {
  const m = DATE_TIME.exec(text ?? '');
  if (!m) return undefined;
  const y = Number(m[1]);
  if (m[2] === undefined) return { lo: iso(utcMs(y, 0, 1)), hi: iso(utcMs(y + 1, 0, 1) - 1) };
  const mo = Number(m[2]) - 1;
  if (mo < 0 || mo > 11) return undefined;
  if (m[3] === undefined) return { lo: iso(utcMs(y, mo, 1)), hi: iso(utcMs(y, mo + 1, 1) - 1) };
  const d = Number(m[3]);
  const day = utcMs(y, mo, d);
  if (d < 1 || new Date(day).getUTCDate() !== d) return undefined;
  if (m[4] === undefined) return { lo: iso(day), hi: iso(day + 86_400_000 - 1) };
  const [h, mi] = [Number(m[4]), Number(m[5])];
  if (h > 23 || mi > 59) return undefined;
  const zone = m[8];
  let offsetMs = 0;
  if (zone !== undefined && zone !== 'Z') {
    offsetMs = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  if (m[6] === undefined) {
    const start = utcMs(y, mo, d, h, mi) - offsetMs;
    return { lo: iso(start), hi: iso(start + 59_999) };
  }
  const s = Number(m[6]);
  if (s > 59) return undefined;
  const start = utcMs(y, mo, d, h, mi, s) - offsetMs;
  const frac = m[7];
  if (frac === undefined) return { lo: iso(start), hi: iso(start + 999) };
  // Digits below the millisecond are below the index's resolution.
  const lo = start + Number(frac.slice(0, 3).padEnd(3, '0'));
  const hi = frac.length >= 3 ? lo : start + Number(frac.padEnd(3, '9'));
  return { lo: iso(lo), hi: iso(hi) };
}

/**
 * Whether the instant lies within the period (an open end is unbounded). A bound that is not a
 * valid date makes the answer false: a period Envelope cannot read is never "now".
 */
export function periodContains(period: { start?: string; end?: string } | undefined, now: Date): boolean {
  if (period === undefined) return true;
  const at = now.toISOString();
  if (period.start !== undefined) {
    const b = instantBounds(period.start);
    if (b === undefined || b.lo > at) return false;
  }
  if (period.end !== undefined) {
    const b = instantBounds(period.end);
    if (b === undefined || b.hi < at) return false;
  }
  return true;
}
