// The patient's "who looked at my record" view: staff reduced to role and organisation, nothing that
// identifies a staff member or their device surviving, and only the patient's own resources.
import assert from 'node:assert/strict';
import { alertEvent } from '../../../src/audit/alerts.js';
import { auditEventsFor } from '../../../src/audit/balp.js';
import * as code from '../../../src/audit/codes.js';
import { NotAboutThisPatientError, forPatient } from '../../../src/audit/patient-view.js';
import type { r4 } from '../../../src/domain/fhir.js';
import { STAFF, assertValidR4, has, record, references, staff, system } from './fixtures.js';

/** Every string that identifies the staff member, their session or their device. */
const IDENTIFYING = [STAFF.sub, STAFF.issuer, STAFF.fhirUser, 'pr-77', STAFF.roleProfileId, STAFF.tokenId, STAFF.assertionId,
  STAFF.address, STAFF.userAgent, 'TrustGP', STAFF.requestId, 'Smithfield', 'sess-secret-1'];

function fullyLoadedEvent(patient = 'p1'): r4.AuditEvent {
  const [e] = auditEventsFor(record({
    interaction: 'search-type', action: 'R', path: '/fhir/Appointment', query: STAFF.query,
    principal: staff({ authMethod: 'saml', roleProfileId: STAFF.roleProfileId, sessionId: 'sess-secret-1', authnContext: 'AAL3_ANY' }),
    saml: { assertionId: STAFF.assertionId, authnContext: 'AAL3_ANY' },
    outcome: { code: '4', status: 403, text: `user ${STAFF.sub} has no relationship` },
    patients: [patient], resources: [{ type: 'Appointment', id: 'a1', versionId: 2 }, { type: 'Practitioner', id: 'pr-77' }],
    masked: ['sealed-envelope'],
  }));
  return e!;
}

const json = (x: unknown) => JSON.stringify(x);

