// The shape of the AuditEvent of each kind of interaction (type, subtype, action, outcome, agents,
// entities), and that every one is valid R4.
import assert from 'node:assert/strict';
import type { AccessRecord } from '../../../src/audit/access-record.js';
import { auditEventsFor } from '../../../src/audit/balp.js';
import * as code from '../../../src/audit/codes.js';
import type { Coding } from '../../../src/domain/fhir.js';
import {
  STAFF, agentOfType, assertValidR4, entitiesWithRole, entityOfType, has, record, references, requestors, staff, system,
} from './fixtures.js';

const rest = (interaction: string): Coding => ({ system: code.RESTFUL_INTERACTION, code: interaction });

interface Case {
  name: string;
  record: Partial<AccessRecord>;
  type: Coding;
  subtype: Coding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  outcome: '0' | '4' | '8' | '12';
  client: Coding;
  server: Coding;
  /** The person's agent type, or undefined when no person takes part. */
  user: Coding | undefined;
  /** Resource references expected among the entities. */
  refs?: string[];
}

const refused = (status: number, text: string, over: Partial<AccessRecord> = {}): Partial<AccessRecord> => ({
  outcome: { code: '4', status, text }, resources: [], patients: [], ...over,
});

const cases: Case[] = [
  { name: 'read', record: {}, type: code.REST, subtype: [rest('read')], action: 'R', outcome: '0',
    client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['Patient/p1', 'Appointment/a1/_history/3'] },
  { name: 'vread', record: { interaction: 'vread', path: '/fhir/Appointment/a1/_history/3' }, type: code.REST, subtype: [rest('vread')], action: 'R', outcome: '0',
    client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['Appointment/a1/_history/3'] },
  { name: 'create', record: { interaction: 'create', action: 'C', method: 'POST', path: '/fhir/Appointment', outcome: { code: '0', status: 201 }, resources: [{ type: 'Appointment', id: 'a9', versionId: 1 }] },
    type: code.REST, subtype: [rest('create')], action: 'C', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR, refs: ['Appointment/a9/_history/1'] },
  { name: 'update', record: { interaction: 'update', action: 'U', method: 'PUT', resources: [{ type: 'Appointment', id: 'a1', versionId: 4 }] },
    type: code.REST, subtype: [rest('update')], action: 'U', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR, refs: ['Appointment/a1/_history/4'] },
  { name: 'patch', record: { interaction: 'patch', action: 'U', method: 'PATCH', resources: [{ type: 'Appointment', id: 'a1', versionId: 5 }] },
    type: code.REST, subtype: [rest('patch')], action: 'U', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR },
  { name: 'delete', record: { interaction: 'delete', action: 'D', method: 'DELETE', outcome: { code: '0', status: 204 }, resources: [{ type: 'Appointment', id: 'a1' }] },
    type: code.REST, subtype: [rest('delete')], action: 'D', outcome: '0', client: code.APPLICATION, server: code.CUSTODIAN, user: code.AUTHOR, refs: ['Appointment/a1'] },
  { name: 'history-instance', record: { interaction: 'history-instance', path: '/fhir/Appointment/a1/_history', resources: [{ type: 'Appointment', id: 'a1', versionId: 1 }, { type: 'Appointment', id: 'a1', versionId: 2 }] },
    type: code.REST, subtype: [rest('history-instance')], action: 'R', outcome: '0', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT,
    refs: ['Appointment/a1/_history/1', 'Appointment/a1/_history/2'] },
  { name: 'search-type', record: { interaction: 'search-type', path: '/fhir/Slot', query: 'status=free', resources: [{ type: 'Slot', id: 's1' }], patients: [] },
    type: code.REST, subtype: [rest('search-type')], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['Slot/s1'] },
  { name: 'batch', record: { interaction: 'batch', action: 'E', method: 'POST', path: '/fhir', resources: [{ type: 'Slot', id: 's1' }, { type: 'Appointment', id: 'a1', versionId: 2 }] },
    type: code.REST, subtype: [rest('batch')], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['Slot/s1', 'Appointment/a1/_history/2'] },
  { name: 'transaction', record: { interaction: 'transaction', action: 'E', method: 'POST', path: '/fhir', resources: [{ type: 'Appointment', id: 'a1', versionId: 2 }, { type: 'ServiceRequest', id: 'sr1', versionId: 1 }] },
    type: code.REST, subtype: [rest('transaction')], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['ServiceRequest/sr1/_history/1'] },
  { name: 'operation $hold', record: { interaction: 'operation', operation: '$hold', action: 'E', method: 'POST', path: '/fhir/Slot/s1/$hold', resources: [{ type: 'Slot', id: 's1', versionId: 2 }], patients: [] },
    type: code.REST, subtype: [rest('operation'), { system: code.ENVELOPE_OPERATION, code: '$hold' }], action: 'E', outcome: '0',
    client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.INFORMATION_RECIPIENT, refs: ['Slot/s1/_history/2'] },
  { name: 'capabilities', record: { interaction: 'capabilities', path: '/fhir/metadata', resources: [], patients: [], principal: undefined },
    type: code.REST, subtype: [rest('capabilities')], action: 'R', outcome: '0', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: undefined },
  { name: 'login success (SAML)', record: { interaction: 'login', action: 'E', method: 'POST', path: '/auth/saml/acs', resources: [], patients: [],
    principal: staff({ authMethod: 'saml', tokenId: undefined, sessionId: 'sess-secret-1' }), saml: { assertionId: STAFF.assertionId, authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard' } },
    type: code.USER_AUTHENTICATION, subtype: [code.LOGIN], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.HUMAN_USER },
  { name: 'login failure', record: { interaction: 'login', action: 'E', method: 'POST', path: '/auth/saml/acs', principal: undefined, ...refused(401, 'The identity provider did not assert a smartcard authentication') },
    type: code.USER_AUTHENTICATION, subtype: [code.LOGIN], action: 'E', outcome: '4', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: undefined },
  { name: 'logout', record: { interaction: 'logout', action: 'E', method: 'POST', path: '/auth/logout', resources: [], patients: [], principal: staff({ authMethod: 'saml' }) },
    type: code.USER_AUTHENTICATION, subtype: [code.LOGOUT], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.HUMAN_USER },
  { name: 'token grant', record: { interaction: 'token', action: 'E', method: 'POST', path: '/auth/token', resources: [], patients: [], principal: system() },
    type: code.USER_AUTHENTICATION, subtype: [code.GET_ACCESS_TOKEN], action: 'E', outcome: '0', client: code.APPLICATION, server: code.AUTHZ_SERVER, user: undefined },
  { name: 'claim-relationship', record: { interaction: 'claim-relationship', action: 'E', method: 'POST', path: '/fhir/Patient/p1/$claim-relationship', resources: [{ type: 'Patient', id: 'p1' }] },
    type: code.SECURITY_ALERT, subtype: [code.CLAIM_RELATIONSHIP], action: 'E', outcome: '0', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.HUMAN_USER, refs: ['Patient/p1'] },
  { name: '401 without a principal', record: { principal: undefined, ...refused(401, 'A bearer token is required') },
    type: code.REST, subtype: [rest('read')], action: 'R', outcome: '4', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: undefined },
  { name: '403', record: refused(403, 'The role gp-clinician may not read Consent', { path: '/fhir/Consent/c1' }),
    type: code.REST, subtype: [rest('read')], action: 'R', outcome: '4', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT },
  { name: '404 for hidden data', record: refused(404, 'Appointment/a2 is not known', { path: '/fhir/Appointment/a2' }),
    type: code.REST, subtype: [rest('read')], action: 'R', outcome: '4', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT },
  { name: '409', record: { interaction: 'create', action: 'C', method: 'POST', path: '/fhir/Appointment', ...refused(409, 'The slot is already booked') },
    type: code.REST, subtype: [rest('create')], action: 'C', outcome: '4', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR },
  { name: '412', record: { interaction: 'update', action: 'U', method: 'PUT', ...refused(412, 'If-Match W/"3" does not match version 4') },
    type: code.REST, subtype: [rest('update')], action: 'U', outcome: '4', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR },
  { name: '422', record: { interaction: 'create', action: 'C', method: 'POST', path: '/fhir/Appointment', ...refused(422, 'Appointment.status: "maybe" is not a code of value set appointmentstatus') },
    type: code.REST, subtype: [rest('create')], action: 'C', outcome: '4', client: code.SOURCE_ROLE, server: code.DESTINATION_ROLE, user: code.AUTHOR },
  { name: '500', record: { outcome: { code: '12', status: 500, text: 'Internal error' }, resources: [], patients: [] },
    type: code.REST, subtype: [rest('read')], action: 'R', outcome: '12', client: code.DESTINATION_ROLE, server: code.SOURCE_ROLE, user: code.INFORMATION_RECIPIENT },
];

describe('audit/balp auditEventsFor: one AuditEvent per interaction kind', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.type.code}/${c.subtype.map((s) => s.code).join('+')}, action ${c.action}, outcome ${c.outcome}, valid R4`, () => {
      const r = record(c.record);
      const events = auditEventsFor(r);
      assert.ok(events.length >= 1);
      for (const e of events) {
        assertValidR4(e);
        assert.equal(e.resourceType, 'AuditEvent');
        assert.ok(has([e.type], c.type), `type ${JSON.stringify(e.type)}`);
        assert.deepEqual(e.subtype?.map((s) => `${s.system}|${s.code}`), c.subtype.map((s) => `${s.system}|${s.code}`));
        assert.equal(e.action, c.action);
        assert.equal(e.recorded, r.recorded);
        assert.equal(e.outcome, c.outcome);
        if (c.outcome === '0') assert.equal(e.outcomeDesc, undefined);
        else assert.equal(e.outcomeDesc, r.outcome.text);

        // Agents: the client with its address, the server, and the person when there is one.
        const client = agentOfType(e, c.client);
        assert.ok(client, 'client agent');
        assert.equal(client.network?.address, STAFF.address);
        assert.equal(client.network?.type, '2');
        const server = agentOfType(e, c.server);
        assert.ok(server, 'server agent');
        assert.equal(server.requestor, false);
        assert.equal(server.network?.address, 'https://envelope.test/fhir');
        assert.equal(server.network?.type, '5');
        assert.equal(requestors(e).length, 1, 'exactly one requestor');
        if (c.user) {
          const user = agentOfType(e, c.user);
          assert.ok(user, 'user agent');
          assert.equal(user.requestor, true);
          assert.equal(user.network, undefined, 'BALP: users are not network devices');
          assert.equal(client.requestor, false);
        } else {
          assert.equal(e.agent.filter((a) => a.type?.coding?.some((t) => [code.INFORMATION_RECIPIENT.code, code.AUTHOR.code, code.HUMAN_USER.code].includes(t.code!))).length, 0);
          assert.equal(client.requestor, true, 'the client asked for itself');
        }
        assert.equal(e.source.site, 'envelope.test');
        assert.ok(has(e.source.type, code.APPLICATION_SERVER));

        // The request id, with what was asked and what was answered.
        const txn = entityOfType(e, code.X_REQUEST_ID);
        assert.deepEqual(txn?.what?.identifier, { system: code.REQUEST_ID, value: STAFF.requestId });
        const detail = Object.fromEntries((txn?.detail ?? []).map((d) => [d.type, d.valueString]));
        assert.deepEqual(detail, { 'http-method': r.method, 'http-path': r.path, 'http-status': String(r.outcome.status) });
      }
      const refs = events.flatMap(references);
      for (const ref of c.refs ?? []) assert.ok(refs.includes(ref), `${ref} in ${refs.join(', ')}`);
    });
  }

  it('a refused request with no OperationOutcome text still says what failed', () => {
    const [e] = auditEventsFor(record({ outcome: { code: '4', status: 403 } }));
    assert.equal(e!.outcomeDesc, 'HTTP 403');
  });

  it('records the user as BALP says: issuer as identifier system, sub as value, role, organisation, purpose, token id', () => {
    const [e] = auditEventsFor(record({ principal: staff({ roleProfileId: STAFF.roleProfileId }) }));
    const user = agentOfType(e!, code.INFORMATION_RECIPIENT)!;
    assert.ok(has(user.type?.coding, code.USER_OAUTH_AGENT));
    assert.deepEqual(user.who?.identifier, { system: STAFF.issuer, value: STAFF.sub });
    assert.equal(user.who?.reference, STAFF.fhirUser);
    assert.deepEqual(user.role?.map((r) => r.coding?.[0]), [
      { system: code.ENVELOPE_ROLE, code: 'gp-clinician' },
      { system: code.SDS_ROLE_PROFILE, code: STAFF.roleProfileId },
    ]);
    assert.deepEqual(user.purposeOfUse, [{ coding: [{ system: code.ACT_REASON, code: 'TREAT' }] }]);
    assert.deepEqual(user.policy, [STAFF.tokenId]);
    const org = agentOfType(e!, code.HEALTHCARE_PROVIDER)!;
    assert.deepEqual(org.who?.identifier, { system: code.ODS_ORGANIZATION, value: 'A81001' });
    assert.equal(org.requestor, false);
    const client = agentOfType(e!, code.DESTINATION_ROLE)!;
    assert.equal(client.who?.display, STAFF.userAgent, 'a browser client is named by its user agent');
  });

  it('SAML sign-on carries the assertion id as the user agent policy and the authentication context as ihe-assuranceLevel', () => {
    const authn = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';
    const [e] = auditEventsFor(record({
      interaction: 'login', action: 'E', resources: [], patients: [],
      principal: staff({ authMethod: 'saml', tokenId: undefined, sessionId: 'sess-secret-1' }),
      saml: { assertionId: STAFF.assertionId, authnContext: authn },
    }));
    const user = requestors(e!)[0]!;
    assert.ok(has(user.type?.coding, code.USER_SAML_AGENT));
    assert.deepEqual(user.policy, [STAFF.assertionId]);
    assert.deepEqual(user.extension, [{ url: code.BALP_ASSURANCE_LEVEL, valueCodeableConcept: { text: authn } }]);
    assert.ok(!JSON.stringify(e).includes('sess-secret-1'), 'the session id is a credential and is never recorded');
  });

  it('a token grant records the client id and the issued token id on the requesting client, and no credential from the form', () => {
    const assertion = 'eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJlcnMifQ.c2lnbmF0dXJl';
    const [e] = auditEventsFor(record({
      interaction: 'token', action: 'E', method: 'POST', path: '/auth/token', resources: [], patients: [], principal: system(),
      query: `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${assertion}&scope=system%2FSlot.rs`,
    }));
    const client = agentOfType(e!, code.APPLICATION)!;
    assert.equal(client.requestor, true);
    assert.deepEqual(client.who?.identifier, { system: code.CLIENT_ID, value: 'ers-referrals' });
    assert.deepEqual(client.policy, ['jti-sys-2231']);
    assert.deepEqual(client.role?.[0]?.coding?.[0], { system: code.ENVELOPE_ROLE, code: 'referral-system' });
    const q = entitiesWithRole(e!, code.QUERY_ROLE)[0]!;
    const decoded = Buffer.from(q.query!, 'base64').toString('utf8');
    assert.ok(decoded.startsWith('grant_type=client_credentials&client_assertion_type='), decoded);
    assert.ok(decoded.includes('scope=system%2FSlot.rs'));
    assert.ok(!JSON.stringify(e).includes(assertion) && !decoded.includes(assertion), 'the client assertion is not recorded');
  });

  it('an unknown interaction name is recorded anyway, as an application activity naming it', () => {
    const [e] = auditEventsFor(record({ interaction: 'bulk export', action: 'E' }));
    assertValidR4(e!);
    assert.ok(has([e!.type], code.APPLICATION_ACTIVITY));
    assert.deepEqual(e!.subtype, [{ system: code.ENVELOPE_AUDIT, code: 'bulk-export' }]);
  });

  it('masked or withheld data is recorded as a policy entity with one detail per reason', () => {
    const [e] = auditEventsFor(record({ masked: ['sealed-envelope', 'consent-deny'] }));
    assertValidR4(e!);
    const policy = entitiesWithRole(e!, code.SECURITY_RESOURCE)[0]!;
    assert.deepEqual(policy.detail, [{ type: 'masked', valueString: 'sealed-envelope' }, { type: 'masked', valueString: 'consent-deny' }]);
    const [plain] = auditEventsFor(record());
    assert.equal(entitiesWithRole(plain!, code.SECURITY_RESOURCE).length, 0);
  });

  it('addresses are typed: IPv4 and IPv6 as IP (2), URLs as URI (5), anything else as a machine name (1)', () => {
    const typeOf = (address: string) => agentOfType(auditEventsFor(record({ client: { address } }))[0]!, code.DESTINATION_ROLE)!.network!.type;
    assert.equal(typeOf('192.0.2.1'), '2');
    assert.equal(typeOf('2001:db8::8a2e:370:7334'), '2');
    assert.equal(typeOf('::ffff:192.0.2.1'), '2');
    assert.equal(typeOf('https://proxy.example'), '5');
    assert.equal(typeOf('gateway-3.nhs.internal'), '1');
  });

  it('a client with no address and no user agent is still named (BALP: who 1..1)', () => {
    const [e] = auditEventsFor(record({ client: {} }));
    assertValidR4(e!);
    const client = agentOfType(e!, code.DESTINATION_ROLE)!;
    assert.equal(client.who?.display, 'unidentified client');
    assert.equal(client.network, undefined);
  });
});
