// The SQLite schema. Why it looks like this:
//
// - `resources` is one row per (type, id) with its newest version number (deletion markers included);
//   its rowid `rk` is the resource key everything else refers to.
// - `versions` holds every version with its JSON (the only copy of resource content), found by
//   (rk, vid). Its rowid `vk` is the commit sequence; because the store's lastUpdated stamps never
//   decrease in commit order (common/clock.ts), "newest first" is `vk DESC` and a `since` bound is a
//   `vk` range. All of its indexes grow at one end (rk and vk increase; lu does not decrease), so
//   writing history costs little; search joins content only for the rows of a page.
// - `params` interns (resource type, search parameter code) as a small integer `pid`, which keeps
//   the index table and its indexes narrow and scopes every index lookup to one resource type.
// - `idx` holds the IndexValues of current, live versions only (rows are replaced on every write and
//   removed on delete). It is clustered by (rk, pid, seq) — WITHOUT ROWID — so the per-resource checks
//   a search makes for its non-driving conditions ("does this resource have a value of p that ...")
//   are a single seek, and replacing a resource's rows is a range delete. Partial secondary indexes,
//   one per value kind, let a selective condition drive a search; each row enters only the indexes
//   of the fields it has, which keeps bulk inserts cheap (secondary indexes with random insert
//   positions are most of the cost of a write):
//     token (pid, code, sys) · string/reference/uri (pid, s) · date (pid, lo, hi) · number/quantity (pid, n).
// - Dates (lo, hi) are stored as integer epoch milliseconds, not ISO text: a date index entry shrinks
//   from ~60 to ~20 bytes and bulk inserts got ~1.5x faster. The store converts at its boundary.
// - There is no (pid, hi) index. `params.max_span` records, per parameter, the widest hi - lo ever
//   stored, so a test on hi becomes a range on lo: hi > X implies lo > X - max_span, and hi <= X
//   implies lo <= X (lo <= hi is checked on write). For instants the span is 0 and the range exact.
// - `params.max_count` (most values of the parameter in one resource) and `params.shapes` (whether
//   values with / without a date were ever stored) tell the planner when a parameter is a single
//   date per resource, like Slot.start: then walking its date index in order is walking the sort
//   order, and "the next 20 free slots" stops after a few hundred rows (search/ordered-walk.ts).
// - Composite "reference = X and principal date in a window" (idx.dlo): some types have a principal
//   date parameter (PRINCIPAL_DATES: Slot.start, Appointment.date). When a resource has exactly one
//   value of it, its lo is copied into `dlo` on the resource's string/reference rows (those with
//   `s`), and the partial index (pid, s, dlo) answers "schedule = X and start in these two weeks" as
//   one range instead of intersecting the schedule's year of rows with everyone's two weeks. Only
//   rows with `s` get it (each copy is one more secondary index entry to write). The planner uses it
//   only when the principal parameter has at most one value per resource (params.max_count), so a
//   NULL dlo can only mean "no principal date", which a range on that date excludes anyway.
export const SCHEMA_VERSION = 2;

/** Per resource type, the date parameter copied as `dlo` onto its reference/string index rows. */
export const PRINCIPAL_DATES: Readonly<Record<string, string>> = { Slot: 'start', Appointment: 'date' };

const TABLES_DDL = `
CREATE TABLE resources (
  rk      INTEGER PRIMARY KEY,
  type    TEXT    NOT NULL,
  id      TEXT    NOT NULL,
  vid     INTEGER NOT NULL,
  lu      TEXT    NOT NULL,
  deleted INTEGER NOT NULL
);

CREATE TABLE versions (
  vk      INTEGER PRIMARY KEY,
  rk      INTEGER NOT NULL REFERENCES resources (rk),
  type    TEXT    NOT NULL,
  id      TEXT    NOT NULL,
  vid     INTEGER NOT NULL,
  lu      TEXT    NOT NULL,
  deleted INTEGER NOT NULL,
  json    TEXT    NOT NULL
);

CREATE TABLE params (
  pid       INTEGER PRIMARY KEY,
  type      TEXT    NOT NULL,
  code      TEXT    NOT NULL,
  max_span  INTEGER NOT NULL DEFAULT 0,
  max_count INTEGER NOT NULL DEFAULT 0,
  shapes    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (type, code)
);

CREATE TABLE idx (
  rk    INTEGER NOT NULL REFERENCES resources (rk),
  pid   INTEGER NOT NULL,
  seq   INTEGER NOT NULL,
  sys   TEXT,
  code  TEXT,
  text  TEXT,
  s     TEXT,
  exact TEXT,
  rt    TEXT,
  lo    INTEGER,
  hi    INTEGER,
  n     REAL,
  nlo   REAL,
  nhi   REAL,
  dlo   INTEGER,
  PRIMARY KEY (rk, pid, seq)
) WITHOUT ROWID;
`;

