// The client and database of the double. Databases are shared per name within one client, so two
// stores opened on the same client act like two processes using one server (each store has its own
// transaction mutex; only the data is shared).
import type { AdminLike, DbLike, Doc, MongoClientLike } from '../../../src/store/mongo/driver.js';
import { DoubleCollection, type OpRecord } from './collection.js';
import { DoubleServerError, unreachable } from './errors.js';
import { DoubleSession, type TransactionFaults } from './session.js';

export interface DoubleOptions {
  /**
   * 'standalone' (default) reports no transaction support, so the adapter's compensating fallback
   * runs; 'replicaSet' reports a replica set and offers snapshot-isolated transactions (./session.ts).
   */
  topology?: 'standalone' | 'replicaSet';
}

/**
 * The network between the adapter and the double (fault injection). While `down`, every operation
 * and command fails as the driver fails against an unreachable server (./errors.ts unreachable),
 * after waiting `selectionTimeoutMs` as the driver waits for server selection. Data is kept: bring
 * it back up and everything works again, as after a real outage.
 */
export class DoubleNetwork {
  down = false;
  selectionTimeoutMs = 0;
  /** When set, the network goes down after this many more operations (an outage mid-request). */
  downAfter: number | undefined;

  /** Rejects when the network is down; called by every operation before it touches data. */
  async check(inTransaction: boolean): Promise<void> {
    if (this.downAfter !== undefined && this.downAfter-- <= 0) {
      this.down = true;
      this.downAfter = undefined;
    }
    if (!this.down) return;
    if (this.selectionTimeoutMs > 0) await new Promise((r) => setTimeout(r, this.selectionTimeoutMs));
    throw unreachable(inTransaction, this.selectionTimeoutMs);
  }
}

export class DoubleDb implements DbLike {
  private readonly collections = new Map<string, DoubleCollection>();

  constructor(
    readonly name: string,
    private readonly client: MongoDouble,
  ) {}

  all(): DoubleCollection[] {
    return [...this.collections.values()];
  }

  collection(name: string): DoubleCollection {
    let c = this.collections.get(name);
    if (!c) {
      c = new DoubleCollection(`${this.name}.${name}`, this.client.log, this.client.network);
      this.collections.set(name, c);
    }
    return c;
  }

  admin(): AdminLike {
    return {
      command: async (cmd: Doc) => {
        await this.client.network.check(false);
        if ('ping' in cmd) return { ok: 1 };
        if ('hello' in cmd) {
          return this.client.topology === 'replicaSet'
            ? { isWritablePrimary: true, setName: 'rs0', hosts: ['double:27017'], ok: 1 }
            : { isWritablePrimary: true, ok: 1 };
        }
        throw new DoubleServerError(`no such command: '${Object.keys(cmd)[0]}'`, 59);
      },
    };
  }
}

export class MongoDouble implements MongoClientLike {
  readonly topology: 'standalone' | 'replicaSet';
  /** Every operation the adapter sent, with its filter, in order (for asserting filter shapes). */
  readonly log: OpRecord[] = [];
  readonly faults: TransactionFaults = { transientCommitFailures: 0 };
  /** The network to the double: see disconnect(). */
  readonly network = new DoubleNetwork();
  readonly sessions: DoubleSession[] = [];
  private readonly dbs = new Map<string, DoubleDb>();

  constructor(opts: DoubleOptions = {}) {
    this.topology = opts.topology ?? 'standalone';
  }

  db(name: string): DoubleDb {
    let d = this.dbs.get(name);
    if (!d) {
      d = new DoubleDb(name, this);
      this.dbs.set(name, d);
    }
    return d;
  }

  startSession(): DoubleSession {
    if (this.topology !== 'replicaSet') {
      // A standalone server accepts sessions but not transactions; the adapter must not try.
      throw new DoubleServerError('Transaction numbers are only allowed on a replica set member or mongos', 20);
    }
    const s = new DoubleSession(this.faults, () => [...this.dbs.values()].flatMap((d) => d.all()));
    this.sessions.push(s);
    return s;
  }

  /**
   * Cuts the network: from now on (or after `afterOperations` more operations, to break a request
   * half-way) every operation fails like the driver's against a server that is down (after
   * `selectionTimeoutMs`, default 0) until reconnect(). Operations already past their check
   * complete, as requests already on the wire would.
   */
  disconnect(opts: { selectionTimeoutMs?: number; afterOperations?: number } = {}): void {
    this.network.selectionTimeoutMs = opts.selectionTimeoutMs ?? 0;
    if (opts.afterOperations === undefined) this.network.down = true;
    else this.network.downAfter = opts.afterOperations;
  }

  /** Restores the network; the data is as it was. */
  reconnect(): void {
    this.network.down = false;
    this.network.downAfter = undefined;
  }

  async close(): Promise<void> {}
}
