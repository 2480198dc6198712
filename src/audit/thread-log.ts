// The audit log on a thread of its own, for a database file. A durable SQLite commit waits for an
// fsync, and better-sqlite3 waits on the thread that called it: with the log on the request
// thread, every audit commit stalled every request, so concurrent requests rarely reached their
// audit record together and group commit had little to group. Here the requests' thread only posts
// events and awaits the answer; the writer thread (src/audit-writer.ts, with its own connection to
// the same file) runs the AuditLog, whose groups now fill while it commits. Durability is
// unchanged: append resolves only after the writer's commit.
import { Worker } from 'node:worker_threads';
import { errors, FhirError } from '../domain/errors.js';
import type { r4 } from '../domain/fhir.js';
import type { AuditAppender } from './appender.js';

/** What the writer thread answers for one append. */
export type WriterReply =
  /** stored: the events as stored, as JSON text; absent when the append asked for no copy. */
  | { id: number; ok: true; stored?: string }
  | { id: number; ok: false; status: number; message: string };

/** One group the writer committed (for metrics), and a fault it hit outside any append (for logs). */
export type WriterNotice = { group: GroupStats } | { fault: string; message: string };

export interface GroupStats {
  events: number;
  attempts: number;
  ms: number;
}

export interface ThreadLogHooks {
  onGroup?(g: GroupStats): void;
  onFault?(source: string, e: Error): void;
  /**
   * Requests the server is working on now. Each append tells the writer how many of them have not
   * appended yet, so that its next group can wait for them (AuditLog.expect).
   */
  requestsInProgress?(): number;
}

/**
 * What the request thread posts for one append. Events cross between the threads as JSON text, in
 * both directions: structured cloning a BALP event (a deep tree of small objects) cost the request
 * thread more than JSON.stringify does, and a string is copied across in one piece.
 */
export interface AppendMessage {
  id: number;
  /** The events, as JSON text. */
  events: string;
  /** Appends probably on their way: requests in progress that have none waiting for the writer. */
  expected: number;
  /** Whether the stored events are wanted back (a referrals search's 50 events are ~220 KB). */
  reply: boolean;
}

export interface WriterData {
  /** SQLite database file (the same one the server's store opened). */
  file: string;
}

/**
 * The writer thread's young generation, MiB. V8 gives it two semi-spaces and a new large-object
 * space (a third as much), rounding the semi-spaces to a power of two: 24 means 8 MiB semi-spaces,
 * 16 MiB of new space, against V8's default of 32 MiB for a thread whose old generation holds
 * ~20 MiB. Measured on the 1.44M-resource estate at 32 connections (docs/operations.md, "Memory"):
 * the thread's heap peaks at ~47 MiB instead of ~58–66 MiB, and its CPU per referrals search (50
 * AuditEvents each, where this thread is the busier one) rises by ~1 ms of ~35 ms. 12 (8 MiB of new
 * space) would save ~13 MiB more but cost ~2.5–3.5 ms there. Only the young generation is set: the
 * old generation keeps V8's default ceiling, so a burst of queued events never runs the writer out
 * of memory.
 */
export const WRITER_YOUNG_GENERATION_MB = 24;

export class ThreadAuditLog implements AuditAppender {
  private worker!: Worker;
  private readonly pending = new Map<number, { resolve: (e: r4.AuditEvent[] | undefined) => void; reject: (e: unknown) => void }>();
  private next = 1;
  private closed = false;
  private exited: Promise<void> = Promise.resolve();
  private ready: Promise<void> = Promise.resolve();
  /** Writers started after the first (a writer that dies is replaced; appends in flight fail with 503). */
  restarts = 0;

  private constructor(private readonly entry: URL, private readonly data: WriterData, private readonly hooks: ThreadLogHooks) {}

  /** Starts the writer and waits until it has opened the database (or failed to). */
  static async start(entry: URL, data: WriterData, hooks: ThreadLogHooks = {}): Promise<ThreadAuditLog> {
    const log = new ThreadAuditLog(entry, data, hooks);
    log.spawn();
    await log.ready;
    return log;
  }

  private spawn(): void {
    const worker = new Worker(this.entry, { workerData: this.data, resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; error?: string }) => {
        if (m.ready) resolve();
        else if (m.error !== undefined) reject(new Error(`the audit writer could not start: ${m.error}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    this.ready.catch(() => undefined);
    worker.on('message', (m: WriterReply | WriterNotice) => this.settle(m));
    worker.on('error', (e) => this.failAll(e));
    this.exited = new Promise((resolve) => {
      worker.on('exit', () => {
        this.failAll(new Error('the audit writer thread ended'));
        // Fail closed for what was in flight, then carry on with a new writer: the server must not
        // answer 503 for ever because one thread died.
        if (!this.closed) {
          this.restarts++;
          this.spawn();
        }
        resolve();
      });
    });
  }

  async append(events: r4.AuditEvent[]): Promise<r4.AuditEvent[]> {
    return (await this.post(events, true))!;
  }

  async record(events: r4.AuditEvent[]): Promise<void> {
    await this.post(events, false);
  }

  private async post(events: r4.AuditEvent[], reply: boolean): Promise<r4.AuditEvent[] | undefined> {
    if (this.closed) throw errors.unavailable('The audit log is closed');
    await this.ready.catch(() => {
      throw errors.unavailable('The audit writer is not running');
    });
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const inProgress = this.hooks.requestsInProgress?.() ?? 0;
      const expected = Math.max(0, inProgress - this.pending.size);
      this.worker.postMessage({ id, events: JSON.stringify(events), expected, reply } satisfies AppendMessage);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    // The writer finishes what it was given (AuditLog.close) before it exits.
    this.worker.postMessage({ close: true });
    await this.exited;
  }

  private settle(m: WriterReply | WriterNotice | { ready?: boolean }): void {
    if ('group' in m) {
      this.hooks.onGroup?.(m.group);
      return;
    }
    if ('fault' in m) {
      this.hooks.onFault?.(m.fault, new Error(m.message));
      return;
    }
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.stored === undefined ? undefined : (JSON.parse(m.stored) as r4.AuditEvent[]));
    else p.reject(m.status === 503 ? errors.unavailable(m.message) : new FhirError(m.status, errors.internal(m.message).issues));
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(errors.unavailable(`The audit log could not store the event (${e instanceof Error ? e.message : String(e)})`));
    this.pending.clear();
  }
}
