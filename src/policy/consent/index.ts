// The patient-consent engine (FHIR R4 Consent, scope patient-privacy): compiles the patients' active
// consents into the search condition that says which resources an access may touch. Pure; the
// access layer loads the consents and the facts. Algorithm and examples: docs/consent.md.
export { ConsentPolicyError, parseConsentPolicy, CONSENT_POLICY_FORMAT, type ConsentPolicy } from './policy.js';
export type { AccessContext, ConsentAction, ConsentFacts, TypeParams } from './types.js';
export { consentsInForce } from './active.js';
export { relatedTargets } from './provisions.js';
export { consentWhere } from './compile.js';
export { GOVERNED_TYPES } from './resource-match.js';
