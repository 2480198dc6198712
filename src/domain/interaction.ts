// FHIR RESTful interactions, as named by http://hl7.org/fhir/restful-interaction, plus operations.

export const INTERACTIONS = [
  'read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'history-system',
  'create', 'search-type', 'search-system', 'capabilities', 'batch', 'transaction', 'operation',
] as const;
export type Interaction = (typeof INTERACTIONS)[number];

/** The SMART v2 permission letter an interaction needs on a resource type. */
export function smartPermission(i: Interaction): 'c' | 'r' | 'u' | 'd' | 's' | undefined {
  switch (i) {
    case 'create': return 'c';
    case 'read': case 'vread': case 'history-instance': return 'r';
    case 'update': case 'patch': return 'u';
    case 'delete': return 'd';
    case 'search-type': case 'search-system': case 'history-type': case 'history-system': return 's';
    default: return undefined;
  }
}
