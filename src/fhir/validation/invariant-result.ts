// How FHIR reads the result of an invariant's expression, shared by the evaluation (invariants.ts)
// and the outcomes decided without one (invariant-shortcut.ts).

/**
 * FHIR's reading of an invariant's result: true passes; false or an empty result fails (the rule
 * could not be shown to hold, as the HL7 validator reads it); any other non-empty result passes.
 */
export function holds(result: unknown[]): boolean {
  if (result.length === 0) return false;
  if (result.length === 1) {
    const v = unwrap(result[0]);
    if (typeof v === 'boolean') return v;
  }
  return true;
}

/** The plain value of one item of a fhirpath.js result (it wraps some values with their FHIR type). */
export function unwrap(x: unknown): unknown {
  return typeof x === 'object' && x !== null && 'data' in x && 'fhirNodeDataType' in x ? (x as { data: unknown }).data : x;
}
