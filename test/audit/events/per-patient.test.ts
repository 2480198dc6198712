// One AuditEvent per patient; which resources each lists; the raw query; end users asserted by a system.
import assert from 'node:assert/strict';
import { auditEventsFor } from '../../../src/audit/balp.js';
import type { TouchedResource } from '../../../src/audit/balp-entities.js';
import * as code from '../../../src/audit/codes.js';
import type { r4 } from '../../../src/domain/fhir.js';
import { STAFF, agentOfType, assertValidR4, entitiesWithRole, record, references, requestors, system } from './fixtures.js';

const patientsOf = (e: r4.AuditEvent) => entitiesWithRole(e, code.PATIENT_ROLE).map((x) => x.what?.reference);
const search = (patients: string[], resources: TouchedResource[], query: string = STAFF.query) =>
  record({ interaction: 'search-type', action: 'R', path: '/fhir/Appointment', query, patients, resources });

describe('audit/balp: one AuditEvent per patient', () => {
  it('a search that returned nobody\'s data gives one event with no patient entity', () => {
    const events = auditEventsFor(search([], []));
    assert.equal(events.length, 1);
    assertValidR4(events[0]!);
    assert.deepEqual(patientsOf(events[0]!), []);
    assert.equal(entitiesWithRole(events[0]!, code.QUERY_ROLE).length, 1);
  });

  it('a search of one patient\'s data gives one event naming that patient and listing their resources', () => {
    const events = auditEventsFor(search(['p1'], [{ type: 'Appointment', id: 'a1', versionId: 2 }, { type: 'Slot', id: 's1' }]));
    assert.equal(events.length, 1);
    assertValidR4(events[0]!);
    assert.deepEqual(patientsOf(events[0]!), ['Patient/p1']);
    assert.deepEqual(references(events[0]!), ['Patient/p1', 'Appointment/a1/_history/2', 'Slot/s1']);
  });

  it('a search spanning three patients gives three events, each naming one patient and only their own resources', () => {
    const resources: TouchedResource[] = [
      { type: 'Patient', id: 'p1', versionId: 1 }, { type: 'Appointment', id: 'a1', patient: 'p1' },
      { type: 'Patient', id: 'p2', versionId: 1 }, { type: 'Appointment', id: 'a2', patient: 'p2' },
      { type: 'Appointment', id: 'a3', patient: 'p3' }, { type: 'Practitioner', id: 'pr-77' },
    ];
    const events = auditEventsFor(search(['p1', 'p2', 'p3'], resources));
    assert.equal(events.length, 3);
    assert.deepEqual(events.map(patientsOf), [['Patient/p1'], ['Patient/p2'], ['Patient/p3']]);
    assert.deepEqual(references(events[0]!), ['Patient/p1', 'Patient/p1/_history/1', 'Appointment/a1', 'Practitioner/pr-77']);
    assert.deepEqual(references(events[1]!), ['Patient/p2', 'Patient/p2/_history/1', 'Appointment/a2', 'Practitioner/pr-77']);
    assert.deepEqual(references(events[2]!), ['Patient/p3', 'Appointment/a3', 'Practitioner/pr-77']);
    for (const e of events) {
      assertValidR4(e);
      // The rest of the event is the same request: same agents, same query, same request id.
      assert.deepEqual(e.agent, events[0]!.agent);
      assert.deepEqual(entitiesWithRole(e, code.QUERY_ROLE), entitiesWithRole(events[0]!, code.QUERY_ROLE));
    }
  });

  it('when the access layer did not say whose each resource is, no patient\'s event lists another patient\'s resource', () => {
    const events = auditEventsFor(search(['p1', 'p2'], [
      { type: 'Patient', id: 'p1' }, { type: 'Patient', id: 'p2' }, { type: 'Appointment', id: 'a1' }, { type: 'Appointment', id: 'a2' },
    ]));
    assert.equal(events.length, 2);
    const [e1, e2] = events;
    assert.ok(!references(e1!).includes('Patient/p2/_history/1') && !references(e1!).some((r) => r.startsWith('Patient/p2')));
    assert.ok(!references(e2!).some((r) => r.startsWith('Patient/p1')));
    // Unattributable appointments stay in the audit trail (both events list them) but are marked as nobody's.
    for (const e of events) {
      const appts = (e.entity ?? []).filter((x) => x.what?.reference?.startsWith('Appointment/'));
      assert.equal(appts.length, 2);
      assert.ok(appts.every((x) => x.detail === undefined));
    }
  });

  it('patients are also taken from the resources: a Patient read, or a resource attributed to a patient', () => {
    const events = auditEventsFor(record({ patients: [], resources: [{ type: 'Patient', id: 'p9' }, { type: 'Consent', id: 'c1', patient: 'p8' } as TouchedResource] }));
    assert.deepEqual(events.map(patientsOf), [['Patient/p9'], ['Patient/p8']]);
  });

  it('events are independent objects: changing one does not change another', () => {
    const [a, b] = auditEventsFor(search(['p1', 'p2'], []));
    a!.agent[0]!.requestor = false;
    (a!.entity![1]!.detail ??= []).push({ type: 'x', valueString: 'y' });
    assert.equal(requestors(b!).length, 1);
    assert.notDeepEqual(a!.entity![1], b!.entity![1]);
  });
});

