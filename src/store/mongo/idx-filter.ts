// Compiles an `idx` condition (some index value of parameter p passes every test) to one
// `$elemMatch` over the embedded `idx` array, so that all tests apply to the SAME value, as the
// search language requires (`date=ge2020&date=le2021` on a period is a test on one value's lo and
// hi, not on any two values). Tests on one field are merged into one operator object when their
// operators differ (`{lo: {$gte, $lt}}`, which an index bound can use) and go to `$and` otherwise.
import { errors } from '../../domain/errors.js';
import type { FieldTest } from '../../domain/search-types.js';
import type { Doc } from './driver.js';
import { FALSE_FILTER } from './filter-primitives.js';
import { escapeRegex, indexField, scalar, scalars, str } from './values.js';

const COMPARISON: Record<string, string> = { eq: '$eq', lt: '$lt', le: '$lte', gt: '$gt', ge: '$gte' };

/** The operator object for one test, or undefined when the test can never hold. */
function fieldCondition(t: FieldTest): Doc | undefined {
  const what = `${t.f} ${t.op}`;
  switch (t.op) {
    case 'eq':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return { [COMPARISON[t.op]!]: scalar(t.v, what) };
    case 'ne':
      // A value lacking the field is not "not equal" to anything (as in SQL, where NULL <> v is not true).
      return { $exists: true, $ne: scalar(t.v, what) };
    case 'in': {
      const vs = scalars(t.v, what);
      return vs.length === 0 ? undefined : { $in: vs };
    }
    case 'sw':
      // Anchored, case-sensitive, literal prefix: MongoDB can turn this into an index range.
      return { $regex: '^' + escapeRegex(str(t.v, what)) };
    case 'co':
      return { $regex: escapeRegex(str(t.v, what)) };
    case 'exists':
      return { $exists: true };
    case 'absent':
      return { $exists: false };
    default:
      throw errors.badRequest(`Unsupported search test ${String((t as { op?: unknown }).op)}`);
  }
}

export function idxFilter(p: string, tests: FieldTest[]): Doc {
  const elem: Doc = { p: { $eq: str(p, 'parameter') } };
  const overflow: Doc[] = [];
  if (!Array.isArray(tests)) throw errors.badRequest('Invalid search tests');
  for (const t of tests) {
    const f = indexField(t?.f);
    const cond = fieldCondition(t);
    if (!cond) return FALSE_FILTER;
    const existing = elem[f] as Doc | undefined;
    if (!existing) elem[f] = cond;
    else if (Object.keys(cond).some((op) => Object.hasOwn(existing, op))) overflow.push({ [f]: cond });
    else Object.assign(existing, cond);
  }
  if (overflow.length > 0) elem.$and = overflow;
  return { idx: { $elemMatch: elem } };
}
