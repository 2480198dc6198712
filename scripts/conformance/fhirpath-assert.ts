// FHIRPath for TestScript variables and asserts: fhirpath.js with the R4 model (so choice types and
// resource types resolve), results turned into plain JSON values and strings the operators compare.
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';

export class FhirPathError extends Error {
  override readonly name = 'FhirPathError';
}

/** Evaluates `expression` against `input` (a resource, or `{}` when there is nothing to read). */
export function evaluateFhirPath(input: unknown, expression: string): unknown[] {
  let out: unknown[];
  try {
    out = fhirpath.evaluate(input ?? {}, expression, {}, r4model) as unknown[];
  } catch (e) {
    throw new FhirPathError(`FHIRPath ${JSON.stringify(expression)}: ${(e as Error).message}`);
  }
  return out.map((v) => fhirpath.resolveInternalTypes(v) as unknown);
}

/** One result as the text a value is compared with: primitives as written, complex values as JSON. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Whether a FHIRPath result is the single boolean true (the test "the expression holds"). */
export function isTrue(result: unknown[]): boolean {
  return result.length === 1 && result[0] === true;
}
