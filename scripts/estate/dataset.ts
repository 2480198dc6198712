// A seeded data folder: the SQLite database the server will open (DATA_DIR), the dev token key, and
// `estate.json`, the manifest that says which spec and generator version filled it, how long seeding
// took, and the samples the benchmark draws queries from. The manifest is written last, so a folder
// without one (an interrupted seed) is never mistaken for a complete estate.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { composeEnvelope } from '../../src/compose.js';
import { configFromEnv } from '../../src/config.js';
import { sqliteBulkLoad } from '../../src/store/sqlite/index.js';
import { SCHEMA_DDL, SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { codeState } from './code-state.js';
import { seedStore, type SeedProgress, type SeedResult } from './seed.js';
import { GENERATOR_VERSION, type EstateSpec } from './spec.js';
import { createEstate, type EstateSamples } from './stream.js';

export const MANIFEST = 'estate.json';
export const DB_FILE = 'envelope.sqlite';

export interface Manifest {
  generatorVersion: number;
  /** The SQLite schema the database was written with (see storeFingerprint). */
  store: string;
  spec: EstateSpec;
  counts: Record<string, number>;
  resources: number;
  seed: {
    /** Wall time from opening the store to the last commit. */
    ms: number;
    /** Resources per second over that time. */
    rate: number;
    transactions: number;
    batchSize: number;
    /** Of ms: generating the resources in this process. */
    generateMs: number;
    /** Closing the store afterwards (SQLite's PRAGMA optimize), not included in ms. */
    closeMs: number;
  };
  /** Database file plus WAL, in bytes, after closing. */
  dbBytes: number;
  createdAt: string;
  node: string;
  /** The code that seeded (codeState()). */
  code: string;
  samples: EstateSamples;
}

/** The environment the server and the seeder both use for this folder: SQLite, nothing inherited. */
export function estateEnv(dataDir: string): NodeJS.ProcessEnv {
  return { DATA_DIR: dataDir, SQLITE_FILE: DB_FILE };
}

export function readManifest(dataDir: string): Manifest | undefined {
  const file = join(dataDir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * The SQLite schema of the code that is built: its version and a hash of its DDL. A database seeded
 * under another schema cannot be reused, and the DDL hash catches a change whose author has not (yet)
 * bumped SCHEMA_VERSION. Changes to what the indexer extracts are not detected: use --fresh.
 */
export function storeFingerprint(): string {
  return `sqlite-v${SCHEMA_VERSION}-${createHash('sha256').update(SCHEMA_DDL).digest('hex').slice(0, 12)}`;
}

/** Whether the folder holds a complete estate of exactly this spec, generator version and schema. */
export function matches(m: Manifest | undefined, spec: EstateSpec): m is Manifest {
  return !!m && m.generatorVersion === GENERATOR_VERSION && m.store === storeFingerprint() && JSON.stringify(m.spec) === JSON.stringify(spec);
}

export function dbBytes(dataDir: string): number {
  let n = 0;
  for (const f of [DB_FILE, `${DB_FILE}-wal`]) {
    const p = join(dataDir, f);
    if (existsSync(p)) n += statSync(p).size;
  }
  return n;
}

export interface EnsureOptions {
  spec: EstateSpec;
  dataDir: string;
  fresh: boolean;
  batchSize: number;
  log: (line: string) => void;
}

/** Reuses the folder when its manifest matches, otherwise (or with fresh) empties and seeds it. */
export async function ensureEstate(opts: EnsureOptions): Promise<{ manifest: Manifest; reused: boolean }> {
  const { spec, dataDir, log } = opts;
  const existing = readManifest(dataDir);
  if (!opts.fresh && matches(existing, spec)) {
    log(`estate: reusing ${dataDir} (${existing.resources.toLocaleString('en-GB')} resources, seeded ${existing.createdAt})`);
    return { manifest: existing, reused: true };
  }
  if (existing && !opts.fresh) {
    log(`estate: ${dataDir} was seeded by generator v${existing.generatorVersion} under store ${existing.store ?? 'unknown'}; this build is v${GENERATOR_VERSION} under ${storeFingerprint()}: seeding again`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  log(`estate: seeding ${dataDir} (${spec.slots.toLocaleString('en-GB')} slots, ${spec.patients.toLocaleString('en-GB')} patients, transactions of ${opts.batchSize})`);
  const manifest = await seedFolder(opts);
  writeFileSync(join(dataDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  log(`estate: ${manifest.resources.toLocaleString('en-GB')} resources in ${(manifest.seed.ms / 1000).toFixed(1)} s = ${Math.round(manifest.seed.rate).toLocaleString('en-GB')} resources/s; database ${(manifest.dbBytes / 2 ** 20).toFixed(0)} MiB`);
  return { manifest, reused: false };
}

async function seedFolder(opts: EnsureOptions): Promise<Manifest> {
  const { spec, dataDir, log } = opts;
  const env = estateEnv(dataDir);
  // The composition root builds the store exactly as the server does (real indexer, real registry).
  const envelope = await composeEnvelope(configFromEnv(env), env);
  const estate = createEstate(spec);
  let lastLog = 0;
  const progress = (p: SeedProgress) => {
    if (p.elapsedMs - lastLog < 10_000) return;
    lastLog = p.elapsedMs;
    log(`estate:   ${p.resources.toLocaleString('en-GB')} resources, ${(p.elapsedMs / 1000).toFixed(0)} s, ${Math.round(p.rate).toLocaleString('en-GB')}/s`);
  };
  let result: SeedResult;
  let closeMs = 0;
  try {
    // The SQLite store's explicit seeding-only mode (SqliteStore.bulkLoad): no fsync per commit while
    // seeding, synchronous=FULL restored and the WAL checkpointed with fsync before it returns. The
    // rate counts that final checkpoint: it runs from the first transaction to the durable end.
    const bulk = sqliteBulkLoad(envelope.store);
    const seed = () => seedStore(envelope.store, estate.resources(), { batchSize: opts.batchSize, onProgress: progress });
    if (bulk) {
      let started = 0;
      const r = await bulk(() => { started = performance.now(); return seed(); });
      const elapsedMs = performance.now() - started;
      result = { ...r, elapsedMs, rate: r.resources / (elapsedMs / 1000) };
    } else {
      result = await seed();
    }
  } finally {
    const c0 = performance.now();
    await envelope.close();
    closeMs = performance.now() - c0;
  }
  return {
    generatorVersion: GENERATOR_VERSION,
    store: storeFingerprint(),
    spec,
    counts: estate.counts,
    resources: result.resources,
    seed: {
      ms: result.elapsedMs,
      rate: result.rate,
      transactions: result.transactions,
      batchSize: opts.batchSize,
      generateMs: result.generateMs,
      closeMs,
    },
    dbBytes: dbBytes(dataDir),
    createdAt: new Date().toISOString(),
    node: process.version,
    code: codeState(),
    samples: estate.samples,
  };
}
