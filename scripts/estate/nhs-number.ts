// NHS numbers: ten digits, the last a Modulus 11 check digit over the first nine (weights 10..2;
// check = 11 - sum mod 11, where 11 becomes 0 and 10 means the stem is never issued).
//
// Synthetic patients get numbers starting with 9, a range the NHS does not issue to real patients
// (999 numbers are used for test data), so the estate cannot collide with a real person's number.

/** The check digit of a nine-digit stem, or undefined when the stem is unusable (remainder 10). */
export function nhsCheckDigit(stem: string): number | undefined {
  if (!/^\d{9}$/.test(stem)) throw new Error(`An NHS number stem has nine digits: ${stem}`);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

export function isValidNhsNumber(n: string): boolean {
  return /^\d{10}$/.test(n) && nhsCheckDigit(n.slice(0, 9)) === Number(n[9]);
}

/** Largest index nhsNumberFor accepts (stems 900000000–999999999, ten per index). */
export const MAX_NHS_INDEX = 9_999_999;

/**
 * The NHS number of synthetic patient `index`: distinct for distinct indexes and computable from the
 * index alone. Index i owns the stems 9xxxxxxx0 … 9xxxxxxx9 (900000000 + 10·i + t). The last stem
 * digit has weight 2, which is invertible mod 11, so exactly one t in 0..10 gives remainder 10: at
 * most one of t = 0, 1 is unusable, and the first usable one is taken.
 */
export function nhsNumberFor(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_NHS_INDEX) throw new Error(`NHS number index out of range: ${index}`);
  for (let t = 0; t < 2; t++) {
    const stem = String(900_000_000 + index * 10 + t);
    const check = nhsCheckDigit(stem);
    if (check !== undefined) return stem + String(check);
  }
  throw new Error('unreachable: one of two adjacent stems always has a check digit');
}
