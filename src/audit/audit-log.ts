// The audit log: appends AuditEvents to the hash chain, durably, in groups.
//
// Durability before disclosure: append resolves only after the transaction that stored the events
// committed (SQLite runs synchronous=FULL, so a commit is on disk), and rejects with a 503 when they
// could not be stored, so a caller that waits for it never discloses unaudited data.
//
// Group commit: the cost of a durable commit is mostly the fsync, paid once per transaction
// whatever it holds. Appends queue; one group is written at a time; when it ends, everything that
// queued meanwhile goes into the next transaction (up to maxGroup events). An idle log starts a
// group at once, so a lone request waits for one commit, and under load the groups grow by
// themselves. Nothing is buffered past the caller: an event is either committed before its append
// resolves or its append rejects. The queue is bounded (maxWaiting); beyond it appends fail at once
// with a 503 rather than hold memory without limit.
//
// The chain inside one group: the head (the newest event) is read inside the group's transaction
// and each event gets the next sequence number, the previous hash and its own hash (./chain.ts).
// Several processes on one database:
//  - SQLite serialises transactions (BEGIN IMMEDIATE), so the head read inside one is the head.
//  - MongoDB with server transactions: two groups that read the same head both create the same
//    ids; the loser's create fails (409 or a write conflict the driver retries); it is rolled back
//    whole and written again on the new head.
//  - MongoDB without transactions (standalone): every create is visible to other processes at once,
//    so another process may already have chained onto our first events when a later one loses a
//    race. Rolling the group back would leave that process's events pointing at deleted ones (a
//    broken chain), so here what was written stays, as the valid links it is, and only the rest is
//    written again on the new head. Callers whose events all made it are resolved; the others
//    are retried or, in the end, rejected. So that such races stay rare (processes that all append
//    all the time could otherwise keep losing them), groups are written under a lease that one
//    process holds at a time (./writer-lease.ts).
//
// Not to be called from inside a store transaction of the same store: the group's transaction
// would wait for the caller's, and the caller for the group (a deadlock).
import { AsyncResource } from 'node:async_hooks';
import { errors, FhirError } from '../domain/errors.js';
import type { SearchRequest } from '../domain/search-types.js';
import type { Store, StoreReader, StoreWriter } from '../store/port.js';
import { advanceAnchor, type ChainHead } from './anchor.js';
import { GENESIS_HASH, isSequenceId, readChainLink, sealEvent, sequenceId, type AuditEvent } from './chain.js';
import { WriterLease } from './writer-lease.js';

export interface AuditLogOptions {
  /** Most events in one transaction (a single append larger than this still goes in one). Default 500. */
  maxGroup?: number;
  /** Most events waiting for a group; appends beyond it are refused with a 503. Default 10,000. */
  maxWaiting?: number;
  /** Attempts of one group that loses races with other processes (409). Default 10. */
  maxAttempts?: number;
  /**
   * Least time between two anchor writes (each is a durable write of its own, so writing one per
   * group would double the commits under load). 0: after every group. Default 1000.
   */
  anchorIntervalMs?: number;
  /**
   * Write groups under a cross-process lease (./writer-lease.ts). Default: when the store's
   * transactions are not atomic (they do not serialise writers of several processes).
   */
  writerLease?: boolean;
  /** Called when the anchor could not be written (the events are stored; the next write retries). */
  onAnchorError?: (error: unknown) => void;
  /** Called after each group that stored events: how many, and in how many attempts. */
  onGroup?: (stats: { events: number; attempts: number; ms: number }) => void;
  /** Clock for record expiry checks (default: the system clock). */
  now?: () => Date;
  /**
   * Longest a group waits for appends announced with expect() (see there). Default 2; 0 turns the
   * wait off.
   */
  lingerMs?: number;
}

interface Waiting {
  events: AuditEvent[];
  resolve: (stored: AuditEvent[]) => void;
  reject: (error: unknown) => void;
}

interface Attempt {
  stored: AuditEvent[];
  /** Set when writing stopped before the end (only on stores without atomic transactions). */
  failure?: unknown;
}

/** Newest first: ids are sequence numbers of equal length, so text order is chain order. */
function headQuery(cursor: string | undefined): SearchRequest {
  const req: SearchRequest = { types: ['AuditEvent'], where: [], sort: [{ p: '_id', desc: true }], count: 1, total: 'none' };
  if (cursor !== undefined) req.cursor = cursor;
  return req;
}

function isConflict(e: unknown): boolean {
  return e instanceof FhirError && e.status === 409;
}

/** The newest event of the chain, or the genesis when the log is empty. */
export async function readHead(reader: StoreReader): Promise<ChainHead> {
  let head: ChainHead = { sequence: 0n, hash: GENESIS_HASH };
  let cursor: string | undefined;
  do {
    const page = await reader.search(headQuery(cursor));
    // A foreign id that sorts above the chain's ids is not the head (verify reports it); skip it.
    const found = page.matches.find((m) => isSequenceId(m.id));
    if (found) {
      head = linkOf(found.id, found.resource);
      break;
    }
    cursor = page.next;
  } while (cursor);
  // Searches do not see deleted resources, but their ids stay taken: an event deleted from the
  // top of the chain is still the head to build on (verify reports the gap it left).
  for (;;) {
    const next = await reader.read('AuditEvent', sequenceId(head.sequence + 1n));
    if (!next) return head;
    head = linkOf(next.id, next.resource);
  }
}

