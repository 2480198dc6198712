// The Store port: versioned storage of FHIR resources with history, search over a SearchRequest and
// atomic multi-resource transactions. Adapters: ./sqlite (embedded default) and ./mongo.
// The store never decides who may see what: visibility arrives as conditions in the SearchRequest.
import type { Resource } from '../domain/fhir.js';
import type { RecordStore } from '../domain/records.js';
import type { IndexValue, SearchRequest } from '../domain/search-types.js';

/** One stored version of one resource. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  /** 1, 2, 3 ... per resource. */
  versionId: number;
  /** UTC instant with milliseconds, equal to resource.meta.lastUpdated. */
  lastUpdated: string;
  deleted: boolean;
  /** The resource with meta.versionId and meta.lastUpdated set; for a deletion, the last live content. */
  resource: Resource;
}

export interface SearchResult {
  matches: StoredVersion[];
  /** Set when the request asked for a total. */
  total?: number;
  /** Opaque cursor for the next page, absent on the last page. */
  next?: string;
}

export interface HistoryRequest {
  type?: string;
  id?: string;
  /** Only versions with lastUpdated >= since. */
  since?: string;
  count: number;
  cursor?: string;
}

export interface HistoryResult {
  /** Newest first. */
  versions: StoredVersion[];
  total: number;
  next?: string;
}

export interface WriteOptions {
  /** Optimistic concurrency: the write fails with 412 unless the current version is this one. */
  ifMatch?: number;
}

/**
 * The outcome of a client request, kept so that a retry with the same request id gets the original
 * result instead of a second write (idempotent create, e.g. a booking resent after a timeout).
 */
export interface RequestRecord {
  /** Opaque key built by the caller (client identity + request id + target). */
  key: string;
  /** HTTP status of the original answer. */
  status: number;
  /** What it wrote: the resource and the version it created. */
  type: string;
  id: string;
  versionId: number;
  /** When it was recorded (UTC instant). */
  at: string;
}

/** Extracts search index values from a resource; injected by the composition root. */
export type Indexer = (resource: Resource) => IndexValue[];

export interface StoreReader {
  /** The newest version (which may be a deletion), or undefined if the resource never existed. */
  read(type: string, id: string): Promise<StoredVersion | undefined>;
  vread(type: string, id: string, versionId: number): Promise<StoredVersion | undefined>;
  /** Search over current, non-deleted versions. */
  search(req: SearchRequest): Promise<SearchResult>;
  history(req: HistoryRequest): Promise<HistoryResult>;
}

export interface StoreWriter extends StoreReader {
  /**
   * Store a new resource (resource.id must be set). Sets meta.versionId = 1 and meta.lastUpdated.
   * Fails with 409 if a resource with that id exists (deleted or not).
   */
  create(resource: Resource): Promise<StoredVersion>;
  /** Store a new version (or the first one, when it does not exist or was deleted). */
  update(resource: Resource, opts?: WriteOptions): Promise<{ version: StoredVersion; created: boolean }>;
  /** Logical delete. Returns the deletion marker version, or undefined if there was nothing live to delete. */
  delete(type: string, id: string, opts?: WriteOptions): Promise<StoredVersion | undefined>;
  /** The record of an earlier request with this key, if any. */
  recallRequest(key: string): Promise<RequestRecord | undefined>;
  /** Records a request's outcome, committed (or rolled back) with the transaction; 409 if the key exists. */
  rememberRequest(record: RequestRecord): Promise<void>;
}

export interface StoreCapabilities {
  /** True when a transaction is all-or-nothing at the engine level. */
  atomicTransactions: boolean;
  engine: 'sqlite' | 'mongodb';
}

export interface Store extends StoreReader {
  readonly capabilities: StoreCapabilities;
  /**
   * Runs fn with a writer; everything it wrote is committed when fn resolves and rolled back when it
   * throws. Reads through the writer see the transaction's own writes. Transactions are serialised
   * with respect to each other for the same resources.
   */
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /** Expiring non-FHIR records (sessions, once-only ids, claims); never part of a transaction. */
  readonly records: RecordStore;
  /** Quick liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
