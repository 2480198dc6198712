// The FHIR engine: a FhirRequest in, a FhirResponse out. Coded errors become OperationOutcomes here;
// anything else is a real fault and is left for the HTTP layer to log and answer with a bare 500.
// Every request — answered, refused or failed — is recorded in the audit trail by its guard before
// its response leaves; if the record cannot be made durable the answer is 503 and nothing else.
import { Guard, releaseOutcome, type GuardDeps } from '../access/guard.js';
import { accessRecord, recordOrRefuse, type RequestFacts } from '../access/audit-trail.js';
import type { AccessRecord } from '../domain/access-record.js';
import { errors, FhirError, operationOutcome } from '../domain/errors.js';
import { interactionOf, outcomeOf, queryString } from './audit-context.js';
import type { EngineDeps } from './context.js';
import { dispatch } from './router.js';
import { breakGlassOf } from './break-glass-request.js';
import type { FhirRequest, FhirResponse } from './types.js';

export interface Engine {
  handle(req: FhirRequest): Promise<FhirResponse>;
  /** A request refused before it had a principal (401): audited like any other, then answered. */
  refuse(req: Omit<FhirRequest, 'principal'>, e: FhirError): Promise<FhirResponse>;
}

export function createEngine(deps: EngineDeps, guardDeps: GuardDeps): Engine {
  const onFault = (e: unknown) => deps.onAuditFault?.(e);
  return {
    async handle(req) {
      const guard = new Guard(guardDeps, req.principal);
      let out: FhirResponse;
      let fault: unknown;
      try {
        const glass = breakGlassOf(req);
        if (glass) guard.breakGlass(glass);
        out = await dispatch({ req, guard, deps });
      } catch (e) {
        if (!(e instanceof FhirError)) fault = e;
        out = errorResponse(e instanceof FhirError ? e : errors.internal());
      }
      const facts = requestFacts(req, deps);
      // The CapabilityStatement is public and about the server only: no record of reading it.
      if (facts.interaction !== 'capabilities') {
        const refused = await guard.seal(facts, outcomeFor(out), onFault);
        if (refused) return errorResponse(refused);
      }
      if (fault !== undefined) throw fault;
      return out;
    },
    async refuse(req, e) {
      const out = errorResponse(e);
      const record = accessRecord(requestFacts(req, deps), undefined, undefined, outcomeFor(out), guardDeps.now?.() ?? new Date());
      const refused = await recordOrRefuse(guardDeps.audit, record, onFault);
      return refused ? errorResponse(refused) : out;
    },
  };
}

function requestFacts(req: Omit<FhirRequest, 'principal'>, deps: EngineDeps): RequestFacts {
  const facts: RequestFacts = {
    ...interactionOf(req),
    requestId: req.requestId,
    client: { ...req.client },
    server: { name: deps.software.name, version: deps.software.version, address: hostOf(req.baseUrl) },
    method: req.method,
    path: `/${req.segments.map(encodeURIComponent).join('/')}`,
  };
  const q = queryString(req.query);
  if (q !== undefined) facts.query = q;
  return facts;
}

/**
 * The host of the request's base URL. Every request of a deployment has the same few base URLs, so
 * the last answer is kept: parsing a URL per request was a visible share of building the audit facts.
 * One entry only, because the base URL comes from the client's Host header.
 */
let lastBase: { url: string; host: string | undefined } | undefined;

function hostOf(url: string): string | undefined {
  if (lastBase?.url === url) return lastBase.host;
  let host: string | undefined;
  try {
    host = new URL(url).host;
  } catch {
    host = undefined;
  }
  lastBase = { url, host };
  return host;
}

function outcomeFor(out: FhirResponse): AccessRecord['outcome'] {
  const outcome: AccessRecord['outcome'] = { code: outcomeOf(out.status), status: out.status };
  if (out.status >= 400) {
    const text = (out.body as { issue?: { diagnostics?: string }[] } | undefined)?.issue?.[0]?.diagnostics;
    if (text) outcome.text = text;
  }
  return outcome;
}

export function errorResponse(e: FhirError): FhirResponse {
  return { status: e.status, headers: { ...e.headers }, body: releaseOutcome(operationOutcome(e.issues)) };
}
