// The write side: versioned create/update/delete on the write connection, inside the transaction
// the store opened. Everything that can fail for a reason other than the engine (rules, indexer,
// serialisation) is done before the first row is touched, so such a failure leaves the transaction
// clean and fn may catch it and carry on. An engine failure part-way through a write would leave it
// half applied, so it dooms the transaction: the store rolls back even if fn swallowed the error.
// (A savepoint per write would allow recovery, but cost ~8% of bulk insert time for a case that
// means a broken disk or database.)
import type { Indexer, RequestRecord, StoreWriter, StoredVersion, WriteOptions } from '../port.js';
import { recallRequest, rememberRequest } from './requests.js';
import type { Resource } from '../../domain/fhir.js';
import type { IndexValue } from '../../domain/search-types.js';
import { errors } from '../../domain/errors.js';
import type { VersionClock } from '../common/clock.js';
import { isCanonicalInstant } from '../common/clock.js';
import {
  decideCreate, decideDelete, decideUpdate, requireIdentity, stampResource, type CurrentVersion,
} from '../common/write-rules.js';
import type { Entry, ParamIds } from './params.js';
import { PRINCIPAL_DATES, SHAPE_DATE, SHAPE_OTHER } from './schema.js';
import { SqliteReader } from './reader.js';
import type { Statements } from './statements.js';
import type { ProbeCache } from './search/probe-cache.js';
import type { BulkKeys } from './bulk-keys.js';

interface CurrentRow {
  rk: number;
  vid: number;
  lu: string;
  deleted: number;
}

const STRING_FIELDS = ['sys', 'code', 'text', 's', 'exact', 'rt', 'lo', 'hi'] as const;
const NUMBER_FIELDS = ['n', 'nlo', 'nhi'] as const;

/** Index values come from injected code; reject malformed ones here rather than store unsearchable rows. */
function checkIndexValue(type: string, v: IndexValue): void {
  const bad = (why: string) => errors.internal(`Indexer produced an invalid value for ${type}.${String(v?.p)}: ${why}`);
  if (!v || typeof v.p !== 'string' || v.p.length === 0) throw bad('missing parameter code');
  for (const f of STRING_FIELDS) if (v[f] !== undefined && typeof v[f] !== 'string') throw bad(`${f} is not a string`);
  for (const f of NUMBER_FIELDS) if (v[f] !== undefined && !(typeof v[f] === 'number' && Number.isFinite(v[f]))) throw bad(`${f} is not a finite number`);
  if (v.lo !== undefined && !isCanonicalInstant(v.lo)) throw bad('lo is not a UTC instant with milliseconds');
  if (v.hi !== undefined && !isCanonicalInstant(v.hi)) throw bad('hi is not a UTC instant with milliseconds');
  // Searches turn tests on hi into ranges on lo, which is only sound when both are set and lo <= hi.
  if ((v.lo === undefined) !== (v.hi === undefined)) throw bad('a date needs both lo and hi');
  if (v.lo !== undefined && v.hi !== undefined && v.lo > v.hi) throw bad('lo is after hi');
}

/** Canonical instants compare as text in time order; stored as epoch ms (see schema.ts). */
function ms(iso: string | undefined): number | null {
  return iso === undefined ? null : Date.parse(iso);
}

export interface WriteContext {
  db: Statements;
  params: ParamIds;
  indexer: Indexer;
  clock: VersionClock;
  probes?: ProbeCache;
  /** Only while bulkLoad fills an empty database without resources_type_id: finds rows by (type, id). */
  keys?: BulkKeys;
  /** Set to the engine error that doomed the transaction. */
  doomed?: unknown;
}

export class SqliteWriter extends SqliteReader implements StoreWriter {
  constructor(private readonly ctx: WriteContext, guard: () => void) {
    super(ctx.db, ctx.params, guard, ctx.probes);
  }

  async create(resource: Resource): Promise<StoredVersion> {
    this.guard();
    const { type, id } = requireIdentity(resource);
    const cur = this.current(type, id);
    const { versionId } = decideCreate(type, id, cur && toCurrent(cur));
    return this.write(type, id, cur, versionId, resource, false);
  }

  async update(resource: Resource, opts: WriteOptions = {}): Promise<{ version: StoredVersion; created: boolean }> {
    this.guard();
    const { type, id } = requireIdentity(resource);
    const cur = this.current(type, id);
    const { versionId, created } = decideUpdate(type, id, cur && toCurrent(cur), opts.ifMatch);
    return { version: this.write(type, id, cur, versionId, resource, false), created };
  }

  async delete(type: string, id: string, opts: WriteOptions = {}): Promise<StoredVersion | undefined> {
    this.guard();
    const cur = this.current(type, id);
    const decision = decideDelete(type, id, cur && toCurrent(cur), opts.ifMatch);
    if (!decision || !cur) return undefined;
    const last = this.ctx.db.prepare('SELECT json FROM versions WHERE rk = ? AND vid = ?').get(cur.rk, cur.vid) as { json: string };
    return this.write(type, id, cur, decision.versionId, JSON.parse(last.json) as Resource, true);
  }

  async recallRequest(key: string): Promise<RequestRecord | undefined> {
    this.guard();
    return recallRequest(this.ctx.db, key);
  }

  async rememberRequest(record: RequestRecord): Promise<void> {
    this.guard();
    if (this.ctx.doomed !== undefined) throw this.ctx.doomed;
    rememberRequest(this.ctx.db, record);
  }

