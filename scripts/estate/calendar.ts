// Clinic times are local to England, so instants carry +00:00 in winter and +01:00 in summer, as a
// PAS would send them (and as the server's date indexing must normalise).

const DAY_MS = 86_400_000;

/** Midnight UTC of the last Sunday of `month` (0-based) in `year`. */
function lastSunday(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0);
  return last - new Date(last).getUTCDay() * DAY_MS;
}

const bstCache = new Map<number, [number, number]>();

/** UK offset in minutes on the calendar day starting at `dayMs` (UTC midnight): 60 in summer time. */
export function londonOffsetMinutes(dayMs: number): number {
  const year = new Date(dayMs).getUTCFullYear();
  let range = bstCache.get(year);
  if (!range) bstCache.set(year, (range = [lastSunday(year, 2), lastSunday(year, 9)]));
  // Daytime clinics never straddle the 01:00 UTC switch, so whole days are enough.
  return dayMs >= range[0] && dayMs < range[1] ? 60 : 0;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** FHIR instant for local wall-clock `minuteOfDay` on the day starting at `dayMs`, e.g. 2026-06-01T09:00:00+01:00. */
export function localInstant(dayMs: number, minuteOfDay: number): string {
  const off = londonOffsetMinutes(dayMs);
  const d = new Date(dayMs);
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(h)}:${pad(m)}:00${off ? '+01:00' : '+00:00'}`;
}

/** The UTC instant in ms of the same local time (for ordering and arithmetic). */
export function localMs(dayMs: number, minuteOfDay: number): number {
  return dayMs + (minuteOfDay - londonOffsetMinutes(dayMs)) * 60_000;
}

export function dayMsOf(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export { DAY_MS };
