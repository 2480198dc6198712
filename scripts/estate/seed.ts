// Loads a stream of resources into a Store in large transactions. Going through the Store port (not
// SQL) means the seeded database is exactly what the server would have written: same schema, same
// index rows, same meta. The HTTP API would add JSON parsing, validation, auth and one transaction per
// resource, far too slow for a million slots; this measures the storage engine's own bulk rate.
import { performance } from 'node:perf_hooks';
import type { Resource } from '../../src/domain/fhir.js';
import type { Store } from '../../src/store/port.js';

export interface SeedProgress {
  resources: number;
  elapsedMs: number;
  /** Resources per second over the whole run so far. */
  rate: number;
}

export interface SeedResult extends SeedProgress {
  transactions: number;
  /** Time spent generating resources (the PRNG and builders), included in elapsedMs. */
  generateMs: number;
}

export interface SeedOptions {
  batchSize: number;
  /** Called after every transaction; `every` batches between calls. */
  onProgress?: (p: SeedProgress) => void;
  progressEvery?: number;
}

export async function seedStore(store: Store, resources: Iterable<Resource>, opts: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const it = resources[Symbol.iterator]();
  let total = 0;
  let transactions = 0;
  let generateMs = 0;
  let done = false;
  while (!done) {
    // Generate the batch before opening the transaction, so generation time never holds the write lock.
    const g0 = performance.now();
    const batch: Resource[] = [];
    while (batch.length < opts.batchSize) {
      const n = it.next();
      if (n.done) {
        done = true;
        break;
      }
      batch.push(n.value);
    }
    generateMs += performance.now() - g0;
    if (batch.length === 0) break;
    await store.transaction(async (tx) => {
      for (const r of batch) await tx.create(r);
    });
    total += batch.length;
    transactions++;
    if (opts.onProgress && (done || transactions % (opts.progressEvery ?? 1) === 0)) {
      const elapsedMs = performance.now() - started;
      opts.onProgress({ resources: total, elapsedMs, rate: total / (elapsedMs / 1000) });
    }
  }
  const elapsedMs = performance.now() - started;
  return { resources: total, elapsedMs, rate: total / (elapsedMs / 1000), transactions, generateMs };
}
