// One in-memory collection. Every query, sort, projection and update document the adapter sends is
// executed by mingo as given: the double implements storage, unique indexes, string order
// (./strings.ts), transactions (./session.ts) and the driver's call shapes, never the adapter's
// search logic. Documents are copied on the way in and out, so the adapter cannot share state with
// the store by accident (as with a real server), and stored documents are never mutated in place
// (a write replaces the object), which is what makes a shallow copy of `docs` a snapshot. With the
// client's network cut (client.ts disconnect) every operation fails as against a server that is down.
import { isDeepStrictEqual } from 'node:util';
import { Query, find, update } from 'mingo';
import type { CollectionLike, CursorLike, Doc, FindOptions, IndexSpec, ReplaceOptions, SessionOption } from '../../../src/store/mongo/driver.js';
import { duplicateKey, DoubleServerError, noSuchTransaction, transientConflict } from './errors.js';
import type { DoubleSession, TxView, Versioned } from './session.js';
import type { DoubleNetwork } from './client.js';
import { inbound, outbound } from './strings.js';

export interface OpRecord {
  collection: string;
  op: string;
  filter?: Doc;
  update?: Doc;
  options?: Omit<FindOptions, 'session'> & { session?: boolean };
}

interface UniqueIndex {
  name: string;
  fields: string[];
}

/** Let other pending operations run first, as they would against a server. */
function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function valueAt(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Doc)[part];
  }
  return cur;
}

/** The value a filter pins `field` to (`{f: v}` or `{f: {$eq: v}}`), which an upsert copies. */
function equalityOn(filter: Doc, field: string): unknown {
  const v = filter[field];
  if (typeof v !== 'object' || v === null || v instanceof Date) return v;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === '$eq' ? (v as Doc).$eq : undefined;
}

/** Where an operation runs: the committed documents, or a transaction's copy of them. */
interface Target {
  docs: Doc[];
  view?: TxView;
}

export class DoubleCollection implements CollectionLike, Versioned {
  docs: Doc[] = [];
  private readonly unique: UniqueIndex[] = [{ name: '_id_', fields: ['_id'] }];
  private nextId = 1;

  constructor(
    readonly name: string,
    private readonly log: OpRecord[],
    /** Fault injection (client.ts DoubleNetwork); a collection made on its own is always reachable. */
    private readonly network?: DoubleNetwork,
  ) {}

  private record(op: string, filter?: Doc, extra: Partial<OpRecord> = {}, opts?: FindOptions): void {
    const options = opts ? { ...opts, session: opts.session !== undefined } : undefined;
    this.log.push(structuredClone({ collection: this.name, op, ...(filter ? { filter } : {}), ...extra, ...(options ? { options } : {}) }));
  }

  /**
   * Runs one operation after letting other pending operations go first (as against a server), on
   * the committed documents or the session's transaction copy; a failure inside a transaction
   * aborts it, as the server does.
   */
  private async run<T>(opts: SessionOption | undefined, op: (t: Target) => T): Promise<T> {
    await tick();
    const s = opts?.session as DoubleSession | undefined;
    await this.network?.check(s?.inTransaction === true);
    if (!s?.inTransaction) return op({ docs: this.docs });
    if (s.aborted) throw noSuchTransaction();
    const view = s.view(this);
    try {
      return op({ docs: view.docs, view });
    } catch (err) {
      s.aborted = true;
      throw err;
    }
  }

  private uniqueKey(ix: UniqueIndex, d: Doc): string {
    return JSON.stringify(ix.fields.map((f) => valueAt(d, f) ?? null));
  }

  private checkUnique(docs: Doc[], candidate: Doc, except: Doc | undefined): void {
    for (const ix of this.unique) {
      const key = this.uniqueKey(ix, candidate);
      if (docs.some((d) => d !== except && this.uniqueKey(ix, d) === key)) {
        throw duplicateKey(this.name, ix.name, outbound(Object.fromEntries(ix.fields.map((f) => [f, valueAt(candidate, f) ?? null]))));
      }
    }
  }

  /** Replace `old` by `next` (add when old is undefined, remove when next is). */
  private put(t: Target, next: Doc | undefined, old: Doc | undefined): void {
    const id = (next ?? old)!._id;
    if (t.view && !t.view.touched.has(id)) t.view.touched.set(id, old);
    const at = old ? t.docs.indexOf(old) : -1;
    if (next && at >= 0) t.docs[at] = next;
    else if (next) t.docs.push(next);
    else if (at >= 0) t.docs.splice(at, 1);
  }

  checkCommit(view: TxView): void {
    for (const [id, start] of view.touched) {
      const now = this.docs.find((d) => d._id === id);
      if (now !== start) throw transientConflict();
      const next = view.docs.find((d) => d._id === id);
      if (next) {
        try {
          this.checkUnique(this.docs, next, now);
        } catch {
          throw transientConflict();
        }
      }
    }
  }

  commitFrom(view: TxView): void {
    for (const id of view.touched.keys()) {
      const now = this.docs.find((d) => d._id === id);
      const next = view.docs.find((d) => d._id === id);
      this.put({ docs: this.docs }, next, now);
    }
  }

