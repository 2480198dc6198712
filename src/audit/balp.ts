// IHE Basic Audit Log Patterns (BALP) AuditEvents from an access record: one per patient whose data
// the interaction involved, or one without a patient when it involved none. Pure: the same record
// always gives the same events; ids and storage are the audit log's business.
// docs/audit.md ("What an AuditEvent holds") documents every code and choice made here.
import type { AccessRecord } from '../domain/access-record.js';
import type { Coding, r4 } from '../domain/fhir.js';
import { INTERACTIONS } from '../domain/interaction.js';
import { agentsFor, type AgentTypes } from './balp-agents.js';
import {
  breakGlassEntity, dataEntity, ownerOf, patientEntity, policyEntity, queryEntity, requestEntity, withoutCredentials,
  type TouchedResource,
} from './balp-entities.js';
import {
  APPLICATION, APPLICATION_ACTIVITY, APPLICATION_SERVER, AUTHOR, AUTHZ_SERVER, CLAIM_RELATIONSHIP, CUSTODIAN,
  DESTINATION_ROLE, ENVELOPE_AUDIT, ENVELOPE_OPERATION, GET_ACCESS_TOKEN, HUMAN_USER, INFORMATION_RECIPIENT,
  LOGIN, LOGOUT, REST, RESTFUL_INTERACTION, SECURITY_ALERT, SOURCE_ROLE, USER_AUTHENTICATION, purposeOfUse,
} from './codes.js';

type AuditEvent = r4.AuditEvent;

/** Sign-on events, which are not FHIR interactions. */
export const SIGN_ON_EVENTS = ['login', 'logout', 'token', 'claim-relationship'] as const;

interface EventKind {
  type: Coding;
  subtype: Coding[];
  agents: AgentTypes;
  /** BALP fixes the action of some events (a search is Execute). */
  action?: AuditEvent['action'];
  signOn: boolean;
}

export function auditEventsFor(record: AccessRecord): AuditEvent[] {
  const kind = kindOf(record);
  const base: AuditEvent = {
    resourceType: 'AuditEvent',
    type: kind.type,
    subtype: kind.subtype,
    action: kind.action ?? record.action,
    recorded: record.recorded,
    outcome: record.outcome.code,
    agent: withBreakGlass(agentsFor(record, kind.agents), record),
    source: {
      site: record.server.name,
      observer: { display: `${record.server.name} ${record.server.version}` },
      type: [APPLICATION_SERVER],
    },
  };
  if (record.outcome.code !== '0') base.outcomeDesc = record.outcome.text?.trim() || `HTTP ${record.outcome.status}`;

  const shared = sharedEntities(record, kind);
  const resources: TouchedResource[] = record.resources;
  const patients = patientsOf(record.patients, resources);
  if (patients.length === 0) {
    return [{ ...base, entity: [...resources.map((r) => dataEntity(r, undefined)), ...shared] }];
  }
  const onlyPatient = patients.length === 1 ? patients[0] : undefined;
  const owners = resources.map((r) => ownerOf(r, onlyPatient));
  // Each patient's event lists that patient, their resources and the resources that are nobody's
  // record (slots, practitioners, unattributable ones); never another patient's. Every event gets
  // its own copy of the shared parts: nothing in one aliases another event or a module constant.
  return patients.map((pid) => ({
    ...structuredClone(base),
    entity: [
      patientEntity(pid),
      ...resources.flatMap((r, i) => (owners[i] === pid || owners[i] === undefined ? [dataEntity(r, owners[i])] : [])),
      ...structuredClone(shared),
    ],
  }));
}

/** Under break glass the requesting agent's purpose of use includes BTG (v3-ActReason). */
function withBreakGlass(agents: r4.AuditEventAgent[], record: AccessRecord): r4.AuditEventAgent[] {
  if (!record.breakGlass) return agents;
  return agents.map((a) => {
    if (!a.requestor) return a;
    const purposes = a.purposeOfUse ?? [];
    if (purposes.some((p) => p.coding?.some((c) => c.code === 'BTG'))) return a;
    return { ...a, purposeOfUse: [...purposes, { coding: [purposeOfUse('BTG')] }] };
  });
}