describe('audit/balp: the query entity', () => {
  it('holds the raw query string base64-encoded, byte for byte, with the request line as description', () => {
    const raw = "name=O'Brien&birthdate=ge1950-01-01&_elements=id,name&x=%3Cscript%3E&ü=é";
    const [e] = auditEventsFor(search([], [], raw));
    const q = entitiesWithRole(e!, code.QUERY_ROLE)[0]!;
    assert.deepEqual(q.type, code.SYSTEM_OBJECT);
    assert.equal(Buffer.from(q.query!, 'base64').toString('utf8'), raw);
    assert.equal(q.description, 'GET /fhir/Appointment');
    assert.equal(q.what, undefined, 'BALP: a query entity has no what');
  });

  it('a search without parameters still has a query entity, without query bytes', () => {
    const [e] = auditEventsFor(search([], [], ''));
    assertValidR4(e!);
    const q = entitiesWithRole(e!, code.QUERY_ROLE)[0]!;
    assert.equal(q.query, undefined);
  });

  it('a read records no query entity unless parameters came with it', () => {
    assert.equal(entitiesWithRole(auditEventsFor(record())[0]!, code.QUERY_ROLE).length, 0);
    const [withParams] = auditEventsFor(record({ query: '_format=json' }));
    assert.equal(Buffer.from(entitiesWithRole(withParams!, code.QUERY_ROLE)[0]!.query!, 'base64').toString(), '_format=json');
  });
});

describe('audit/balp: an end user asserted by a registered system', () => {
  it('makes the end user the requestor and the system the client agent carrying the token id', () => {
    const principal = system({ role: 'gp-clinician', organization: 'RXX01', endUser: { id: 'sds-user-555', organization: 'RXX01', role: 'R8000' } });
    const [e] = auditEventsFor(record({ principal }));
    assertValidR4(e!);
    const [user] = requestors(e!);
    assert.ok(user);
    assert.deepEqual(user.who, { identifier: { value: 'sds-user-555' } });
    assert.deepEqual(user.role, [{ coding: [{ system: code.ENVELOPE_ROLE, code: 'gp-clinician' }] }, { text: 'R8000' }]);
    assert.equal(user.policy, undefined, 'the token is the system\'s, not the end user\'s');
    const client = agentOfType(e!, code.DESTINATION_ROLE)!;
    assert.equal(client.requestor, false);
    assert.deepEqual(client.who?.identifier, { system: code.CLIENT_ID, value: 'ers-referrals' });
    assert.deepEqual(client.policy, ['jti-sys-2231']);
    assert.deepEqual(agentOfType(e!, code.HEALTHCARE_PROVIDER)!.who?.identifier, { system: code.ODS_ORGANIZATION, value: 'RXX01' });
  });

  it('a system acting for nobody is itself the requestor, with its role and purpose', () => {
    const [e] = auditEventsFor(record({ principal: system() }));
    const [client] = requestors(e!);
    assert.ok(client && agentOfType(e!, code.DESTINATION_ROLE) === client);
    assert.deepEqual(client.purposeOfUse, [{ coding: [{ system: code.ACT_REASON, code: 'TREAT' }] }]);
    assert.equal(agentOfType(e!, code.INFORMATION_RECIPIENT), undefined);
  });
});
