// Remembered driver sizes. Probing (counting a driver's rows up to a cap) is a large share of a
// search's cost when several conditions are broad — "status=free" or a service type match tens of
// thousands of slots on every booking search — and those sizes change slowly. A stale size can only
// make the planner choose a slower driver, never a wrong answer (every plan filters exactly), so a
// short-lived cache is safe.
const TTL_MS = 10_000;
const MAX_ENTRIES = 2_000;

interface Entry {
  exact?: number;
  atLeast: number;
  at: number;
}

export class ProbeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** What is known about the rows of this driver query (exact count, or a lower bound). */
  get(key: string): { exact?: number; atLeast: number } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  put(key: string, known: { exact?: number; atLeast: number }): void {
    this.entries.delete(key);
    this.entries.set(key, { ...known, at: this.now() });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
