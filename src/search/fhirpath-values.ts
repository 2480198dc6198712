// The general path: a parameter expression evaluated by fhirpath.js (compiled once, R4 model), its
// results passed on as the fast path passes them (value and FHIR type).
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { rewriteResolve, splitUnion } from './expression.js';
import type { Emit } from './paths.js';

interface NodeLike {
  data: unknown;
  fhirNodeDataType: string | null;
}

function isNode(x: unknown): x is NodeLike {
  return typeof x === 'object' && x !== null && 'fhirNodeDataType' in x && 'data' in x;
}

/** fhirpath.js wraps some primitives (decimals, dates) in its own classes; plain JSON values pass. */
function plain(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype) return v;
  return fhirpath.resolveInternalTypes(v);
}

function systemType(v: unknown): string {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'decimal';
  return 'string';
}

/**
 * Compiles an official expression (with `resolve() is T` rewritten) into a function that emits its values.
 * A top-level union is evaluated member by member and concatenated: FHIRPath's `|` would also remove
 * duplicates by FHIRPath equality, which compares decimals approximately (dropping 1e-245 next to
 * 1e-22) and throws on Quantities with a comparator; the indexer's exact de-duplication is what an
 * index wants, and it makes this path agree with the fast one. A member that fails on some data
 * yields nothing rather than failing the write.
 */
export function compileFhirPath(expression: string): (resource: Record<string, unknown>, emit: Emit) => void {
  const parts = splitUnion(expression).map((part) =>
    fhirpath.compile(rewriteResolve(part), r4model, { resolveInternalTypes: false }),
  );
  return (resource, emit) => {
    for (const fn of parts) {
      let results: unknown[];
      try {
        results = fn(resource) as unknown[];
      } catch {
        continue;
      }
      for (const x of results) {
        if (isNode(x)) {
          const v = plain(x.data);
          if (v !== null && v !== undefined) emit(v, x.fhirNodeDataType ?? systemType(v));
        } else if (x !== null && x !== undefined) {
          const v = plain(x);
          emit(v, systemType(v));
        }
      }
    }
  };
}
