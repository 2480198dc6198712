// The client and database of the double. Databases are shared per name within one client, so two
// stores opened on the same client act like two processes using one server (each store has its own
// transaction mutex; only the data is shared).
import type { AdminLike, DbLike, Doc, MongoClientLike } from '../../../src/store/mongo/driver.js';
import { DoubleCollection, type OpRecord } from './collection.js';
import { DoubleServerError } from './errors.js';
import { DoubleSession, type TransactionFaults } from './session.js';

export interface DoubleOptions {
  /**
   * 'standalone' (default) reports no transaction support, so the adapter's compensating fallback
   * runs; 'replicaSet' reports a replica set and offers snapshot-isolated transactions (./session.ts).
   */
  topology?: 'standalone' | 'replicaSet';
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
      c = new DoubleCollection(`${this.name}.${name}`, this.client.log);
      this.collections.set(name, c);
    }
    return c;
  }

  admin(): AdminLike {
    return {
      command: async (cmd: Doc) => {
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

  async close(): Promise<void> {}
}