describe('audit/patient-view forPatient (role-and-organisation)', () => {
  it('keeps when, what, outcome, role, organisation, purpose and the patient\'s own resources', () => {
    const source = fullyLoadedEvent();
    const view = forPatient(source, 'p1', { staff: 'role-and-organisation' });
    assertValidR4(view);
    assert.equal(view.recorded, source.recorded);
    assert.equal(view.action, 'E');
    assert.equal(view.outcome, '4');
    assert.deepEqual(view.type, source.type);
    assert.deepEqual(view.subtype, source.subtype);
    const [person] = view.agent.filter((a) => a.requestor);
    assert.deepEqual(person!.role, [{ coding: [{ system: code.ENVELOPE_ROLE, code: 'gp-clinician' }] }]);
    assert.deepEqual(person!.purposeOfUse, [{ coding: [{ system: code.ACT_REASON, code: 'TREAT' }] }]);
    const org = view.agent.find((a) => has(a.type?.coding, code.HEALTHCARE_PROVIDER));
    assert.deepEqual(org?.who, { identifier: { system: code.ODS_ORGANIZATION, value: 'A81001' } });
    assert.deepEqual(references(view), ['Patient/p1', 'Appointment/a1/_history/2']);
    assert.ok(has(view.meta?.security, code.REDACTED));
  });

  it('lets nothing through that identifies the staff member, their device or the request', () => {
    const source = fullyLoadedEvent();
    for (const s of IDENTIFYING.filter((x) => x !== 'sess-secret-1')) assert.ok(json(source).includes(s) || s === 'Smithfield', `fixture check: ${s} is in the source event`);
    const view = json(forPatient(source, 'p1', { staff: 'role-and-organisation' }));
    for (const s of IDENTIFYING) assert.ok(!view.includes(s), `${s} leaked into the patient's view: ${view}`);
    assert.ok(!view.includes(Buffer.from(STAFF.query).toString('base64')), 'query bytes');
    assert.ok(!view.includes('sealed-envelope'), 'the policy\'s reasons');
    assert.ok(!view.includes('"network"') && !view.includes('"policy"') && !view.includes('"outcomeDesc"'));
  });

  it('shows a patient none of another patient\'s data from a search that spanned both', () => {
    const events = auditEventsFor(record({
      interaction: 'search-type', action: 'R', path: '/fhir/Appointment', query: 'date=2025-03-04',
      patients: ['p1', 'p2'], resources: [{ type: 'Patient', id: 'p1' }, { type: 'Patient', id: 'p2' }, { type: 'Appointment', id: 'a1' }, { type: 'Appointment', id: 'a2' }],
    }));
    const views = events.map((e, i) => json(forPatient(e, `p${i + 1}`, { staff: 'role-and-organisation' })));
    assert.ok(!views[0]!.includes('p2') && !views[1]!.includes('p1'));
    // Appointments nobody attributed are in the trail but shown to neither patient.
    assert.ok(!views[0]!.includes('Appointment/a') && !views[1]!.includes('Appointment/a'));
  });

  it('refuses an event that is not about the patient', () => {
    const other = fullyLoadedEvent('p2');
    assert.throws(() => forPatient(other, 'p1', { staff: 'role-and-organisation' }), NotAboutThisPatientError);
    const [noPatient] = auditEventsFor(record({ patients: [], resources: [{ type: 'Slot', id: 's1' }] }));
    assert.throws(() => forPatient(noPatient!, 'p1', { staff: 'role-and-organisation' }), NotAboutThisPatientError);
    // A resource merely marked with the patient is not enough: the event must name them as its patient.
    const forged: r4.AuditEvent = { ...noPatient!, entity: [{ what: { reference: 'Patient/p1' }, type: code.SYSTEM_OBJECT, role: code.DOMAIN_RESOURCE }] };
    assert.throws(() => forPatient(forged, 'p1', { staff: 'role-and-organisation' }), NotAboutThisPatientError);
  });

  it('drops a system client\'s identity and software too, keeping its role and organisation', () => {
    const [e] = auditEventsFor(record({ principal: system() }));
    const view = forPatient(e!, 'p1', { staff: 'role-and-organisation' });
    assertValidR4(view);
    const text = json(view);
    for (const s of ['ers-referrals', 'jti-sys-2231', STAFF.userAgent, STAFF.address]) assert.ok(!text.includes(s), s);
    assert.ok(text.includes('referral-system') && text.includes('X26'));
  });

  it('an unauthenticated attempt on the patient\'s record shows as such, without the client\'s address', () => {
    const [e] = auditEventsFor(record({ principal: undefined, outcome: { code: '4', status: 401, text: 'A bearer token is required' } }));
    const view = forPatient(e!, 'p1', { staff: 'role-and-organisation' });
    assertValidR4(view);
    assert.equal(view.agent.filter((a) => a.requestor).length, 1);
    assert.ok(!json(view).includes(STAFF.address));
  });

  it('keeps security labels the event already had, and adds REDACTED once', () => {
    const source = { ...fullyLoadedEvent(), meta: { security: [{ system: code.ACT_REASON, code: 'HTEST' }, code.REDACTED] } };
    const view = forPatient(source, 'p1', { staff: 'role-and-organisation' });
    assert.deepEqual(view.meta?.security?.map((c) => c.code), ['HTEST', 'REDACTED']);
  });

  it('does not change the event it was given', () => {
    const source = fullyLoadedEvent();
    const before = json(source);
    forPatient(source, 'p1', { staff: 'role-and-organisation' });
    assert.equal(json(source), before);
  });

  it('works on an alert about the patient: who and the stated reason are the privacy officer\'s, not the patient\'s', () => {
    const alert = alertEvent('break-glass', { who: staff(), patient: 'p1', reason: 'Unconscious in A&E', at: '2025-03-04T10:00:00Z', address: STAFF.address, requestId: STAFF.requestId });
    const view = forPatient(alert, 'p1', { staff: 'role-and-organisation' });
    assertValidR4(view);
    const text = json(view);
    for (const s of [STAFF.sub, STAFF.address, STAFF.requestId, 'Unconscious']) assert.ok(!text.includes(s), s);
    assert.ok(text.includes('BTG'));
  });
});

describe('audit/patient-view forPatient (full)', () => {
  it('shows who the staff member is but still no device, session, token, query or request id', () => {
    const view = forPatient(fullyLoadedEvent(), 'p1', { staff: 'full' });
    assertValidR4(view);
    const [person] = view.agent.filter((a) => a.requestor);
    assert.deepEqual(person!.who?.identifier, { system: STAFF.issuer, value: STAFF.sub });
    assert.ok(person!.role?.some((r) => r.coding?.[0]?.code === STAFF.roleProfileId));
    const text = json(view);
    for (const s of [STAFF.tokenId, STAFF.assertionId, STAFF.address, STAFF.userAgent, STAFF.requestId, 'Smithfield', 'AAL3_ANY']) {
      assert.ok(!text.includes(s), `${s} leaked`);
    }
    assert.ok(has(view.meta?.security, code.REDACTED));
  });

  it('does not show a system client\'s id or software as if it were a person', () => {
    const [e] = auditEventsFor(record({ principal: system() }));
    const text = json(forPatient(e!, 'p1', { staff: 'full' }));
    assert.ok(!text.includes('ers-referrals') && !text.includes(STAFF.userAgent));
  });
});