  insertOne(doc: Doc, opts?: SessionOption): Promise<{ insertedId: unknown }> {
    this.record('insertOne', undefined, {}, opts);
    return this.run(opts, (t) => {
      const copy = inbound(doc);
      if (copy._id === undefined) copy._id = `oid${this.nextId++}`;
      this.checkUnique(t.docs, copy, undefined);
      this.put(t, copy, undefined);
      return { insertedId: outbound(copy._id) };
    });
  }

  async findOne(filter: Doc, opts?: FindOptions): Promise<Doc | null> {
    this.record('findOne', filter, {}, opts);
    return (await this.run(opts, (t) => this.query(t, filter, { ...opts, limit: 1 })))[0] ?? null;
  }

  find(filter: Doc, opts?: FindOptions): CursorLike {
    this.record('find', filter, {}, opts);
    return { toArray: () => this.run(opts, (t) => this.query(t, filter, opts)) };
  }

  private query(t: Target, filter: Doc, opts?: FindOptions): Doc[] {
    const cursor = find(t.docs, inbound(filter), opts?.projection);
    if (opts?.sort) cursor.sort(opts.sort);
    if (opts?.limit) cursor.limit(opts.limit);
    return outbound(cursor.all() as Doc[]);
  }

  updateOne(filter: Doc, modifier: Doc, opts?: SessionOption): Promise<{ matchedCount: number; modifiedCount: number }> {
    this.record('updateOne', filter, { update: modifier }, opts);
    return this.run(opts, (t) => {
      // The driver refuses replacement documents in updateOne; so does the double.
      if (Object.keys(modifier).length === 0 || !Object.keys(modifier).every((k) => k.startsWith('$'))) {
        throw new DoubleServerError('Update document requires atomic operators', 9);
      }
      const q = new Query(inbound(filter));
      const target = t.docs.find((d) => q.test(d));
      if (!target) return { matchedCount: 0, modifiedCount: 0 };
      const next = structuredClone(target);
      const changed = update(next, inbound(modifier) as Parameters<typeof update>[1]);
      if (next._id !== target._id) throw new DoubleServerError('Performing an update on the path _id would modify the immutable field _id', 66);
      this.checkUnique(t.docs, next, target);
      this.put(t, next, target);
      return { matchedCount: 1, modifiedCount: changed.length > 0 ? 1 : 0 };
    });
  }

  /**
   * As the server: the first match is replaced (its `_id` kept; a different one is an error);
   * with upsert and no match the replacement is inserted, taking `_id` from an equality on `_id` in
   * the filter when it has none, so a unique index may refuse it with E11000.
   */
  replaceOne(filter: Doc, replacement: Doc, opts?: ReplaceOptions): Promise<{ matchedCount: number; modifiedCount: number; upsertedCount: number; upsertedId: unknown }> {
    this.record('replaceOne', filter, { update: replacement }, opts);
    return this.run(opts, (t) => {
      if (Object.keys(replacement).some((k) => k.startsWith('$'))) {
        throw new DoubleServerError('Replacement document must not contain atomic operators', 2);
      }
      const copy = inbound(replacement);
      const q = new Query(inbound(filter));
      const target = t.docs.find((d) => q.test(d));
      if (target) {
        if (copy._id !== undefined && copy._id !== target._id) {
          throw new DoubleServerError("After applying the update, the (immutable) field '_id' was found to have been altered", 66);
        }
        const next = { _id: target._id, ...copy };
        this.checkUnique(t.docs, next, target);
        this.put(t, next, target);
        return { matchedCount: 1, modifiedCount: isDeepStrictEqual(next, target) ? 0 : 1, upsertedCount: 0, upsertedId: null };
      }
      if (!opts?.upsert) return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null };
      const filterId = equalityOn(inbound(filter), '_id');
      if (copy._id !== undefined && filterId !== undefined && copy._id !== filterId) {
        throw new DoubleServerError("The _id field in the replacement differs from the query's _id", 66);
      }
      const inserted = { _id: copy._id ?? filterId ?? `oid${this.nextId++}`, ...copy };
      this.checkUnique(t.docs, inserted, undefined);
      this.put(t, inserted, undefined);
      return { matchedCount: 0, modifiedCount: 0, upsertedCount: 1, upsertedId: outbound(inserted._id) };
    });
  }

  deleteMany(filter: Doc, opts?: SessionOption): Promise<{ deletedCount: number }> {
    this.record('deleteMany', filter, {}, opts);
    return this.run(opts, (t) => {
      const q = new Query(inbound(filter));
      const doomed = t.docs.filter((d) => q.test(d));
      for (const d of doomed) this.put(t, undefined, d);
      return { deletedCount: doomed.length };
    });
  }

  countDocuments(filter: Doc, opts?: SessionOption): Promise<number> {
    this.record('countDocuments', filter, {}, opts);
    return this.run(opts, (t) => find(t.docs, inbound(filter)).all().length);
  }

  /**
   * Unique indexes are enforced; other indexes only matter for speed. A TTL index is accepted but
   * never fires: the server's TTL monitor deletes expired documents only about once a minute, so no
   * code may rely on it for correctness, and tests stay deterministic.
   */
  async createIndexes(specs: IndexSpec[]): Promise<string[]> {
    this.record('createIndexes', undefined, { update: { specs } });
    await this.network?.check(false);
    for (const s of specs) {
      if (s.unique && !this.unique.some((u) => u.name === s.name)) {
        this.unique.push({ name: s.name, fields: Object.keys(s.key) });
      }
    }
    return specs.map((s) => s.name);
  }
}
