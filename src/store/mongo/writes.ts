// Versioned writes and single-resource reads. Which version number a write gets, and when it is a
// 409 or a 412, is decided by the shared rules (../common/write-rules.ts) so that every adapter
// agrees; this module makes those decisions safe against concurrent writers in MongoDB.
//
// Optimistic concurrency: a new version replaces the current document with
// `updateOne({_id, vid: <version read>}, {$set: ...})`; if another writer got there first nothing
// matches. With `ifMatch` that is a 412; without, the write re-reads and retries (bounded). The unique
// `_id` ("Type/id") makes a concurrent first write lose with E11000 (-> 409 for create, retry for
// update). The current document is written first and the version document second: winning the
// guarded update is what entitles a writer to version number vid, so a loser never writes a version
// document. (A crash between the two leaves the current version without its history entry.)
//
// Within one process transactions run one at a time (./transactions.ts), so the guard is what
// protects against writers in other processes.
import { errors } from '../../domain/errors.js';
import type { Resource } from '../../domain/fhir.js';
import type { VersionClock } from '../common/clock.js';
import type { WriteSequence } from './sequence.js';
import { decideCreate, decideDelete, decideUpdate, stampResource, type CurrentVersion } from '../common/write-rules.js';
import type { Indexer, StoredVersion, WriteOptions } from '../port.js';
import { buildResourceDoc, checkKey, identify, mutableFields, resourceKey, toStored, versionDocOf, versionKey, type ResourceDoc } from './documents.js';
import { isDuplicateKeyError, type CollectionLike, type SessionLike } from './driver.js';

/** What a transaction needs to undo one write: the version written and the document it replaced. */
export interface ResourceUndo {
  type: string;
  id: string;
  vid: number;
  before: ResourceDoc | null;
}
/** Undoing a request record: remove it. */
export interface RequestUndo {
  request: string;
}
export type UndoEntry = ResourceUndo | RequestUndo;

export interface ReadContext {
  resources: CollectionLike;
  versions: CollectionLike;
  /** Set inside a server-side transaction: every operation runs in it. */
  session?: SessionLike;
}

export interface WriteContext extends ReadContext {
  indexer: Indexer;
  clock: VersionClock;
  sequence: WriteSequence;
  /** Set inside a compensating (fallback) transaction: called after each successful current write. */
  journal?: (entry: UndoEntry) => void;
}

const MAX_ATTEMPTS = 25;

function opts(ctx: ReadContext): { session?: SessionLike } {
  return ctx.session ? { session: ctx.session } : {};
}

function checkIfMatch(ifMatch: number | undefined): void {
  if (ifMatch !== undefined && (!Number.isInteger(ifMatch) || ifMatch < 1)) throw errors.badRequest('Invalid If-Match version');
}

async function backoff(attempt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
}

function versionOf(doc: ResourceDoc | undefined): CurrentVersion | undefined {
  return doc ? { versionId: doc.vid, deleted: doc.deleted, lastUpdated: doc.lu } : undefined;
}

async function current(ctx: WriteContext, key: string): Promise<ResourceDoc | undefined> {
  return ((await ctx.resources.findOne({ _id: { $eq: key } }, opts(ctx))) ?? undefined) as ResourceDoc | undefined;
}

async function appendVersion(ctx: WriteContext, doc: ResourceDoc): Promise<void> {
  const v = versionDocOf(doc);
  try {
    await ctx.versions.insertOne({ ...v }, opts(ctx));
  } catch (err) {
    if (!isDuplicateKeyError(err) || ctx.session) throw err;
    // The guarded write made us the only writer of this vid, so an existing version document with
    // it is debris of an interrupted write or rollback: replace it.
    await ctx.versions.deleteMany({ _id: { $eq: v._id } }, opts(ctx));
    await ctx.versions.insertOne({ ...v }, opts(ctx));
  }
}

