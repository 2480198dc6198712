// The SQLite schema. Why it looks like this:
//
// - `versions` holds every version with its JSON (the only copy of resource content). Its rowid `vk`
//   is the commit sequence; because the store's lastUpdated stamps never decrease in commit order
//   (common/clock.ts), "newest first" is `vk DESC` and a `since` bound is a `vk` range.
// - `resources` is one row per (type, id) pointing at the newest version (`vk`), deletion markers
//   included, so read is one index probe and search joins content only for the rows of a page.
// - `params` interns (resource type, search parameter code) as a small integer `pid`, which keeps
//   the index table and its indexes narrow and scopes every index lookup to one resource type.
// - `idx` holds the IndexValues of current, live versions only (rows are replaced on every write and
//   removed on delete). It is clustered by (rk, pid, seq) — WITHOUT ROWID — so the per-resource checks
//   a search makes for its non-driving conditions ("does this resource have a value of p that ...")
//   are a single seek, and replacing a resource's rows is a range delete. Partial secondary indexes,
//   one per value kind, let a selective condition drive a search; each row enters only the indexes
//   of the fields it has, which keeps bulk inserts cheap:
//     token (pid, code, sys) · string/reference/uri (pid, s) · date (pid, lo, hi) and (pid, hi)
//     · number/quantity (pid, n).
export const SCHEMA_VERSION = 1;

export const SCHEMA_DDL = `
CREATE TABLE versions (
  vk      INTEGER PRIMARY KEY,
  type    TEXT    NOT NULL,
  id      TEXT    NOT NULL,
  vid     INTEGER NOT NULL,
  lu      TEXT    NOT NULL,
  deleted INTEGER NOT NULL,
  json    TEXT    NOT NULL
);
CREATE UNIQUE INDEX versions_type_id_vid ON versions (type, id, vid);
CREATE INDEX versions_type ON versions (type);
CREATE INDEX versions_lu ON versions (lu);

CREATE TABLE resources (
  rk      INTEGER PRIMARY KEY,
  type    TEXT    NOT NULL,
  id      TEXT    NOT NULL,
  vid     INTEGER NOT NULL,
  lu      TEXT    NOT NULL,
  deleted INTEGER NOT NULL,
  vk      INTEGER NOT NULL REFERENCES versions (vk)
);
CREATE UNIQUE INDEX resources_type_id ON resources (type, id);
CREATE INDEX resources_type_lu ON resources (type, lu, id);

CREATE TABLE params (
  pid  INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  code TEXT NOT NULL,
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
  lo    TEXT,
  hi    TEXT,
  n     REAL,
  nlo   REAL,
  nhi   REAL,
  PRIMARY KEY (rk, pid, seq)
) WITHOUT ROWID;
CREATE INDEX idx_token  ON idx (pid, code, sys) WHERE code IS NOT NULL;
CREATE INDEX idx_string ON idx (pid, s)         WHERE s IS NOT NULL;
CREATE INDEX idx_date   ON idx (pid, lo, hi)    WHERE lo IS NOT NULL;
CREATE INDEX idx_date_hi ON idx (pid, hi)       WHERE hi IS NOT NULL;
CREATE INDEX idx_number ON idx (pid, n)         WHERE n IS NOT NULL;
`;

/** IndexValue field → idx column. The whitelist that lets the compiler name columns safely. */
export const INDEX_COLUMNS = {
  sys: 'sys', code: 'code', text: 'text', s: 's', exact: 'exact', rt: 'rt',
  lo: 'lo', hi: 'hi', n: 'n', nlo: 'nlo', nhi: 'nhi',
} as const;
export const NUMERIC_FIELDS = new Set(['n', 'nlo', 'nhi']);
