// The FHIR engine: a FhirRequest in, a FhirResponse out. Coded errors become OperationOutcomes here;
// anything else is a real fault and is left for the HTTP layer to log and answer with a bare 500.
import { Guard, releaseOutcome, type GuardDeps } from '../access/guard.js';
import { FhirError, operationOutcome } from '../domain/errors.js';
import type { EngineDeps } from './context.js';
import { dispatch } from './router.js';
import type { FhirRequest, FhirResponse } from './types.js';

export interface Engine {
  handle(req: FhirRequest): Promise<FhirResponse>;
}

export function createEngine(deps: EngineDeps, guardDeps: GuardDeps): Engine {
  return {
    async handle(req) {
      const guard = new Guard(guardDeps, req.principal);
      try {
        return await dispatch({ req, guard, deps });
      } catch (e) {
        if (e instanceof FhirError) return errorResponse(e);
        throw e;
      }
    },
  };
}

export function errorResponse(e: FhirError): FhirResponse {
  return { status: e.status, headers: { ...e.headers }, body: releaseOutcome(operationOutcome(e.issues)) };
}
