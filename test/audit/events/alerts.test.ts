// Alerts for privacy officers, and the detector of repeated refusals.
import assert from 'node:assert/strict';
import { ALERT_KINDS, RefusalCounter, alertEvent } from '../../../src/audit/alerts.js';
import * as code from '../../../src/audit/codes.js';
import { STAFF, agentOfType, assertValidR4, entitiesWithRole, has, references, requestors, staff, system } from './fixtures.js';

const AT = '2025-03-04T10:15:30.000Z';

describe('audit/alerts alertEvent', () => {
  it('break glass: type alert, subtypes break-glass and DICOM Emergency Override Started, BTG, who in full, patient, reason', () => {
    const e = alertEvent('break-glass', {
      who: staff({ purposeOfUse: 'ETREAT' }), patient: 'p1', reason: 'Unconscious in A&E, no relationship yet', at: new Date(AT),
      address: STAFF.address, requestId: STAFF.requestId, observer: { name: 'envelope.test', version: '0.1.0' },
    });
    assertValidR4(e);
    assert.deepEqual(e.type, code.ALERT);
    assert.equal(e.type.system, 'https://envelope.example/fhir/CodeSystem/audit-event');
    assert.equal(e.type.code, 'alert');
    assert.ok(has(e.subtype, { system: code.ENVELOPE_AUDIT, code: 'break-glass' }));
    assert.ok(has(e.subtype, code.EMERGENCY_OVERRIDE_STARTED));
    assert.equal(e.recorded, AT);
    assert.equal(e.outcome, '0');
    assert.deepEqual(e.purposeOfEvent?.map((p) => p.coding?.[0]?.code), ['ETREAT', 'BTG']);
    const [who] = requestors(e);
    assert.deepEqual(who!.who?.identifier, { system: STAFF.issuer, value: STAFF.sub });
    assert.deepEqual(who!.role?.[0]?.coding?.[0], { system: code.ENVELOPE_ROLE, code: 'gp-clinician' });
    assert.deepEqual(agentOfType(e, code.HEALTHCARE_PROVIDER)?.who?.identifier, { system: code.ODS_ORGANIZATION, value: 'A81001' });
    assert.equal(agentOfType(e, code.APPLICATION)?.network?.address, STAFF.address);
    assert.deepEqual(references(e), ['Patient/p1']);
    const finding = entitiesWithRole(e, code.SECURITY_RESOURCE)[0]!;
    assert.deepEqual(finding.detail, [{ type: 'reason', valueString: 'Unconscious in A&E, no relationship yet' }]);
    assert.match(finding.description!, /break glass.*Patient\/p1/);
    assert.ok((e.entity ?? []).some((x) => x.what?.identifier?.value === STAFF.requestId));
    assert.equal(e.source.observer.display, 'envelope.test 0.1.0');
  });

  it('self-claimed relationship: its own subtype, the claimant and the reason', () => {
    const e = alertEvent('self-claimed-relationship', { who: staff(), patient: 'p1', reason: 'Seen in clinic today', at: AT });
    assertValidR4(e);
    assert.deepEqual(e.subtype?.map((s) => s.code), ['self-claimed-relationship']);
    assert.deepEqual(e.purposeOfEvent?.map((p) => p.coding?.[0]?.code), ['TREAT']);
    assert.equal(requestors(e)[0]!.who?.identifier?.value, STAFF.sub);
    assert.equal(e.source.observer.display, 'Envelope');
  });

  it('repeated refusals of an unauthenticated client: the address is the requestor, with the count and window', () => {
    const e = alertEvent('repeated-refusals', { address: '198.51.100.9', count: 20, windowMs: 600_000, reason: 'A bearer token is required', at: AT });
    assertValidR4(e);
    assert.equal(e.outcome, '4');
    const [client] = requestors(e);
    assert.deepEqual(client!.who, { display: 'unauthenticated client' });
    assert.deepEqual(client!.network, { address: '198.51.100.9', type: '2' });
    const finding = entitiesWithRole(e, code.SECURITY_RESOURCE)[0]!;
    assert.deepEqual(Object.fromEntries(finding.detail!.map((d) => [d.type, d.valueString])), { reason: 'A bearer token is required', count: '20', 'window-ms': '600000' });
    assert.equal(finding.description, '20 refused requests within 600 s');
    assert.equal(e.purposeOfEvent, undefined);
  });

  it('repeated refusals of a system client name it by client id', () => {
    const e = alertEvent('repeated-refusals', { who: system(), count: 5, windowMs: 60_000, at: AT });
    assertValidR4(e);
    assert.deepEqual(requestors(e)[0]!.who?.identifier, { system: code.CLIENT_ID, value: 'ers-referrals' });
  });

  it('every kind gives a valid event with the alert type, even with only a time', () => {
    for (const kind of ALERT_KINDS) {
      const e = alertEvent(kind, { at: AT });
      assertValidR4(e);
      assert.equal(e.type.code, 'alert');
      assert.equal(e.subtype?.[0]?.code, kind);
    }
  });

  it('refuses a time that is not a date', () => {
    assert.throws(() => alertEvent('break-glass', { at: 'yesterday-ish' }), RangeError);
  });
});

