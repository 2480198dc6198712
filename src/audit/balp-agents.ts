// The agents of an AuditEvent: who asked (the user, or the system when no person is involved), the
// organisation they act for, the client software with its network address, and this server. One
// agent is the requestor: the person when there is one, else the client.
import type { Coding, r4 } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import {
  BALP_ASSURANCE_LEVEL, CLIENT_ID, ENVELOPE_ROLE, HEALTHCARE_PROVIDER, ODS_ORGANIZATION, SDS_ROLE_PROFILE,
  USER_OAUTH_AGENT, USER_SAML_AGENT, envelopeRole, purposeOfUse,
} from './codes.js';

type Agent = r4.AuditEventAgent;

/** How the client and the server take part, which BALP derives from the direction of the request. */
export interface AgentTypes {
  client: Coding;
  server: Coding;
  /** How a person takes part: information recipient, author, or (sign-on) a human user. */
  user: Coding;
}

export interface AgentFacts {
  principal?: Principal | undefined;
  client: { address?: string | undefined; userAgent?: string | undefined };
  server: { name: string; address?: string | undefined };
  saml?: { assertionId?: string | undefined; authnContext?: string | undefined } | undefined;
}

export function agentsFor(facts: AgentFacts, types: AgentTypes): Agent[] {
  const p = facts.principal;
  const human = p ? humanAgent(p, types.user, facts.saml) : undefined;
  const org = p ? organisationAgent(p) : undefined;
  const client = clientAgent(facts, types.client, human === undefined);
  const server: Agent = {
    type: { coding: [types.server] },
    who: { display: facts.server.name },
    requestor: false,
    ...network(facts.server.address),
  };
  return [human, org, client, server].filter((a): a is Agent => a !== undefined);
}

/**
 * The person behind the request: the signed-in user, or the end user a registered system asserted.
 * A system acting for nobody has no human agent (its client agent is the requestor).
 */
export function humanAgent(p: Principal, participation: Coding, saml?: AgentFacts['saml']): Agent | undefined {
  if (!p.endUser && (p.authMethod === 'client-credentials' || p.authMethod === 'internal')) return undefined;
  const type: Coding[] = [participation];
  if (!p.endUser && p.authMethod === 'saml') type.push(USER_SAML_AGENT);
  if (!p.endUser && p.authMethod === 'jwt') type.push(USER_OAUTH_AGENT);

  const agent: Agent = { type: { coding: type }, who: p.endUser ? assertedUser(p) : signedInUser(p), requestor: true };
  const role = rolesOf(p);
  if (role.length) agent.role = role;
  if (p.purposeOfUse) agent.purposeOfUse = [{ coding: [purposeOfUse(p.purposeOfUse)] }];
  // BALP: the SAML assertion id (or the OAuth token id) is the user agent's policy. An asserted end
  // user holds no token of their own; the system's token id goes on the client agent instead.
  const policy = [saml?.assertionId, p.endUser ? undefined : p.tokenId].filter(isText);
  if (policy.length) agent.policy = policy;
  const authnContext = saml?.authnContext ?? p.authnContext;
  if (authnContext && !p.endUser) agent.extension = [{ url: BALP_ASSURANCE_LEVEL, valueCodeableConcept: { text: authnContext } }];
  return agent;
}

/** BALP's organisation agent (healthcare provider) identified by its ODS code. */
export function organisationAgent(p: Principal): Agent | undefined {
  const ods = p.organization ?? p.endUser?.organization;
  if (!ods) return undefined;
  return { type: { coding: [HEALTHCARE_PROVIDER] }, who: { identifier: { system: ODS_ORGANIZATION, value: ods } }, requestor: false };
}

function clientAgent(facts: AgentFacts, type: Coding, isRequestor: boolean): Agent {
  const p = facts.principal;
  const clientId = p?.clientId ?? (p?.authMethod === 'client-credentials' || p?.authMethod === 'internal' ? p.sub : undefined);
  const who: r4.Reference = {};
  if (clientId) who.identifier = { system: CLIENT_ID, value: clientId };
  if (facts.client.userAgent) who.display = facts.client.userAgent;
  if (!who.identifier && !who.display) who.display = 'unidentified client';
  const agent: Agent = { type: { coding: [type] }, who, requestor: isRequestor, ...network(facts.client.address) };
  // A system acting for nobody is the requestor and carries what a user agent otherwise would.
  if (isRequestor && p) {
    const role = rolesOf(p);
    if (role.length) agent.role = role;
    if (p.purposeOfUse) agent.purposeOfUse = [{ coding: [purposeOfUse(p.purposeOfUse)] }];
  }
  if (p?.tokenId && (isRequestor || p.endUser)) agent.policy = [p.tokenId];
  return agent;
}

function signedInUser(p: Principal): r4.Reference {
  const who: r4.Reference = { identifier: { value: p.sub } };
  if (p.issuer && /^\S+$/.test(p.issuer)) who.identifier!.system = p.issuer;
  if (p.fhirUser && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(p.fhirUser)) who.reference = p.fhirUser;
  return who;
}

function assertedUser(p: Principal): r4.Reference {
  const id = p.endUser?.id;
  return id ? { identifier: { value: id } } : { display: 'end user not identified by the client' };
}

/** The Envelope role, the SDS role profile (URP) id of a smartcard session, and an asserted role. */
function rolesOf(p: Principal): r4.CodeableConcept[] {
  const roles: r4.CodeableConcept[] = [];
  if (p.role) roles.push({ coding: [envelopeRole(p.role)] });
  if (p.roleProfileId) roles.push({ coding: [{ system: SDS_ROLE_PROFILE, code: p.roleProfileId }] });
  if (p.endUser?.role && p.endUser.role !== p.role) roles.push({ text: p.endUser.role });
  return roles;
}

/** `network`, typed as an IP address (2), a URI (5) or otherwise a machine name (1). */
export function network(address: string | undefined): { network?: r4.AuditEventAgentNetwork } {
  if (!address) return {};
  return { network: { address, type: addressType(address) } };
}

function addressType(a: string): '1' | '2' | '5' {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) return '5';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(a) || (a.includes(':') && /^[0-9a-f:.]+(%\S+)?$/i.test(a))) return '2';
  return '1';
}

const isText = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/** Whether a role CodeableConcept is Envelope's role name (what the patient may see). */
export const isEnvelopeRole = (cc: r4.CodeableConcept): boolean => (cc.coding ?? []).some((c) => c.system === ENVELOPE_ROLE);
