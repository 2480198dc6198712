// Taking the database write lock (BEGIN IMMEDIATE) without stopping the server while we wait.
//
// better-sqlite3 is synchronous: with a busy_timeout, a BEGIN IMMEDIATE that finds another
// connection holding the write lock sleeps inside SQLite, on the calling thread, until the lock is
// free or the timeout passes. On the request thread that froze the whole process (health checks,
// reads, every other request) for up to 5 s per write whenever another process held the lock, and
// writes queued behind the store's mutex waited 5 s each in turn. Here every attempt is made with a
// busy_timeout of 0 and the waiting happens between attempts, on timers, so the event loop runs on.
//
// How long: a write waits up to WAIT_MS for the lock (the busy_timeout the store used to block
// for), enough to ride over another process's commits, then gives up with a 503. A lock held that
// long is taken to be stuck (a backup, a crashed tool, an operator's open transaction), and later
// writes wait only STUCK_WAIT_MS, so clients get their 503 at once for as long as it lasts instead
// of five seconds each. The first write that gets the lock restores the full wait: recovery needs
// nobody's help.
import type { Statement } from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '../../domain/errors.js';
import { BUSY_TIMEOUT_MS, type Db } from './connection.js';
import { asUnavailable, isBusy } from './unavailable.js';

export const WAIT_MS = BUSY_TIMEOUT_MS;
export const STUCK_WAIT_MS = 100;
/** Longest pause between two attempts (they start at 1 ms and double). */
const MAX_PAUSE_MS = 25;

export class WriteLock {
  private stuck = false;
  private readonly begin: Statement;

  constructor(private readonly db: Db, private readonly waitMs = WAIT_MS, private readonly stuckWaitMs = STUCK_WAIT_MS) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
  }

  /** Begins a write transaction on the connection, or rejects with a 503 when the lock stays taken. */
  async acquire(): Promise<void> {
    // A transaction whose ROLLBACK failed (a failing disk) is still open on the connection.
    if (this.db.inTransaction) this.rollbackLeftover();
    const started = performance.now();
    const budget = this.stuck ? this.stuckWaitMs : this.waitMs;
    let pause = 1;
    for (;;) {
      if (this.tryBegin()) {
        this.stuck = false;
        return;
      }
      const left = budget - (performance.now() - started);
      if (left <= 0) {
        this.stuck = true;
        throw errors.unavailable('The database is locked by another process; try again shortly');
      }
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }

  private rollbackLeftover(): void {
    try {
      this.db.exec('ROLLBACK');
    } catch (e) {
      throw asUnavailable(e);
    }
  }

  private tryBegin(): boolean {
    // Not a prepared statement: SQLite may apply a PRAGMA when it is compiled rather than when it
    // runs, so a prepared `PRAGMA busy_timeout` re-run later can leave the old value (seen here).
    this.db.pragma('busy_timeout = 0');
    try {
      this.begin.run();
      return true;
    } catch (e) {
      if (isBusy(e)) return false;
      throw asUnavailable(e);
    } finally {
      // Other statements on this connection (opening, optimize, seeding) keep the ordinary wait.
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }
}
