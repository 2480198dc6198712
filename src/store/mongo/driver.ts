// The slice of the MongoDB driver the adapter uses, written as a small structural interface so that
// the real `MongoClient` (checked at compile time in ./connect.ts) and the in-memory test double
// (test/store/mongo-double) both satisfy it. Anything not listed here is off limits to the adapter:
// that keeps the double honest, because it only has to execute these calls, with real filters.

/** A MongoDB document or filter as the adapter builds it (plain JSON-like data). */
export type Doc = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;
export type Projection = Record<string, 0 | 1>;

/** A session; only used to run a server-side transaction. */
export interface SessionLike {
  withTransaction<T>(fn: () => Promise<T>): Promise<T>;
  endSession(): Promise<void>;
}

export interface SessionOption {
  session?: SessionLike;
}

export interface FindOptions extends SessionOption {
  sort?: SortSpec;
  limit?: number;
  projection?: Projection;
}

export interface CursorLike {
  toArray(): Promise<Doc[]>;
}

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
  /** A TTL index (one Date field): the server deletes a document this long after that date. */
  expireAfterSeconds?: number;
}

export interface ReplaceOptions extends SessionOption {
  /** Insert the replacement when nothing matches (a unique index may then refuse it with E11000). */
  upsert?: boolean;
}

export interface CollectionLike {
  insertOne(doc: Doc, opts?: SessionOption): Promise<unknown>;
  findOne(filter: Doc, opts?: FindOptions): Promise<Doc | null>;
  find(filter: Doc, opts?: FindOptions): CursorLike;
  updateOne(filter: Doc, update: Doc, opts?: SessionOption): Promise<{ matchedCount: number }>;
  replaceOne(filter: Doc, replacement: Doc, opts?: ReplaceOptions): Promise<{ matchedCount: number; upsertedCount: number }>;
  deleteMany(filter: Doc, opts?: SessionOption): Promise<{ deletedCount: number }>;
  countDocuments(filter: Doc, opts?: SessionOption): Promise<number>;
  createIndexes(specs: IndexSpec[]): Promise<string[]>;
}

export interface AdminLike {
  command(cmd: Doc): Promise<Doc>;
}

export interface DbLike {
  collection(name: string): CollectionLike;
  admin(): AdminLike;
}

export interface MongoClientLike {
  db(name: string): DbLike;
  startSession(): SessionLike;
  close(): Promise<void>;
}

/** E11000: the server (and the double) report a unique index violation with this code. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
