// Which FHIR interaction a request is, for its audit record: read from the method and the path
// shape the router matched, so the record names what was asked even when it was refused.
import type { AccessRecord, AuditOutcome } from '../domain/access-record.js';
import type { FhirRequest } from './types.js';

const isType = (s: string | undefined) => s !== undefined && /^[A-Z][A-Za-z]+$/.test(s);

/** The interaction (restful-interaction code or `operation`), its BALP action (a search is E, a query), and an operation name. */
export function interactionOf(req: Pick<FhirRequest, 'method' | 'segments' | 'body'>): Pick<AccessRecord, 'interaction' | 'action' | 'operation'> {
  const s = req.segments;
  const op = s.find((x) => x.startsWith('$'));
  if (op) return { interaction: 'operation', action: 'E', operation: op };
  const [a, b, c, d] = s;
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      if (s.length === 0 || a === '_search') return { interaction: 'search-system', action: 'E' };
      if (a === 'metadata') return { interaction: 'capabilities', action: 'R' };
      if (a === '_history') return { interaction: 'history-system', action: 'R' };
      if (s.length === 1) return { interaction: 'search-type', action: 'E' };
      if (b === '_history') return { interaction: 'history-type', action: 'R' };
      if (s.length === 2) return { interaction: 'read', action: 'R' };
      if (c === '_history') return { interaction: d === undefined ? 'history-instance' : 'vread', action: 'R' };
      return { interaction: 'search-type', action: 'E' }; // compartment search: Patient/1/Appointment
    case 'POST': {
      if (s.length === 0) {
        const type = (req.body as { type?: unknown } | undefined)?.type;
        return { interaction: type === 'batch' ? 'batch' : 'transaction', action: 'E' };
      }
      if (a === '_search') return { interaction: 'search-system', action: 'E' };
      if (b === '_search') return { interaction: 'search-type', action: 'E' };
      return { interaction: 'create', action: 'C' };
    }
    case 'PUT':
      return { interaction: 'update', action: 'U' };
    case 'PATCH':
      return { interaction: 'patch', action: 'U' };
    case 'DELETE':
      return { interaction: 'delete', action: 'D' };
  }
  return isType(a) ? { interaction: 'read', action: 'R' } : { interaction: 'search-system', action: 'E' };
}

/** BALP outcome from the HTTP status: success, the client's failure (minor), the server's (major). */
export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return '0';
  if (status < 500) return '4';
  return status === 500 ? '12' : '8';
}

/** The query string as the client sent it (without `?`), from the parsed pairs. */
export function queryString(query: readonly [string, string][]): string | undefined {
  if (query.length === 0) return undefined;
  return query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
