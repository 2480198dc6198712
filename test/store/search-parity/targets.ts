// The stores the parity suite runs on, and seeding them with a corpus so that every store holds the
// same data in the same _lastUpdated order.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropAndClose } from '../real-mongo.js';
import type { Indexer, Store, StoredVersion } from '../../../src/store/port.js';
import { openMongoStore } from '../../../src/store/mongo/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { MongoDouble } from '../mongo-double/index.js';
import type { Corpus } from './corpus.js';
import { Oracle, type OracleResource } from './oracle.js';

export interface TargetSpec {
  name: string;
  engine: 'sqlite' | 'mongodb';
  open(indexer: Indexer): Promise<{ store: Store; dispose(): Promise<void> }>;
}

/** A seeded store with its own oracle (built from what the store itself stamped). */
export interface Target {
  name: string;
  engine: 'sqlite' | 'mongodb';
  store: Store;
  oracle: Oracle;
  /** lastUpdated of each live resource, by "Type/id". */
  stamps: Map<string, string>;
  /** Milliseconds seeding took. */
  seedMs: number;
  dispose(): Promise<void>;
}

export function sqliteTarget(): TargetSpec {
  return {
    name: 'sqlite',
    engine: 'sqlite',
    async open(indexer) {
      const dir = mkdtempSync(join(tmpdir(), 'envelope-search-parity-'));
      const store = await openSqliteStore({ file: join(dir, 'store.db'), indexer });
      return {
        store,
        async dispose() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export function mongoDoubleTarget(topology: 'standalone' | 'replicaSet'): TargetSpec {
  return {
    name: `mongo double (${topology === 'replicaSet' ? 'replica set' : 'standalone'})`,
    engine: 'mongodb',
    async open(indexer) {
      const store = await openMongoStore({ client: new MongoDouble(topology === 'replicaSet' ? { topology } : {}), indexer });
      return { store, dispose: () => store.close() };
    },
  };
}

export function realMongoTarget(uri: string): TargetSpec {
  return {
    name: `mongodb (${new URL(uri).host})`,
    engine: 'mongodb',
    async open(indexer) {
      const dbName = `envelope_parity_${randomUUID().slice(0, 8)}`;
      const store = await openMongoStore({ uri, dbName, indexer });
      return {
        store,
        dispose: () => dropAndClose(uri, dbName, store),
      };
    },
  };
}

/** Waits until the wall clock has passed `iso`, so the next write gets a later stamp. */
async function pastStamp(iso: string): Promise<void> {
  const t = Date.parse(iso);
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 1));
}

/**
 * Opens and seeds one store: one transaction per step, each in a later millisecond than the last,
 * so lastUpdated order is the step order on every store (no ties that one store breaks one way and
 * another differently). Then reads every resource back and builds the oracle from the stored
 * versions (with their meta) through the same indexer.
 */
export async function seedTarget(spec: TargetSpec, corpus: Corpus, indexer: Indexer): Promise<Target> {
  const started = performance.now();
  const { store, dispose } = await spec.open(indexer);
  try {
    const keys = new Set<string>();
    for (const step of corpus.steps) {
      let v: StoredVersion | undefined;
      if (step.op === 'batch') {
        const list = step.resources;
        const written = await store.transaction(async (tx) => {
          const out: StoredVersion[] = [];
          for (const r of list) out.push((await tx.update(r)).version);
          return out;
        });
        for (const r of list) keys.add(`${r.resourceType}/${r.id}`);
        v = written[written.length - 1];
        if (!v) continue;
      } else if (step.op === 'put') {
        v = (await store.transaction((tx) => tx.update(step.resource))).version;
        keys.add(`${step.resource.resourceType}/${step.resource.id}`);
      } else {
        v = await store.transaction((tx) => tx.delete(step.type, step.id));
        if (!v) throw new Error(`${spec.name}: nothing to delete at ${step.type}/${step.id}`);
      }
      await pastStamp(v.lastUpdated);
    }
    const live: OracleResource[] = [];
    const stamps = new Map<string, string>();
    for (const key of keys) {
      const [type, id] = key.split('/') as [string, string];
      const v = await store.read(type, id);
      if (!v) throw new Error(`${spec.name}: ${key} was written but cannot be read`);
      if (v.deleted) continue;
      live.push({ type, id, lastUpdated: v.lastUpdated, index: indexer(v.resource) });
      stamps.set(key, v.lastUpdated);
    }
    return { name: spec.name, engine: spec.engine, store, oracle: new Oracle(live), stamps, seedMs: performance.now() - started, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
