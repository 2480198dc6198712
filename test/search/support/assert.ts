// Assertion helpers for parser errors.
import { FhirError } from '../../../src/domain/errors.js';
import type { ParseOptions } from '../../../src/search/parse.js';
import { expect } from './chai.js';
import { LENIENT, parse } from './fixtures.js';
import type { SearchRegistry } from '../../../src/search/registry.js';

/** `query` on `types` must fail with a 400 whose message matches and whose expression names the parameter. */
export function fails(
  types: string | string[],
  query: string,
  pattern: RegExp,
  expression?: string,
  opts: ParseOptions = LENIENT,
  reg?: SearchRegistry,
): FhirError {
  let err: unknown;
  try {
    parse(types, query, opts, reg);
  } catch (e) {
    err = e;
  }
  expect(err, query).to.be.instanceOf(FhirError);
  const fe = err as FhirError;
  expect(fe.status, query).to.equal(400);
  expect(fe.issues[0]!.code).to.equal('invalid');
  expect(fe.message, query).to.match(pattern);
  if (expression !== undefined) expect(fe.issues[0]!.expression, query).to.deep.equal([expression]);
  return fe;
}
