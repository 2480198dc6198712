// Decimal values with the range their written precision implies (`100` is [99.5, 100.5),
// `100.00` is [99.995, 100.005), `1e2` is [50, 150)). Shared by the indexer and the parser.

export interface DecimalRange {
  n: number;
  /** Lower bound of the implied range (inclusive). */
  lo: number;
  /** Upper bound of the implied range (exclusive). */
  hi: number;
}

const NUMBER_RE = /^([+-]?)(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

// Rounding to 15 significant digits removes the binary noise of `n ± half`, so that 100 - 0.005 is
// exactly the double nearest 99.995, as a stored 99.995 would be.
function clean(x: number): number {
  return Number(x.toPrecision(15));
}

/** Parses a FHIR decimal (search syntax also allows an exponent), or undefined when malformed. */
export function parseDecimalRange(text: string): DecimalRange | undefined {
  const m = NUMBER_RE.exec(text);
  if (!m || (m[2] === '' && m[3] === undefined)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  const places = (m[3]?.length ?? 0) - Number(m[4] ?? 0);
  const half = 0.5 * 10 ** -places;
  return { n, lo: clean(n - half), hi: clean(n + half) };
}

/**
 * The range of a stored number. Integers are exact. A decimal arrives as a JSON number, whose text
 * (and so the trailing zeros that signalled its precision) is gone; the shortest text that reproduces
 * it is the best available reading of its precision.
 */
export function storedNumberRange(n: number, integer: boolean): DecimalRange | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (integer) return { n, lo: n, hi: n };
  return parseDecimalRange(String(n));
}
