// The OperationDefinitions of Envelope's own operations, served at [base]/OperationDefinition/[id]
// and named by the CapabilityStatement (`https://envelope.example/fhir/OperationDefinition/<type>-<name>`).
// Like the CapabilityStatement they describe the server, not anyone's data.
import { releaseServerStatement } from '../../access/guard.js';
import { errors } from '../../domain/errors.js';
import type { r4 } from '../../domain/fhir.js';
import type { Ctx } from '../context.js';
import type { FhirResponse } from '../types.js';

type Param = r4.OperationDefinitionParameter;
const BASE = 'https://envelope.example/fhir/OperationDefinition';

const param = (name: string, use: 'in' | 'out', min: number, max: string, type: NonNullable<Param['type']>, documentation: string, extra: Partial<Param> = {}): Param =>
  ({ name, use, min, max, type, documentation, ...extra });

function definition(id: string, code: string, resource: r4.OperationDefinition['resource'] extends (infer R)[] | undefined ? R : never, flags: { type: boolean; instance: boolean }, kind: 'operation' | 'query', description: string, parameter: Param[], affectsState: boolean): r4.OperationDefinition {
  return {
    resourceType: 'OperationDefinition', id, url: `${BASE}/${id}`, name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
    status: 'active', kind, code, resource: [resource], system: false, type: flags.type, instance: flags.instance,
    affectsState, description, parameter,
  };
}

const DEFINITIONS: ReadonlyMap<string, r4.OperationDefinition> = new Map([
  definition('slot-hold', 'hold', 'Slot', { type: false, instance: true }, 'operation',
    'Reserves a free slot for the caller for HOLD_MINUTES while a booking is prepared (docs/booking.md). No input parameters.',
    [param('return', 'out', 1, '1', 'Slot', 'The slot as held (status busy-tentative, with the hold extension).')], true),
  definition('appointment-find', 'find', 'Appointment', { type: true, instance: false }, 'query',
    'The bookable options (free future slots, earliest first) for a referral or a service over a date range, with their Schedule and, as includes, the services, locations, practitioners and organisations behind them.',
    [
      // Query parameters (the operation is GET-able): strings with the search type they are read as.
      param('referral', 'in', 0, '1', 'string', 'The ServiceRequest to book for, as ServiceRequest/[id] (its performer gives the services).', { searchType: 'reference' }),
      param('service', 'in', 0, '*', 'string', 'A HealthcareService to find slots of, as HealthcareService/[id] (repeatable).', { searchType: 'reference' }),
      param('start', 'in', 1, '1', 'string', 'Slots starting at or after this date or dateTime.', { searchType: 'date' }),
      param('end', 'in', 1, '1', 'string', 'Slots starting at or before this date or dateTime.', { searchType: 'date' }),
      param('_count', 'in', 0, '1', 'string', 'Page size.', { searchType: 'number' }),
      param('return', 'out', 1, '1', 'Bundle', 'A searchset of matching slots with their includes, paged like any search.'),
    ], false),
  definition('patient-claim-relationship', 'claim-relationship', 'Patient', { type: false, instance: true }, 'operation',
    'Claims a legitimate relationship with the patient for RELATIONSHIP_CLAIM_HOURS, with a stated reason; alerts the privacy officer (docs/policy.md).',
    [
      param('reason', 'in', 1, '1', 'string', 'Why the relationship is claimed (at most 1,000 characters).'),
      param('return', 'out', 1, '1', 'Parameters', 'The claim: patient, reason and expiry.'),
    ], true),
].map((d) => [d.id!, d]));

export async function operationDefinition(_ctx: Ctx, id: string): Promise<FhirResponse> {
  const d = DEFINITIONS.get(id);
  if (!d) throw errors.notFound(`OperationDefinition/${id} is not known`);
  return { status: 200, headers: {}, body: releaseServerStatement(structuredClone(d) as r4.OperationDefinition & { resourceType: 'OperationDefinition' }) };
}

/** Ids of the definitions served (for tests against the CapabilityStatement). */
export const OPERATION_DEFINITION_IDS: readonly string[] = [...DEFINITIONS.keys()];