/** The patients involved: those the access layer named, plus those the resources show. */
function patientsOf(named: readonly string[], resources: readonly TouchedResource[]): string[] {
  const ids = new Set(named);
  for (const r of resources) {
    if (r.patient) ids.add(r.patient);
    if (r.type === 'Patient') ids.add(r.id);
  }
  return [...ids].filter((id) => id !== '');
}

function sharedEntities(record: AccessRecord, kind: EventKind): r4.AuditEventEntity[] {
  const out: r4.AuditEventEntity[] = [];
  if (record.requestId) out.push(requestEntity(record.requestId, record.method, record.path, record.outcome.status));
  const query = kind.signOn && record.query !== undefined ? withoutCredentials(record.query) : record.query;
  if (query || isSearch(record.interaction)) out.push(queryEntity(record.method, record.path, query));
  if (record.masked?.length) out.push(policyEntity(record.masked));
  if (record.breakGlass) out.push(breakGlassEntity(record.breakGlass.reason));
  return out;
}

const isSearch = (i: string) => i === 'search-type' || i === 'search-system';

// BALP names the client Source and the server Destination when the request carries the content
// (create, update, search parameters, operations), and swaps them when the server sends it back
// (read, vread, history); a delete has an Application client and a Custodian server.
const TO_SERVER: AgentTypes = { client: SOURCE_ROLE, server: DESTINATION_ROLE, user: INFORMATION_RECIPIENT };
const TO_CLIENT: AgentTypes = { client: DESTINATION_ROLE, server: SOURCE_ROLE, user: INFORMATION_RECIPIENT };
const SIGN_ON: AgentTypes = { client: SOURCE_ROLE, server: DESTINATION_ROLE, user: HUMAN_USER };

function kindOf(record: AccessRecord): EventKind {
  const i = record.interaction;
  const restful = (agents: AgentTypes, extra: Coding[] = [], action?: AuditEvent['action']): EventKind => ({
    type: REST, subtype: [{ system: RESTFUL_INTERACTION, code: i, display: i }, ...extra], agents, signOn: false, ...(action ? { action } : {}),
  });
  const author = (a: AgentTypes): AgentTypes => ({ ...a, user: AUTHOR });
  switch (i) {
    case 'read': case 'vread': case 'history-instance': case 'history-type': case 'history-system': case 'capabilities':
      return restful(TO_CLIENT);
    case 'search-type': case 'search-system':
      return restful(TO_SERVER, [], 'E');
    case 'create': case 'update': case 'patch':
      return restful(author(TO_SERVER));
    case 'delete':
      return restful({ client: APPLICATION, server: CUSTODIAN, user: AUTHOR });
    case 'operation': {
      const op = record.operation?.trim();
      return restful(TO_SERVER, op ? [{ system: ENVELOPE_OPERATION, code: op.startsWith('$') ? op : `$${op}` }] : []);
    }
    case 'login':
      return { type: USER_AUTHENTICATION, subtype: [LOGIN], agents: SIGN_ON, signOn: true };
    case 'logout':
      return { type: USER_AUTHENTICATION, subtype: [LOGOUT], agents: SIGN_ON, signOn: true };
    case 'token':
      return { type: USER_AUTHENTICATION, subtype: [GET_ACCESS_TOKEN], agents: { client: APPLICATION, server: AUTHZ_SERVER, user: HUMAN_USER }, signOn: true };
    case 'claim-relationship':
      return { type: SECURITY_ALERT, subtype: [CLAIM_RELATIONSHIP], agents: SIGN_ON, signOn: true };
  }
  if ((INTERACTIONS as readonly string[]).includes(i)) return restful(TO_SERVER); // batch, transaction
  // Not a name Envelope knows: recorded all the same (an audit record is never dropped), as an
  // application activity carrying the name it was given.
  const code = i.trim().replace(/\s+/g, '-') || 'unknown';
  return { type: APPLICATION_ACTIVITY, subtype: [{ system: ENVELOPE_AUDIT, code }], agents: TO_SERVER, signOn: false };
}
