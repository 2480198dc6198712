// Visibility maps as the access layer would push them into a SearchRequest, written as FHIR queries
// and compiled by the real parser, so they are the same kind of Cond a policy produces.
import { and, TRUE, type Cond } from '../../../src/domain/search-types.js';
import { parseSearch } from '../../../src/search/parse.js';
import type { SearchRegistry } from '../../../src/search/registry.js';
import { PARSE_OPTIONS, queryPairs } from './run.js';

function rule(registry: SearchRegistry, type: string, query: string): Cond {
  const parsed = parseSearch([type], queryPairs(query), registry, PARSE_OPTIONS);
  if (parsed.issues.length > 0) throw new Error(`visibility rule ${type}?${query}: ${JSON.stringify(parsed.issues)}`);
  return and(...parsed.request.where);
}

const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/**
 * The served corpus's visibility:
 *  - AuditEvent is absent: the type is hidden entirely;
 *  - restricted (R) patients are hidden;
 *  - appointments are visible only when their patient is visible (a chain inside a rule, which must
 *    itself respect the Patient rule) or they have no patient;
 *  - schedule g-sch-3 is hidden, and busy-unavailable slots;
 *  - organisation f001 is hidden (chains such as Patient?organization.name=burgers lose it);
 *  - a location is hidden while a visible appointment there is proposed (a negated _has, reaching
 *    Appointment's rule and through it Patient's);
 *  - every other type is fully visible.
 */
export function servedVisibility(registry: SearchRegistry): Record<string, Cond> {
  return {
    Patient: rule(registry, 'Patient', `_security:not=${CONF}|R`),
    Appointment: { k: 'or', of: [rule(registry, 'Appointment', 'patient:missing=true'), { k: 'chain', p: 'patient', types: ['Patient'], where: TRUE }] },
    Schedule: rule(registry, 'Schedule', '_id:not=g-sch-3'),
    Slot: rule(registry, 'Slot', 'status:not=busy-unavailable'),
    Organization: rule(registry, 'Organization', '_id:not=f001'),
    Consent: TRUE,
    HealthcareService: TRUE,
    // Hidden while a (visible) appointment there is still only proposed: a _has under a not, whose
    // source's own rule chains to Patient — three rules deep.
    Location: { k: 'not', of: rule(registry, 'Location', '_has:Appointment:location:status=proposed') },
    Practitioner: TRUE,
    PractitionerRole: TRUE,
    ServiceRequest: rule(registry, 'ServiceRequest', 'status:not=draft'),
  };
}

/**
 * The wide corpus's: one patient and the observations about it hidden, risk assessments visible only
 * up to a probability (so those without one are hidden too).
 */
export function wideVisibility(registry: SearchRegistry): Record<string, Cond> {
  return {
    Patient: rule(registry, 'Patient', '_id:not=g-wp-2'),
    RiskAssessment: rule(registry, 'RiskAssessment', 'probability=le0.5'),
    Observation: { k: 'not', of: rule(registry, 'Observation', 'subject=Patient/g-wp-2') },
  };
}

/** The volume corpus's: one slot, one schedule's slots and busy slots on one day hidden; practitioner v-prac-2 hidden. */
export function volumeVisibility(registry: SearchRegistry): Record<string, Cond> {
  return {
    Slot: {
      k: 'and',
      of: [
        rule(registry, 'Slot', '_id:not=v-0002'),
        { k: 'not', of: rule(registry, 'Slot', 'schedule=Schedule/v-sch-5') },
        { k: 'not', of: rule(registry, 'Slot', 'status=busy&start=2025-05-04') },
      ],
    },
    Schedule: TRUE,
    HealthcareService: TRUE,
    Practitioner: rule(registry, 'Practitioner', '_id:not=v-prac-2'),
  };
}
