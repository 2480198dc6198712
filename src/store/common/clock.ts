// meta.lastUpdated stamps. Guarantees, for every adapter that uses it:
//  - strictly increasing per resource, even for several versions written within one millisecond
//    (a later version gets previous + 1 ms);
//  - non-decreasing across all writes of the store in commit order, also when the wall clock steps
//    back, so "newest first" history can be ordered by commit sequence and a `since` bound is a
//    prefix of that sequence.
export class VersionClock {
  private lastMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Raise the floor to a stamp already stored (e.g. the newest lastUpdated on open or at tx start). */
  observe(iso: string | undefined | null): void {
    if (!iso) return;
    const ms = Date.parse(iso);
    if (Number.isFinite(ms) && ms > this.lastMs) this.lastMs = ms;
  }

  /** The stamp for a new version of a resource whose previous version has lastUpdated `previous`. */
  next(previous?: string): string {
    let ms = Math.max(this.now(), this.lastMs);
    if (previous !== undefined) {
      const prev = Date.parse(previous);
      if (Number.isFinite(prev) && ms <= prev) ms = prev + 1;
    }
    this.lastMs = ms;
    return new Date(ms).toISOString();
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for the canonical instant form the store writes and index values use. */
export function isCanonicalInstant(s: string): boolean {
  return INSTANT.test(s);
}

/** Canonicalises a caller's instant (any ISO form Date accepts) or returns undefined. */
export function toCanonicalInstant(s: string): string | undefined {
  if (isCanonicalInstant(s)) return s;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
