// Search parameters Envelope defines beyond the official R4 set. R4 gives Appointment a
// `reason-code` but not ServiceRequest, whose reasonCode is the referral's reason — the element a
// GP system most wants to find referrals by, and the one the sealed-envelope rules must be able to
// keep unsearchable for principals who may not see it. Published in the CapabilityStatement like
// the official ones.
import type { r4 } from '../domain/fhir.js';

const BASE = 'https://envelope.example/fhir/SearchParameter';

export const ENVELOPE_SEARCH_PARAMETERS: r4.SearchParameter[] = [
  {
    resourceType: 'SearchParameter', id: 'ServiceRequest-reason-code', url: `${BASE}/ServiceRequest-reason-code`,
    name: 'reason-code', status: 'active', code: 'reason-code', base: ['ServiceRequest'], type: 'token',
    description: 'Envelope: a code explaining why the referral was made (ServiceRequest.reasonCode).',
    expression: 'ServiceRequest.reasonCode', xpathUsage: 'normal',
  },
  {
    resourceType: 'SearchParameter', id: 'ServiceRequest-reason-reference', url: `${BASE}/ServiceRequest-reason-reference`,
    name: 'reason-reference', status: 'active', code: 'reason-reference', base: ['ServiceRequest'], type: 'reference',
    description: 'Envelope: a resource explaining why the referral was made (ServiceRequest.reasonReference).',
    expression: 'ServiceRequest.reasonReference', xpathUsage: 'normal',
    target: ['Condition', 'Observation', 'DiagnosticReport', 'DocumentReference'],
  },
];