describe('audit/alerts RefusalCounter', () => {
  const t0 = Date.parse(AT);
  const at = (ms: number) => new Date(t0 + ms);

  it('raises once when a subject reaches the threshold within the window', () => {
    const c = new RefusalCounter({ threshold: 3, windowMs: 60_000 });
    assert.deepEqual(c.record('user-a', at(0)), { alert: false, count: 1 });
    assert.deepEqual(c.record('user-a', at(1_000)), { alert: false, count: 2 });
    assert.deepEqual(c.record('user-a', at(2_000)), { alert: true, count: 3 });
    assert.deepEqual(c.record('user-a', at(3_000)), { alert: false, count: 3 }, 'not again within the window');
  });

  it('does not count refusals that have left the window', () => {
    const c = new RefusalCounter({ threshold: 3, windowMs: 10_000 });
    c.record('user-a', at(0));
    c.record('user-a', at(5_000));
    assert.deepEqual(c.record('user-a', at(10_001)), { alert: false, count: 2 }, 'the first refusal has left the window');
    assert.deepEqual(c.record('user-a', at(12_000)), { alert: true, count: 3 });
  });

  it('raises again only after a window has passed since the last alert, while refusals go on', () => {
    const c = new RefusalCounter({ threshold: 3, windowMs: 10_000 });
    const alerts: number[] = [];
    for (let s = 0; s <= 30; s++) if (c.record('user-a', at(s * 1_000)).alert) alerts.push(s);
    assert.deepEqual(alerts, [2, 12, 22]);
  });

  it('keeps subjects apart', () => {
    const c = new RefusalCounter({ threshold: 2, windowMs: 60_000 });
    c.record('user-a', at(0));
    assert.deepEqual(c.record('user-b', at(1)), { alert: false, count: 1 });
    assert.deepEqual(c.record('user-a', at(2)), { alert: true, count: 2 });
    assert.deepEqual(c.record('user-b', at(3)), { alert: true, count: 2 });
  });

  it('a threshold of one raises on the first refusal and then once per window', () => {
    const c = new RefusalCounter({ threshold: 1, windowMs: 1_000 });
    assert.equal(c.record('k', at(0)).alert, true);
    assert.equal(c.record('k', at(999)).alert, false);
    assert.equal(c.record('k', at(1_000)).alert, true);
  });

  it('forgets subjects whose window has passed, so memory follows recent refusals only', () => {
    const c = new RefusalCounter({ threshold: 5, windowMs: 1_000 });
    for (let i = 0; i < 500; i++) c.record(`addr-${i}`, at(i % 10));
    assert.equal(c.size, 500);
    c.record('late', at(5_000));
    assert.equal(c.size, 1);
    // A forgotten subject starts afresh.
    assert.deepEqual(c.record('addr-1', at(5_001)), { alert: false, count: 1 });
  });

  it('never tracks more than maxSubjects, dropping the least recently refused', () => {
    const c = new RefusalCounter({ threshold: 2, windowMs: 3_600_000, maxSubjects: 100 });
    for (let i = 0; i < 1_000; i++) c.record(`addr-${i}`, at(i));
    assert.equal(c.size, 100);
    assert.deepEqual(c.record('addr-999', at(1_000)), { alert: true, count: 2 }, 'a recent subject is still tracked');
    assert.deepEqual(c.record('addr-0', at(1_001)), { alert: false, count: 1 }, 'the oldest was dropped');
  });

  it('keeps at most threshold times per subject however fast it is refused', () => {
    const c = new RefusalCounter({ threshold: 4, windowMs: 3_600_000 });
    let last = { alert: false, count: 0 };
    for (let i = 0; i < 10_000; i++) last = c.record('flood', at(i));
    assert.equal(last.count, 4);
  });

  it('rejects nonsense options and dates', () => {
    assert.throws(() => new RefusalCounter({ threshold: 0, windowMs: 1_000 }), RangeError);
    assert.throws(() => new RefusalCounter({ threshold: 2.5, windowMs: 1_000 }), RangeError);
    assert.throws(() => new RefusalCounter({ threshold: 2, windowMs: 0 }), RangeError);
    assert.throws(() => new RefusalCounter({ threshold: 2, windowMs: Number.NaN }), RangeError);
    assert.throws(() => new RefusalCounter({ threshold: 2, windowMs: 10, maxSubjects: 0 }), RangeError);
    assert.throws(() => new RefusalCounter({ threshold: 2, windowMs: 10 }).record('k', new Date('nope')), RangeError);
  });
});
