// What every part of the query parser shares: the context, the two kinds of failure, and helpers for
// building conditions.
import { errors, type FhirError } from '../../domain/errors.js';
import type { Cond, FieldTest } from '../../domain/search-types.js';
import type { SearchRegistry } from '../registry.js';

export interface ParseContext {
  registry: SearchRegistry;
  /** This server's base URL, normalised (no trailing slash). */
  baseUrl: string | undefined;
  /** The instant `ap` on dates measures its tolerance from. */
  now: Date;
}

/**
 * A parameter Envelope does not know or does not support. Unlike a malformed value (always a 400),
 * what happens to it is the caller's policy: ignored with a warning, or a 400 under strict handling.
 */
export class UnknownParameter extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnknownParameter';
  }
}

/** A malformed search: the 400 names the offending parameter in `expression`. */
export function bad(param: string, message: string): FhirError {
  return errors.badRequest(message, param);
}

export function idx(p: string, ...tests: FieldTest[]): Cond {
  return { k: 'idx', p, tests };
}

function sameTest(a: FieldTest, b: FieldTest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * OR of alternatives (the comma of a search value). Alternatives that are the same `idx` except for one
 * `eq` test on the same field (`status=booked,pending`, `identifier=s|1,s|2`) become one `in` test,
 * which every store answers with one index lookup.
 */
export function anyOf(conds: Cond[]): Cond {
  if (conds.length === 1) return conds[0]!;
  const first = conds[0];
  if (first?.k === 'idx' && conds.every((c) => c.k === 'idx' && c.p === first.p && c.tests.length === first.tests.length)) {
    const all = conds as Extract<Cond, { k: 'idx' }>[];
    const diff: number[] = [];
    for (let i = 0; i < first.tests.length; i++) {
      if (!all.every((c) => sameTest(c.tests[i]!, first.tests[i]!))) diff.push(i);
    }
    const at = diff[0];
    if (diff.length === 1 && at !== undefined) {
      const tests = all.map((c) => c.tests[at]!);
      if (tests.every((t) => t.op === 'eq' && t.f === tests[0]!.f)) {
        const values = [...new Set(tests.map((t) => (t as { v: string | number }).v))];
        const merged: FieldTest = values.length === 1 ? tests[0]! : { f: tests[0]!.f, op: 'in', v: values };
        return { k: 'idx', p: first.p, tests: first.tests.map((t, i) => (i === at ? merged : t)) };
      }
    }
  }
  return { k: 'or', of: conds };
}