/** Insert a first current document; false if the id is taken. */
async function insertCurrent(ctx: WriteContext, doc: ResourceDoc): Promise<boolean> {
  try {
    await ctx.resources.insertOne({ ...doc }, opts(ctx));
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Replace the current document if it is still at version `expected`; false if someone else wrote. */
async function replaceCurrent(ctx: WriteContext, doc: ResourceDoc, expected: number): Promise<boolean> {
  const r = await ctx.resources.updateOne({ _id: { $eq: doc._id }, vid: { $eq: expected } }, { $set: mutableFields(doc) }, opts(ctx));
  return r.matchedCount === 1;
}

/** Write `doc` over `cur` (or as the first document); false when another writer got there first. */
async function writeCurrent(ctx: WriteContext, doc: ResourceDoc, cur: ResourceDoc | undefined): Promise<boolean> {
  const won = cur ? await replaceCurrent(ctx, doc, cur.vid) : await insertCurrent(ctx, doc);
  if (won) ctx.journal?.({ type: doc.type, id: doc.id, vid: doc.vid, before: cur ?? null });
  return won;
}

async function finishWrite(ctx: WriteContext, doc: ResourceDoc): Promise<StoredVersion> {
  await appendVersion(ctx, doc);
  return toStored(doc as unknown as Record<string, unknown>);
}

/** The new document for version `vid` of a resource (a deletion keeps the last live content). */
function nextDoc(ctx: WriteContext, resource: Resource, id: string, vid: number, cur: ResourceDoc | undefined, deleted: boolean): ResourceDoc {
  const lu = ctx.clock.next(cur?.lu);
  return buildResourceDoc(stampResource(resource, id, vid, lu), vid, lu, ctx.sequence.next(), deleted, ctx.indexer);
}

/** Lost a race with another process: 412 under If-Match, 409 in a server transaction, else retry. */
async function lost(ctx: WriteContext, key: string, ifMatch: number | undefined, attempt: number): Promise<void> {
  if (ifMatch !== undefined) throw errors.preconditionFailed(`${key} was changed concurrently`);
  if (ctx.session) throw errors.conflict(`${key} was changed concurrently`);
  if (attempt + 1 >= MAX_ATTEMPTS) throw errors.conflict(`${key} is being changed concurrently; retry`);
  await backoff(attempt);
}

export async function create(ctx: WriteContext, resource: Resource): Promise<StoredVersion> {
  const { type, id } = identify(resource);
  const key = resourceKey(type, id);
  // Read first rather than rely on E11000: inside a server transaction a failed write aborts the
  // whole transaction, so an expected 409 that fn catches must not come from the server.
  const cur = await current(ctx, key);
  const { versionId } = decideCreate(type, id, versionOf(cur));
  const doc = nextDoc(ctx, resource, id, versionId, undefined, false);
  if (!(await writeCurrent(ctx, doc, undefined))) throw errors.conflict(`${type}/${id} already exists`);
  return finishWrite(ctx, doc);
}

export async function update(ctx: WriteContext, resource: Resource, options: WriteOptions = {}): Promise<{ version: StoredVersion; created: boolean }> {
  const { type, id } = identify(resource);
  const { ifMatch } = options;
  checkIfMatch(ifMatch);
  const key = resourceKey(type, id);
  for (let attempt = 0; ; attempt++) {
    const cur = await current(ctx, key);
    const { versionId, created } = decideUpdate(type, id, versionOf(cur), ifMatch);
    const doc = nextDoc(ctx, resource, id, versionId, cur, false);
    if (await writeCurrent(ctx, doc, cur)) return { version: await finishWrite(ctx, doc), created };
    await lost(ctx, key, ifMatch, attempt);
  }
}

export async function remove(ctx: WriteContext, type: string, id: string, options: WriteOptions = {}): Promise<StoredVersion | undefined> {
  const { ifMatch } = options;
  checkIfMatch(ifMatch);
  if (!checkKey(type, id)) {
    decideDelete(type, id, undefined, ifMatch);
    return undefined;
  }
  const key = resourceKey(type, id);
  for (let attempt = 0; ; attempt++) {
    const cur = await current(ctx, key);
    const decision = decideDelete(type, id, versionOf(cur), ifMatch);
    if (!decision || !cur) return undefined;
    const doc = nextDoc(ctx, JSON.parse(cur.json) as Resource, id, decision.versionId, cur, true);
    if (await writeCurrent(ctx, doc, cur)) return finishWrite(ctx, doc);
    await lost(ctx, key, ifMatch, attempt);
  }
}

export async function read(ctx: ReadContext, type: string, id: string): Promise<StoredVersion | undefined> {
  if (!checkKey(type, id)) return undefined;
  const doc = await ctx.resources.findOne({ _id: { $eq: resourceKey(type, id) } }, { projection: { idx: 0, sk: 0 }, ...opts(ctx) });
  return doc ? toStored(doc) : undefined;
}

export async function vread(ctx: ReadContext, type: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
  if (!checkKey(type, id) || !Number.isInteger(versionId) || versionId < 1) return undefined;
  const doc = await ctx.versions.findOne({ _id: { $eq: versionKey(type, id, versionId) } }, opts(ctx));
  return doc ? toStored(doc) : undefined;
}