function linkOf(id: string, resource: unknown): ChainHead {
  const link = readChainLink(resource);
  if (!link || sequenceId(link.sequence) !== id) {
    // Guessing a head here would only bury the damage under new events; refuse until it is repaired.
    throw errors.internal(`AuditEvent/${id} is the newest audit event but carries no valid chain link: run npm run audit:verify`);
  }
  return { sequence: link.sequence, hash: link.hash };
}

export class AuditLog {
  private readonly maxGroup: number;
  private readonly maxWaiting: number;
  private readonly maxAttempts: number;
  private readonly anchorIntervalMs: number;
  private readonly now: () => Date;
  private readonly lease: WriterLease | undefined;
  /** Groups run in the log's own async context, never in that of whichever caller started one. */
  private readonly scope = new AsyncResource('AuditLog');
  private readonly queue: Waiting[] = [];
  private waitingEvents = 0;
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly lingerMs: number;
  /** Appends announced by expect() and not yet arrived. */
  private expected = 0;
  /** Wakes a group that waits for announced appends. */
  private wake: (() => void) | undefined;
  // The anchor (./anchor.ts): the newest head stored, the newest anchored, the pending write.
  private storedHead: ChainHead | undefined;
  private anchoredHead: ChainHead | undefined;
  private anchorTimer: NodeJS.Timeout | undefined;
  private anchorWrite: Promise<void> | undefined;
  private lastAnchorAt = 0;

  constructor(private readonly store: Store, private readonly options: AuditLogOptions = {}) {
    this.maxGroup = positive(options.maxGroup ?? 500, 'maxGroup');
    this.maxWaiting = positive(options.maxWaiting ?? 10_000, 'maxWaiting');
    this.maxAttempts = positive(options.maxAttempts ?? 10, 'maxAttempts');
    this.anchorIntervalMs = Math.max(0, options.anchorIntervalMs ?? 1000);
    this.lingerMs = Math.max(0, options.lingerMs ?? 2);
    this.now = options.now ?? (() => new Date());
    const leased = options.writerLease ?? !store.capabilities.atomicTransactions;
    this.lease = leased ? new WriterLease(store.records, { now: this.now }) : undefined;
  }

  /** Events waiting for a group (not counting the group being written). */
  get waiting(): number {
    return this.waitingEvents;
  }

  /**
   * Announces that about `n` more appends are on their way (requests in progress that have not
   * appended yet); each call replaces the previous estimate. A group about to be written waits for
   * them, at most lingerMs, so that concurrent requests share a commit instead of each paying for
   * one: the cost of a commit (the B-tree pages it rewrites, the fsync) hardly depends on how many
   * events it holds. This is PostgreSQL's commit_delay/commit_siblings idea, with the siblings
   * counted rather than guessed. With nothing announced (a lone request) no group ever waits.
   */
  expect(n: number): void {
    this.expected = Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
    if (this.expected === 0) this.wake?.();
  }

  /** append, for callers that need only the events durable (AuditAppender.record). */
  async record(events: AuditEvent[]): Promise<void> {
    await this.append(events);
  }

