// Lapsed holds release themselves: a timer sweeps busy-tentative slots whose hold has expired back
// to free, without any request arriving. It sweeps once at start-up, so holds that lapsed while the
// server was down are released at once (the hold lives in the stored slot, not in memory), and then
// periodically. The rules already treat a lapsed hold as free the moment it expires; the sweep makes
// the stored status, and so slot searches, say so too.
//
// It writes through the store, each slot in its own transaction guarded by the version it read, so
// it never overwrites a booking or a PAS change that landed in between (that version simply wins).
import { FhirError } from '../domain/errors.js';
import type { Resource, r4 } from '../domain/fhir.js';
import type { SearchRequest } from '../domain/search-types.js';
import { isLapsedHold, unheld } from './hold.js';
import type { StoredResource } from './port.js';
import { codeIn, query } from './queries.js';

/** What the sweeper needs of a store (the Store port satisfies it). */
export interface SweepStore {
  search(req: SearchRequest): Promise<{ matches: StoredResource[]; next?: string }>;
  transaction<T>(fn: (tx: SweepWriter) => Promise<T>): Promise<T>;
}

export interface SweepWriter {
  read(type: string, id: string): Promise<StoredResource | undefined>;
  update(resource: Resource, opts: { ifMatch: number }): Promise<unknown>;
}

/** Frees every slot whose hold has lapsed by `now`; returns how many it freed. */
export async function releaseLapsedHolds(store: SweepStore, now: Date, onReleased?: (slotId: string) => Promise<void>): Promise<number> {
  const lapsed: string[] = [];
  const req = query('Slot', codeIn('status', ['busy-tentative']));
  // Collect first, release after: releasing changes the very set the cursor walks.
  for (let page = await store.search(req); ; page = await store.search({ ...req, cursor: page.next! })) {
    for (const m of page.matches) if (isLapsedHold(m.resource as r4.Slot, now)) lapsed.push(m.resource.id!);
    if (!page.next) break;
  }
  let released = 0;
  for (const id of lapsed) {
    if (!(await releaseOne(store, id, now))) continue;
    released++;
    await onReleased?.(id);
  }
  return released;
}

async function releaseOne(store: SweepStore, id: string, now: Date): Promise<boolean> {
  try {
    return await store.transaction(async (tx) => {
      const current = await tx.read('Slot', id);
      if (!current || current.deleted || !isLapsedHold(current.resource as r4.Slot, now)) return false;
      const free: r4.Slot = { ...unheld(current.resource as r4.Slot), status: 'free' };
      await tx.update(free, { ifMatch: current.versionId });
      return true;
    });
  } catch (e) {
    // Another writer moved the slot on (booked it, withdrew it): its version stands.
    if (e instanceof FhirError && e.status === 412) return false;
    throw e;
  }
}

export interface HoldSweeper {
  /** One sweep now (the timer's sweeps never overlap with it). */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a running sweep to end. */
  stop(): Promise<void>;
}

export interface HoldSweeperOptions {
  store: SweepStore;
  now: () => Date;
  intervalMs: number;
  /** A failed sweep is reported here and retried at the next tick; it never stops the timer. */
  onError: (e: unknown) => void;
  /** Told of each slot released, after its commit (the composition root records it in the audit trail). */
  onReleased?: (slotId: string) => Promise<void>;
}

/** Sweeps once (awaited, so start-up ends with lapsed holds released), then every intervalMs. */
export async function startHoldSweeper(opts: HoldSweeperOptions): Promise<HoldSweeper> {
  let running: Promise<number> | undefined;
  let stopped = false;
  const sweep = (): Promise<number> => {
    if (running) return running;
    running = releaseLapsedHolds(opts.store, opts.now(), opts.onReleased).finally(() => (running = undefined));
    return running;
  };
  const tick = () => {
    if (!stopped) sweep().catch(opts.onError);
  };
  await sweep().catch(opts.onError);
  const timer = setInterval(tick, opts.intervalMs);
  // The sweeper must never keep the process alive on its own.
  timer.unref();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
