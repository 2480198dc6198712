// Who owns an appointment: the organisation (or, without one, the principal) that created it,
// recorded at creation in the server-owned extension
//   https://envelope.example/fhir/StructureDefinition/appointment-owner  valueIdentifier
// (system ODS for an organisation, PRINCIPAL_SYSTEM for a subject). Only the owner may mark the
// appointment entered-in-error. Appointments stored before the rules existed have no owner record.
import type { r4 } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import { EXTENSION_BASE, findExtension, ODS_SYSTEM, PRINCIPAL_SYSTEM, withExtension } from './extensions.js';

export const OWNER_EXTENSION = `${EXTENSION_BASE}appointment-owner`;

function ownerIdentifier(principal: Principal): r4.Identifier {
  return principal.organization ? { system: ODS_SYSTEM, value: principal.organization } : { system: PRINCIPAL_SYSTEM, value: principal.sub };
}

export function withOwner(appointment: r4.Appointment, principal: Principal): r4.Appointment {
  return withExtension(appointment, { url: OWNER_EXTENSION, valueIdentifier: ownerIdentifier(principal) });
}

/** Undefined when no owner was recorded; otherwise whether `principal` is the owner. */
export function isOwner(appointment: r4.Appointment, principal: Principal): boolean | undefined {
  const recorded = findExtension(appointment, OWNER_EXTENSION)?.valueIdentifier;
  if (!recorded) return undefined;
  const mine = ownerIdentifier(principal);
  return recorded.system === mine.system && recorded.value === mine.value;
}
