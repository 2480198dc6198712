// The patient's view of an AuditEvent about them ("who looked at my record"): when, what was done
// and with what outcome, by which role in which organisation and for what purpose, and which of
// their resources. Staff identities, network addresses, client software, token and assertion ids,
// query bytes and request ids are removed, and the result is labelled REDACTED when anything was.
// Built by keeping what is allowed rather than deleting what is not, so a field added to events
// later stays out of the patient's view until someone decides it belongs there.
import type { r4 } from '../domain/fhir.js';
import { isEnvelopeRole } from './balp-agents.js';
import {
  APPLICATION, CUSTODIAN, DESTINATION_ROLE, DETAIL, ENTITY_TYPE, HEALTHCARE_PROVIDER, OBJECT_ROLE,
  REDACTED, ROLE_CLASS, SOURCE_ROLE,
} from './codes.js';

/** How much of a staff member's identity a patient sees: configuration, not the patient's choice. */
export type StaffIdentity = 'role-and-organisation' | 'full';

export interface PatientViewOptions {
  staff: StaffIdentity;
}

export class NotAboutThisPatientError extends Error {
  constructor(patientId: string) {
    super(`The AuditEvent does not concern Patient/${patientId}`);
    this.name = 'NotAboutThisPatientError';
  }
}

type Agent = r4.AuditEventAgent;
type Entity = r4.AuditEventEntity;

export function forPatient(event: r4.AuditEvent, patientId: string, opts: PatientViewOptions): r4.AuditEvent {
  const own = `Patient/${patientId}`;
  const entities = event.entity ?? [];
  // Refuse rather than filter: a caller that passes someone else's event has a bug worth hearing about.
  if (!entities.some((e) => isPatientEntity(e, own))) throw new NotAboutThisPatientError(patientId);

  let redacted = false;
  const dropped = (x: unknown): void => {
    if (x !== undefined && !(Array.isArray(x) && x.length === 0)) redacted = true;
  };

  const agent: Agent[] = [];
  for (const a of event.agent) {
    if (isOrganisation(a)) agent.push(organisationView(a, dropped));
    else if (a.requestor) agent.push(requestorView(a, opts.staff, dropped));
    else dropped(a); // client software, the server
  }
  if (agent.length === 0) agent.push({ requestor: true, who: { display: 'not recorded' } });

  const entity: Entity[] = [];
  for (const e of entities) {
    if (isPatientEntity(e, own) || isResourceOf(e, own)) entity.push({ what: { reference: e.what!.reference! }, ...(e.type ? { type: e.type } : {}), ...(e.role ? { role: e.role } : {}) });
    else dropped(e); // query, request id, policy, other resources
  }

  dropped(event.outcomeDesc); // error text may name people or echo the request
  dropped(event.extension);
  dropped(event.modifierExtension);
  dropped(event.text);
  dropped(event.contained);

  const view: r4.AuditEvent = {
    resourceType: 'AuditEvent',
    ...(event.id ? { id: event.id } : {}),
    type: event.type,
    ...(event.subtype ? { subtype: event.subtype } : {}),
    ...(event.action ? { action: event.action } : {}),
    ...(event.period ? { period: event.period } : {}),
    recorded: event.recorded,
    ...(event.outcome ? { outcome: event.outcome } : {}),
    ...(event.purposeOfEvent ? { purposeOfEvent: event.purposeOfEvent } : {}),
    agent,
    source: sourceView(event.source, dropped),
    entity,
  };
  const security = [...(event.meta?.security ?? [])];
  if (redacted && !security.some((c) => c.system === REDACTED.system && c.code === REDACTED.code)) security.push(REDACTED);
  if (security.length) view.meta = { security };
  return view;
}

function isPatientEntity(e: Entity, own: string): boolean {
  return e.what?.reference === own && e.role?.system === OBJECT_ROLE && e.role.code === '1'
    && e.type?.system === ENTITY_TYPE && e.type.code === '1';
}

/** A resource the event marks as this patient's (balp.ts marks every resource it attributes). */
function isResourceOf(e: Entity, own: string): boolean {
  return typeof e.what?.reference === 'string' && (e.detail ?? []).some((d) => d.type === DETAIL.patient && d.valueString === own);
}

function isOrganisation(a: Agent): boolean {
  return (a.type?.coding ?? []).some((c) => c.system === ROLE_CLASS && c.code === HEALTHCARE_PROVIDER.code);
}

/** Software rather than a person: BALP's client, server and application agent types. */
function isSoftware(a: Agent): boolean {
  const software = [SOURCE_ROLE, DESTINATION_ROLE, APPLICATION, CUSTODIAN];
  return (a.type?.coding ?? []).some((c) => software.some((s) => s.system === c.system && s.code === c.code));
}

function organisationView(a: Agent, dropped: (x: unknown) => void): Agent {
  const id = a.who?.identifier;
  const { identifier: _i, ...restOfWho } = a.who ?? {};
  dropped(Object.keys(restOfWho).length ? restOfWho : undefined);
  dropped(a.network);
  return {
    ...(a.type ? { type: a.type } : {}),
    ...(id?.value ? { who: { identifier: { ...(id.system ? { system: id.system } : {}), value: id.value } } } : {}),
    requestor: a.requestor,
  };
}

function requestorView(a: Agent, staff: StaffIdentity, dropped: (x: unknown) => void): Agent {
  const out: Agent = { requestor: true };
  if (a.type) out.type = a.type;
  if (a.purposeOfUse) out.purposeOfUse = a.purposeOfUse;
  const person = !isSoftware(a);
  if (staff === 'full' && person) {
    if (a.who) out.who = { ...(a.who.reference ? { reference: a.who.reference } : {}), ...(a.who.identifier ? { identifier: a.who.identifier } : {}), ...(a.who.display ? { display: a.who.display } : {}) };
    if (a.name) out.name = a.name;
    if (a.role) out.role = a.role;
  } else {
    dropped(a.who);
    dropped(a.name);
    const roles = (a.role ?? []).filter(isEnvelopeRole).map((cc) => ({ coding: cc.coding!.filter((c) => isEnvelopeRole({ coding: [c] })) }));
    dropped((a.role ?? []).length > roles.length ? a.role : undefined);
    if (roles.length) out.role = roles;
  }
  dropped(a.altId);
  dropped(a.policy);
  dropped(a.network);
  dropped(a.location);
  dropped(a.media);
  dropped(a.extension);
  return out;
}

/** The server that recorded it; nothing about the staff member, kept as recorded. */
function sourceView(source: r4.AuditEventSource, dropped: (x: unknown) => void): r4.AuditEventSource {
  dropped(source.extension);
  return {
    ...(source.site ? { site: source.site } : {}),
    observer: source.observer.display ? { display: source.observer.display } : { display: 'Envelope' },
    ...(source.type ? { type: source.type } : {}),
  };
}
