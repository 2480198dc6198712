// The audit record of one request, built by the access layer from what it released and refused
// (Disclosures) and what the request was, and handed to the audit sink. The response is sent only
// after the sink says the record is durable; when it cannot, the request fails with 503 and
// discloses nothing (the caller swaps the response for auditUnavailable()).
import type { AccessRecord } from '../domain/access-record.js';
import { errors, type FhirError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { AuditSink } from './audit-sink.js';
import type { Disclosures } from './disclosures.js';

/** What the request was, as the FHIR engine and HTTP layer know it. */
export type RequestFacts = Pick<AccessRecord, 'requestId' | 'interaction' | 'operation' | 'action' | 'client' | 'server' | 'method' | 'path' | 'query'>;

export function accessRecord(
  facts: RequestFacts, principal: Principal | undefined, disclosures: Disclosures | undefined,
  outcome: AccessRecord['outcome'], recorded: Date,
): AccessRecord {
  const r: AccessRecord = {
    ...facts,
    recorded: recorded.toISOString(),
    outcome,
    resources: disclosures?.resources ?? [],
    patients: disclosures?.patients ?? [],
  };
  if (principal) r.principal = principal;
  const masked = disclosures?.masked ?? [];
  if (masked.length > 0) r.masked = masked;
  const glass = disclosures?.brokeGlass;
  if (glass) r.breakGlass = glass;
  if (principal?.authMethod === 'saml') {
    const saml: NonNullable<AccessRecord['saml']> = {};
    if (principal.authnContext) saml.authnContext = principal.authnContext;
    if (principal.assertionId) saml.assertionId = principal.assertionId;
    if (saml.authnContext || saml.assertionId) r.saml = saml;
  }
  return r;
}

/** Records `r` durably; undefined when it is, else the error to answer instead of the response. */
export async function recordOrRefuse(sink: AuditSink | undefined, r: AccessRecord, onFault: (e: unknown) => void): Promise<FhirError | undefined> {
  if (!sink) return undefined;
  try {
    await sink.record(r);
    return undefined;
  } catch (e) {
    onFault(e);
    return auditUnavailable();
  }
}

export function auditUnavailable(): FhirError {
  return errors.unavailable('The audit trail cannot record this request just now, so nothing is disclosed; try again');
}
