// The request-level facts and the loaded data the consent engine decides on. The access layer
// fills them in; the engine performs no I/O.
import type { r4 } from '../../domain/fhir.js';

/** http://terminology.hl7.org/CodeSystem/consentaction */
export type ConsentAction = 'collect' | 'access' | 'use' | 'disclose' | 'correct';

/** The request-level facts (loaded by the access layer). */
export interface AccessContext {
  /** The principal's ODS code. */
  organization?: string;
  /** 'Organization/<id>' of the Organization resources whose ODS identifier is the principal's. */
  organizationRefs: string[];
  /** 'Practitioner/<id>' (the principal's fhirUser), if any. */
  practitionerRef?: string;
  /** 'PractitionerRole/<id>' of the principal, if known. */
  practitionerRoleRefs: string[];
  /** Envelope role name; actor.role matches it when a coding has the Envelope role system and code = role. */
  role: string;
  action: ConsentAction;
  /** v3-ActReason codes carried by the access (defaultPurpose when none; BTG/ETREAT under break glass). */
  purposes: string[];
  now: Date;
}

export interface ConsentFacts {
  /** Candidate consents (any patients, any status: the engine itself keeps only active patient-privacy ones in force at ctx.now). */
  consents: r4.Consent[];
  /** For data.meaning 'related': the references ('Type/id') each referenced resource holds, loaded by the access layer. */
  related: ReadonlyMap<string, readonly string[]>;
}

/** Reference search parameters of a type (for 'dependents': resources of the type pointing at the data); supplied from the search registry by the caller. */
export interface TypeParams {
  referenceParams(type: string): readonly string[];
}
