// The assert operators of R4 (http://hl7.org/fhir/assert-operator-codes) over what an assert read: a
// list of values in their text form (one for a header or status code, any number for an expression).

export const OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'greaterThan', 'lessThan', 'empty', 'notEmpty', 'contains', 'notContains', 'eval'] as const;
export type Operator = (typeof OPERATORS)[number];

export function isOperator(s: string): s is Operator {
  return (OPERATORS as readonly string[]).includes(s);
}

export interface Comparison {
  ok: boolean;
  /** What was found, for the report: `'booked'`, `nothing`, `3 values: a, b, c`. */
  found: string;
}

export function describeValues(values: readonly string[]): string {
  if (values.length === 0) return 'nothing';
  if (values.length === 1) return `'${clip(values[0]!)}'`;
  return `${values.length} values: ${clip(values.join(', '))}`;
}

function clip(s: string): string {
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** Numbers as numbers, instants and dates as times, anything else as text. */
function order(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = /^\d{4}-\d{2}/.test(a) ? Date.parse(a) : NaN;
  const db = /^\d{4}-\d{2}/.test(b) ? Date.parse(b) : NaN;
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Applies `operator` to `values` and the expected `value`. `equals` compares the values joined with
 * commas (one value: that value); `in`/`notIn` read `value` as a comma-separated list; `contains`
 * looks for `value` as text within them. `eval` is the caller's (a FHIRPath that must be true).
 */
export function compare(operator: Exclude<Operator, 'eval'>, values: readonly string[], value: string | undefined): Comparison {
  const found = describeValues(values);
  const joined = values.join(',');
  const expected = value ?? '';
  const list = expected.split(',').map((s) => s.trim());
  switch (operator) {
    case 'empty':
      return { ok: values.length === 0, found };
    case 'notEmpty':
      return { ok: values.length > 0, found };
    case 'equals':
      return { ok: values.length > 0 && joined === expected, found };
    case 'notEquals':
      return { ok: joined !== expected, found };
    case 'in':
      return { ok: values.length > 0 && values.every((v) => list.includes(v)), found };
    case 'notIn':
      return { ok: values.every((v) => !list.includes(v)), found };
    case 'greaterThan':
      return { ok: values.length === 1 && order(values[0]!, expected) > 0, found };
    case 'lessThan':
      return { ok: values.length === 1 && order(values[0]!, expected) < 0, found };
    case 'contains':
      return { ok: values.length > 0 && joined.includes(expected), found };
    case 'notContains':
      return { ok: !joined.includes(expected), found };
  }
}

/** How an expectation reads in a report: `equals 'booked'`, `in 200,201`, `notEmpty`. */
export function describeExpectation(operator: Operator, value: string | undefined): string {
  if (operator === 'empty' || operator === 'notEmpty') return operator === 'empty' ? 'is empty' : 'is not empty';
  if (operator === 'eval') return 'is true';
  return `${operator} '${value ?? ''}'`;
}
