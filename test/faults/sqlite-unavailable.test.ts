// Which real SQLite engine errors the store answers as 503 (the database cannot be used just now)
// and which stay faults (500): each error here is raised by the engine itself, not made up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FhirError } from '../../src/domain/errors.js';
import { asUnavailable } from '../../src/store/sqlite/unavailable.js';

function engineError(fn: () => unknown): { code: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string };
  }
  throw new Error('the engine raised nothing');
}

describe('faults: SQLite engine errors that mean "unavailable"', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-sqlite-errors-'));
    file = join(dir, 'db.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const unavailable: [string, () => { code: string }][] = [
    ['a write through a read-only connection (SQLITE_READONLY)', () => {
      const db = new Database(file, { readonly: true });
      try {
        return engineError(() => db.exec('INSERT INTO t VALUES (1)'));
      } finally {
        db.close();
      }
    }],
    ['a database that cannot be opened (SQLITE_CANTOPEN): its path is a directory', () => engineError(() => new Database(dir))],
    ['another connection holding the write lock (SQLITE_BUSY)', () => {
      const holder = new Database(file);
      const db = new Database(file, { timeout: 0 });
      holder.exec('BEGIN IMMEDIATE');
      try {
        return engineError(() => db.exec('BEGIN IMMEDIATE'));
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
        db.close();
      }
    }],
  ];
  for (const [what, raise] of unavailable) {
    it(`503: ${what}`, () => {
      const e = raise();
      const mapped = asUnavailable(e);
      assert.ok(mapped instanceof FhirError, `${e.code} was not mapped`);
      assert.equal(mapped.status, 503);
      assert.equal(mapped.issues[0]!.code, 'transient');
      assert.equal(mapped.headers['Retry-After'], '1');
      assert.equal((mapped as { cause?: unknown }).cause, e, 'the engine error is kept for the log');
      assert.doesNotMatch(mapped.message, /SQLITE|\//, 'nothing of the engine or the file system reaches the client');
    });
  }

  const faults: [string, () => { code: string }][] = [
    ['a file that is not a database (SQLITE_NOTADB): retrying does not mend it', () => {
      const junk = join(dir, 'junk.sqlite');
      writeFileSync(junk, Buffer.alloc(8192, 7));
      const db = new Database(junk);
      try {
        return engineError(() => db.prepare('SELECT * FROM sqlite_master').all());
      } finally {
        db.close();
      }
    }],
    ['a constraint violation (SQLITE_CONSTRAINT)', () => {
      const db = new Database(file);
      try {
        db.exec('INSERT OR IGNORE INTO t VALUES (5)');
        return engineError(() => db.exec('INSERT INTO t VALUES (5)'));
      } finally {
        db.close();
      }
    }],
    ['a broken statement (SQLITE_ERROR)', () => {
      const db = new Database(file);
      try {
        return engineError(() => db.exec('SELECT * FROM no_such_table'));
      } finally {
        db.close();
      }
    }],
  ];
  for (const [what, raise] of faults) {
    it(`stays a fault: ${what}`, () => {
      const e = raise();
      assert.match(e.code, /^SQLITE_/);
      assert.equal(asUnavailable(e), e);
    });
  }
});