  /**
   * Stores the events, in order and consecutively, at the end of the chain. Resolves with them as
   * stored (id = sequence, chain extension, meta) once committed; rejects with a 503 FhirError when
   * they were not stored (the log is overloaded or closed, or the group's transaction failed).
   */
  append(events: AuditEvent[]): Promise<AuditEvent[]> {
    if (this.closed) return Promise.reject(errors.unavailable('The audit log is closed'));
    if (!Array.isArray(events) || events.some((e) => e?.resourceType !== 'AuditEvent')) {
      return Promise.reject(errors.internal('AuditLog.append takes a list of AuditEvent resources'));
    }
    if (events.length === 0) return Promise.resolve([]);
    if (this.waitingEvents + events.length > this.maxWaiting) {
      return Promise.reject(errors.unavailable('The audit log is overloaded, try again shortly'));
    }
    return new Promise<AuditEvent[]>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.waitingEvents += events.length;
      if (this.waitingEvents >= this.maxGroup) this.wake?.();
      this.startDraining();
    });
  }

  /** Refuses new appends, waits for the queued ones, and writes the final anchor. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    while (this.draining) await this.draining;
    if (this.anchorTimer) clearTimeout(this.anchorTimer);
    this.anchorTimer = undefined;
    while (this.anchorWrite) await this.anchorWrite;
    await this.writeAnchor();
  }

  private startDraining(): void {
    if (this.draining) return;
    this.draining = this.scope.runInAsyncScope(() => nextTurn().then(() => this.drain()));
  }

  /**
   * Each group is taken one turn of the event loop after the previous one ended (setImmediate, not a
   * microtask): a commit blocks this thread, and the appends that arrived meanwhile (requests' I/O
   * callbacks, the writer thread's port messages) are only delivered when the loop turns. Taking the
   * next group at once would start it with the first of them alone; one turn later it holds them all.
   * Measured with the log on its writer thread at 32 connections of reads, with the wait for
   * announced appends (expect): groups of 3.3 events became groups of 6.6 (docs/BENCHMARKS.md).
   */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.lingerForExpected();
        await this.writeGroup(this.takeGroup());
        await nextTurn();
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** Waits (at most lingerMs) while appends announced by expect() are still on their way. */
  private async lingerForExpected(): Promise<void> {
    if (this.lingerMs === 0 || this.expected === 0 || this.closed || this.waitingEvents >= this.maxGroup) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.lingerMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }

  private takeGroup(): Waiting[] {
    const group: Waiting[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (group.length > 0 && size + next.events.length > this.maxGroup) break;
      group.push(this.queue.shift()!);
      size += next.events.length;
    }
    this.waitingEvents -= size;
    return group;
  }

  /** Writes one group and settles each of its callers; never throws. */
  private async writeGroup(group: Waiting[]): Promise<void> {
    const started = performance.now();
    const events = group.flatMap((w) => w.events);
    const stored: AuditEvent[] = [];
    let failure: unknown;
    let attempts = 0;
    const attempt = async () => {
      while (stored.length < events.length && attempts < this.maxAttempts) {
        attempts++;
        failure = undefined;
        try {
          const result = await this.store.transaction((tx) => this.writeChained(tx, events.slice(stored.length)));
          stored.push(...result.stored);
          failure = result.failure;
        } catch (e) {
          failure = e;
        }
        if (failure !== undefined && !isConflict(failure)) break;
        // Lost a race for the next sequence number to another process: try again on the new head.
        if (failure !== undefined && attempts < this.maxAttempts) await backoff(attempts);
      }
    };
    try {
      await (this.lease ? this.lease.hold(attempt) : attempt());
    } catch (e) {
      failure = e; // the lease could not be had: nothing was written
    }
    let offset = 0;
    for (const w of group) {
      const end = offset + w.events.length;
      if (end <= stored.length) w.resolve(stored.slice(offset, end));
      else w.reject(errors.unavailable('The audit log could not store the event', failure));
      offset = end;
    }
    if (stored.length > 0) {
      const last = readChainLink(stored[stored.length - 1])!;
      this.noteHead({ sequence: last.sequence, hash: last.hash });
      try {
        this.options.onGroup?.({ events: stored.length, attempts, ms: performance.now() - started });
      } catch {
        // A statistics hook must not stop the log.
      }
    }
  }

  private async writeChained(tx: StoreWriter, events: AuditEvent[]): Promise<Attempt> {
    const head = await readHead(tx);
    const stored: AuditEvent[] = [];
    let sequence = head.sequence;
    let previous = head.hash;
    for (const event of events) {
      sequence += 1n;
      const sealed = sealEvent(event, sequence, previous);
      try {
        stored.push((await tx.create(sealed)).resource as AuditEvent);
      } catch (e) {
        // Atomic stores roll the whole attempt back; others keep what is written (see the top).
        if (this.store.capabilities.atomicTransactions) throw e;
        return { stored, failure: e };
      }
      previous = readChainLink(sealed)!.hash;
    }
    return { stored };
  }

  // ---- the anchor --------------------------------------------------------------------------------

  private noteHead(head: ChainHead): void {
    if (!this.storedHead || head.sequence > this.storedHead.sequence) this.storedHead = head;
    this.scheduleAnchor();
  }

  private scheduleAnchor(): void {
    if (this.anchorTimer || this.anchorWrite || this.closed) return;
    const delay = Math.max(0, this.lastAnchorAt + this.anchorIntervalMs - Date.now());
    this.anchorTimer = setTimeout(() => {
      this.anchorTimer = undefined;
      this.anchorWrite = this.writeAnchor().then((ok) => {
        this.anchorWrite = undefined;
        // Heads stored while it was written get the next one; after a failure, the next group retries.
        if (ok && this.storedHead && this.storedHead.sequence > (this.anchoredHead?.sequence ?? 0n)) this.scheduleAnchor();
      });
    }, delay);
    this.anchorTimer.unref();
  }

  /** Anchors the newest stored head; false when that failed (reported to onAnchorError). */
  private async writeAnchor(): Promise<boolean> {
    const head = this.storedHead;
    if (!head || head.sequence <= (this.anchoredHead?.sequence ?? 0n)) return true;
    this.lastAnchorAt = Date.now();
    try {
      await advanceAnchor(this.store.records, head, this.now());
      this.anchoredHead = head;
      return true;
    } catch (e) {
      this.options.onAnchorError?.(e);
      return false;
    }
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`AuditLog ${name} must be a positive integer`);
  return n;
}

async function backoff(attempt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
}

/** Resolves in the check phase of the event loop's next turn, after pending I/O callbacks ran. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