  private current(type: string, id: string): CurrentRow | undefined {
    const keys = this.ctx.keys;
    if (keys) {
      const rk = keys.get(type, id);
      if (rk === undefined) return undefined;
      return this.ctx.db.prepare('SELECT rk, vid, lu, deleted FROM resources WHERE rk = ?').get(rk) as CurrentRow;
    }
    return this.ctx.db.prepare('SELECT rk, vid, lu, deleted FROM resources WHERE type = ? AND id = ?').get(type, id) as
      | CurrentRow
      | undefined;
  }

  private write(type: string, id: string, cur: CurrentRow | undefined, vid: number, content: Resource, deleted: boolean): StoredVersion {
    const { db, params, indexer, clock } = this.ctx;
    // Everything that can fail for non-engine reasons (indexer, serialisation) happens before the
    // first row is touched; an engine failure after that dooms the transaction (see the top).
    const lu = clock.next(cur?.lu);
    const resource = stampResource(content, id, vid, lu);
    const json = JSON.stringify(resource);
    const values = deleted ? [] : indexer(resource);
    if (!Array.isArray(values)) throw errors.internal(`Indexer did not return a list for ${type}/${id}`);
    for (const v of values) checkIndexValue(type, v);

    if (this.ctx.doomed !== undefined) throw this.ctx.doomed;
    try {
      let rk: number | bigint;
      if (cur) {
        rk = cur.rk;
        db.prepare('UPDATE resources SET vid = ?, lu = ?, deleted = ? WHERE rk = ?').run(vid, lu, deleted ? 1 : 0, rk);
        db.prepare('DELETE FROM idx WHERE rk = ?').run(rk);
      } else {
        rk = db.prepare('INSERT INTO resources (type, id, vid, lu, deleted) VALUES (?, ?, ?, ?, ?)')
          .run(type, id, vid, lu, deleted ? 1 : 0).lastInsertRowid;
        this.ctx.keys?.add(type, id, Number(rk));
      }
      db.prepare('INSERT INTO versions (rk, type, id, vid, lu, deleted, json) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(rk, type, id, vid, lu, deleted ? 1 : 0, json);
      if (values.length > 0) {
        const dlo = principalLo(type, values);
        const seen = new Map<Entry, { span: number; count: number; shapes: number }>();
        const rows: (string | number | bigint | null)[] = [];
        values.forEach((v, seq) => {
          const param = params.ensure(db, type, v.p);
          const lo = ms(v.lo);
          const hi = ms(v.hi);
          const shape = seen.get(param) ?? { span: 0, count: 0, shapes: 0 };
          seen.set(param, shape);
          shape.count++;
          shape.shapes |= lo === null ? SHAPE_OTHER : SHAPE_DATE;
          if (lo !== null && hi !== null) shape.span = Math.max(shape.span, hi - lo);
          rows.push(
            rk, param.pid, seq,
            v.sys ?? null, v.code ?? null, v.text ?? null, v.s ?? null, v.exact ?? null, v.rt ?? null,
            lo, hi, v.n ?? null, v.nlo ?? null, v.nhi ?? null, v.s !== undefined ? dlo : null,
          );
        });
        insertIndexRows(db, rows);
        for (const [param, shape] of seen) params.widen(db, param, shape.span, shape.count, shape.shapes);
      }
    } catch (e) {
      this.ctx.doomed = e;
      throw e;
    }
    return { resourceType: type, id, versionId: vid, lastUpdated: lu, deleted, resource };
  }
}

const IDX_COLUMNS = 15;
/** Rows per INSERT statement: a resource's rows go in a few statements, not one each. */
const IDX_ROWS_PER_INSERT = 16;
const IDX_ROW = `(${Array(IDX_COLUMNS).fill('?').join(', ')})`;
/** INSERT_IDX[n]: the statement text for n rows. */
const INSERT_IDX = Array.from({ length: IDX_ROWS_PER_INSERT + 1 }, (_, n) =>
  `INSERT INTO idx (rk, pid, seq, sys, code, text, s, exact, rt, lo, hi, n, nlo, nhi, dlo) VALUES ${Array(n).fill(IDX_ROW).join(', ')}`);

/**
 * Inserts flattened idx rows (IDX_COLUMNS values each) with multi-row INSERTs: one statement per
 * resource instead of one per value is ~25 % less insert time, as each call into SQLite costs
 * parameter binding and a statement step whatever its size. Statements are cached per row count.
 */
function insertIndexRows(db: Statements, flat: readonly (string | number | bigint | null)[]): void {
  const total = flat.length / IDX_COLUMNS;
  for (let at = 0; at < total; at += IDX_ROWS_PER_INSERT) {
    const n = Math.min(IDX_ROWS_PER_INSERT, total - at);
    db.prepare(INSERT_IDX[n]!).run(n === total ? flat : flat.slice(at * IDX_COLUMNS, (at + n) * IDX_COLUMNS));
  }
}

/** The lo (epoch ms) of the type's principal date when the resource has exactly one value of it (schema.ts). */
function principalLo(type: string, values: readonly IndexValue[]): number | null {
  const p = PRINCIPAL_DATES[type];
  if (p === undefined) return null;
  let found: IndexValue | undefined;
  for (const v of values) {
    if (v.p !== p) continue;
    if (found) return null;
    found = v;
  }
  return found ? ms(found.lo) : null;
}

function toCurrent(row: CurrentRow): CurrentVersion {
  return { versionId: row.vid, deleted: row.deleted !== 0, lastUpdated: row.lu };
}
