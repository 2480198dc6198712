// A lease that lets one process at a time write audit groups, for stores whose transactions do not
// serialise writers across processes (MongoDB without transactions). Correctness does not rest on
// it: two writers that read the same head still collide on the unique id, and the loser writes
// again (audit-log.ts). What it buys is progress: without it, processes that all append all the
// time keep reading a head that another has just moved past, and a group can lose every attempt.
// Held through a once-only record (store.records.claimOnce, atomic across processes) that expires
// by itself, so a process that dies holding it delays the others by at most the lease time.
import { errors } from '../domain/errors.js';
import type { RecordStore } from '../domain/records.js';

const KIND = 'audit-writer-lease';
const ID = 'chain';

export interface LeaseOptions {
  /** How long a lease lasts unless released. Default 5000 ms. */
  leaseMs?: number;
  /** Longest wait for the lease before giving up with a 503. Default 5000 ms. */
  waitMs?: number;
  now: () => Date;
}

/** Waiting processes poll about this often (ms). */
const POLL_MS = 3;
const pause = () => new Promise((r) => setTimeout(r, 1 + Math.random() * (POLL_MS - 1) * 2));

export class WriterLease {
  private releasedAt = -Infinity;
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(private readonly records: RecordStore, private readonly options: LeaseOptions) {
    this.leaseMs = options.leaseMs ?? 5000;
    this.waitMs = options.waitMs ?? 5000;
  }

  /** Runs fn while holding the lease. */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    // Back to back, this process would take the lease again before any waiting process polls:
    // under steady load the others would wait until they gave up. Pausing about one polling
    // interval first gives them their turn; a process writing alone loses only that pause, and
    // only when it is busy enough that its next group is already waiting.
    if (performance.now() - this.releasedAt < POLL_MS) await pause();
    await this.acquire();
    try {
      return await fn();
    } finally {
      // If fn outlived the lease another process may hold it now and lose it here: that only
      // falls back to the collision handling the lease exists to make rare.
      await this.records.delete(KIND, ID).catch(() => undefined);
      this.releasedAt = performance.now();
    }
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const now = this.options.now().getTime();
      if (await this.records.claimOnce(KIND, ID, new Date(now + this.leaseMs).toISOString(), new Date(now).toISOString())) return;
      if (Date.now() >= deadline) throw errors.unavailable('Another process has been writing the audit log for too long');
      // A short, steady poll: a growing one would favour whoever waited least.
      await pause();
    }
  }
}
