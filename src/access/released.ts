// The Released brand: the proof that the access layer decided a value may leave the server.
// Only this folder can create one (the symbol is not exported), and src/http/serialize.ts accepts
// nothing else, so a path that skips policy does not compile.
import type { Bundle, OperationOutcome, Resource } from '../domain/fhir.js';

declare const releasedBrand: unique symbol;
export type Released<T> = T & { readonly [releasedBrand]: true };

/** Internal to src/access: brand a value after the policy layer has released it. */
export function brand<T extends Resource | Bundle | OperationOutcome>(value: T): Released<T> {
  return value as Released<T>;
}
