// Detects repeated refusals: a subject (a principal, or a network address when nobody signed in)
// refused `threshold` times within `windowMs` raises one alert, and no other until a window has
// passed since it. Pure and in memory; the caller decides what a subject key is and when it was
// refused, so the same inputs always give the same answers.

export interface RefusalCounterOptions {
  /** Refusals within the window that raise an alert (at least 1). */
  threshold: number;
  /** The sliding window, in milliseconds. */
  windowMs: number;
  /**
   * Subjects tracked at once (default 10,000). Idle subjects are forgotten as soon as their window
   * has passed; past this bound the least recently refused are forgotten first.
   */
  maxSubjects?: number;
}

export interface RefusalVerdict {
  /** True exactly when this refusal should raise an alert. */
  alert: boolean;
  /** Refusals of this subject within the window, this one included, counted up to the threshold. */
  count: number;
}

interface Subject {
  /** Times of the most recent refusals within the window, oldest first; at most `threshold`. */
  times: number[];
  alertedAt?: number;
  lastAt: number;
}

export class RefusalCounter {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly maxSubjects: number;
  // Kept in order of the latest refusal (a Map iterates in insertion order), so the subjects that
  // have gone quiet are always at the front.
  private readonly subjects = new Map<string, Subject>();

  constructor(opts: RefusalCounterOptions) {
    if (!Number.isInteger(opts.threshold) || opts.threshold < 1) throw new RangeError('threshold must be a whole number of at least 1');
    if (!Number.isFinite(opts.windowMs) || opts.windowMs <= 0) throw new RangeError('windowMs must be a positive number of milliseconds');
    const max = opts.maxSubjects ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxSubjects must be a whole number of at least 1');
    this.threshold = opts.threshold;
    this.windowMs = opts.windowMs;
    this.maxSubjects = max;
  }

  record(subjectKey: string, at: Date): RefusalVerdict {
    const now = at.getTime();
    if (Number.isNaN(now)) throw new RangeError('at must be a valid date');
    this.forgetIdle(now);

    const s = this.subjects.get(subjectKey) ?? { times: [], lastAt: now };
    this.subjects.delete(subjectKey); // re-inserted below, at the back
    const since = now - this.windowMs;
    s.times = s.times.filter((t) => t > since);
    s.times.push(now);
    if (s.times.length > this.threshold) s.times.splice(0, s.times.length - this.threshold);
    s.lastAt = Math.max(s.lastAt, now);

    const quiet = s.alertedAt === undefined || now - s.alertedAt >= this.windowMs;
    const alert = s.times.length >= this.threshold && quiet;
    if (alert) s.alertedAt = now;
    this.subjects.set(subjectKey, s);

    while (this.subjects.size > this.maxSubjects) this.subjects.delete(this.subjects.keys().next().value!);
    return { alert, count: s.times.length };
  }

  /** How many subjects are being tracked (for tests and metrics). */
  get size(): number {
    return this.subjects.size;
  }

  /** Drops the subjects whose last refusal is a window old: they can neither count nor be suppressed. */
  private forgetIdle(now: number): void {
    for (const [key, s] of this.subjects) {
      if (s.lastAt > now - this.windowMs) break;
      this.subjects.delete(key);
    }
  }
}