export interface IndexDef {
  readonly name: string;
  /** The CREATE INDEX statement, without a trailing semicolon (as sqlite_master keeps it). */
  readonly sql: string;
  /**
   * Dropped while SqliteStore.bulkLoad (seeding only) loads an EMPTY database, and built again from
   * the loaded rows before it returns: inserting rows at random places of these indexes is most of
   * the cost of a bulk load, building one from sorted data is far cheaper. Only indexes no write
   * statement needs while the load runs: resources_type_id is replaced by the load's own map of the
   * rows it wrote (bulk-keys.ts); versions_rk_vid finds the version a delete copies, versions_lu gives
   * the clock its start.
   */
  readonly deferrable: boolean;
}

/** Every index of the schema: the single source for creating them, and for bulkLoad dropping and rebuilding them. */
export const INDEXES: readonly IndexDef[] = [
  { name: 'resources_type_id', sql: 'CREATE UNIQUE INDEX resources_type_id ON resources (type, id)', deferrable: true },
  { name: 'resources_type_lu', sql: 'CREATE INDEX resources_type_lu ON resources (type, lu, id)', deferrable: true },
  { name: 'versions_rk_vid', sql: 'CREATE UNIQUE INDEX versions_rk_vid ON versions (rk, vid)', deferrable: false },
  { name: 'versions_type', sql: 'CREATE INDEX versions_type ON versions (type)', deferrable: false },
  { name: 'versions_lu', sql: 'CREATE INDEX versions_lu ON versions (lu)', deferrable: false },
  { name: 'idx_token', sql: 'CREATE INDEX idx_token ON idx (pid, code, sys) WHERE code IS NOT NULL', deferrable: true },
  { name: 'idx_string', sql: 'CREATE INDEX idx_string ON idx (pid, s) WHERE s IS NOT NULL', deferrable: true },
  { name: 'idx_date', sql: 'CREATE INDEX idx_date ON idx (pid, lo, hi) WHERE lo IS NOT NULL', deferrable: true },
  { name: 'idx_number', sql: 'CREATE INDEX idx_number ON idx (pid, n) WHERE n IS NOT NULL', deferrable: true },
  { name: 'idx_string_date', sql: 'CREATE INDEX idx_string_date ON idx (pid, s, dlo) WHERE dlo IS NOT NULL', deferrable: true },
];

/** The indexes SqliteStore.bulkLoad drops and rebuilds when it loads an empty database. */
export const DEFERRABLE_INDEXES: readonly IndexDef[] = INDEXES.filter((i) => i.deferrable);

/** Creates a missing index (a no-op when it exists): `IF NOT EXISTS` is not kept in sqlite_master. */
export function createIfMissing(i: IndexDef): string {
  return i.sql.replace(/^CREATE (UNIQUE )?INDEX /, (m) => `${m}IF NOT EXISTS `);
}

export const SCHEMA_DDL = TABLES_DDL + INDEXES.map((i) => `${i.sql};\n`).join('');

/** IndexValue field → idx column. The whitelist that lets the compiler name columns safely. */
export const INDEX_COLUMNS = {
  sys: 'sys', code: 'code', text: 'text', s: 's', exact: 'exact', rt: 'rt',
  lo: 'lo', hi: 'hi', n: 'n', nlo: 'nlo', nhi: 'nhi',
} as const;
/** params.shapes bits. */
export const SHAPE_DATE = 1;
export const SHAPE_OTHER = 2;

/** IndexValue fields held as epoch milliseconds in idx. */
export const DATE_FIELDS: ReadonlySet<string> = new Set(['lo', 'hi']);
