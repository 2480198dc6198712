// The WriteRules entry point with an in-memory reader: the paths the default role policy cannot
// reach over HTTP (deletes), the dispatch, and the end-of-transaction checks.
import assert from 'node:assert/strict';
import { FhirError } from '../../src/domain/errors.js';
import type { Resource } from '../../src/domain/fhir.js';
import type { Principal } from '../../src/domain/principal.js';
import type { Cond, SearchRequest } from '../../src/domain/search-types.js';
import { bookingRules } from '../../src/scheduling/booking-rules.js';
import type { RuleContext, RuleReader, StoredResource, WriteIntent } from '../../src/scheduling/port.js';

const principal: Principal = { sub: 'dr-jones', organization: 'A81001', authMethod: 'jwt', role: 'gp-clinician', scopes: [] };
const NOW = new Date('2031-01-01T08:00:00Z');
const rules = bookingRules({ holdMinutes: 5 });

/** Stored resources by Type/id, searched with just the conditions the rules build. */
function readerOver(resources: Resource[]): RuleReader {
  const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, { resource: r, versionId: 1, deleted: false } as StoredResource]));
  const values = (r: Record<string, any>, p: string): string[] => {
    if (p === 'status') return [r.status];
    if (p === 'slot') return (r.slot ?? []).map((s: any) => s.reference);
    if (p === 'based-on') return (r.basedOn ?? []).map((s: any) => s.reference);
    throw new Error(`test reader: no parameter ${p}`);
  };
  const holds = (r: Resource, c: Cond): boolean => {
    if (c.k !== 'idx') throw new Error(`test reader: no condition ${c.k}`);
    return values(r as Record<string, any>, c.p).some((v) => c.tests.every((t) => (t.op === 'eq' ? v === t.v : t.op === 'in' ? t.v.includes(v) : false)));
  };
  return {
    read: async (type, id) => byKey.get(`${type}/${id}`),
    search: async (req: SearchRequest) => [...byKey.values()].filter((s) => req.types.includes(s.resource.resourceType) && req.where.every((c) => holds(s.resource, c))),
  };
}

const ctx = (reader: RuleReader): RuleContext => ({ reader, principal, now: NOW });
const stored = (resource: Resource): StoredResource => ({ resource, versionId: 1, deleted: false });

async function refusal(p: Promise<unknown>): Promise<FhirError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof FhirError);
    return e;
  }
  assert.fail('expected a refusal');
}

const appointment = (status: string): Resource => ({
  resourceType: 'Appointment', id: 'a1', status, slot: [{ reference: 'Slot/s1' }], start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z',
  basedOn: [{ reference: 'ServiceRequest/r1' }], participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
} as Resource);

describe('scheduling: booking rules (entry point)', () => {
  it('leaves other resource types unchanged', async () => {
    const intent: WriteIntent = { kind: 'create', type: 'Patient', id: 'p', resource: { resourceType: 'Patient', id: 'p' } };
    assert.deepEqual(await rules.check(intent, ctx(readerOver([]))), { followUps: [] });
  });

  it('an operation without a rule is 501, so no operation can write unchecked', async () => {
    const e = await refusal(rules.check({ kind: 'update', type: 'Slot', id: 's', operation: '$release', current: stored({ resourceType: 'Slot', id: 's' }) }, ctx(readerOver([]))));
    assert.equal(e.status, 501);
  });

  it('an appointment that has its slots cannot be deleted; a cancelled one can', async () => {
    const e = await refusal(rules.check({ kind: 'delete', type: 'Appointment', id: 'a1', current: stored(appointment('booked')) }, ctx(readerOver([]))));
    assert.equal(e.status, 422);
    assert.deepEqual(e.issues[0]!.expression, ['Appointment']);
    await rules.check({ kind: 'delete', type: 'Appointment', id: 'a1', current: stored(appointment('cancelled')) }, ctx(readerOver([])));
  });

  it('a referral with upcoming appointments cannot be deleted (revoke it instead)', async () => {
    const referral = { resourceType: 'ServiceRequest', id: 'r1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } } as Resource;
    const e = await refusal(rules.check({ kind: 'delete', type: 'ServiceRequest', id: 'r1', current: stored(referral) }, ctx(readerOver([appointment('booked')]))));
    assert.match(e.message, /revoke/);
    await rules.check({ kind: 'delete', type: 'ServiceRequest', id: 'r1', current: stored(referral) }, ctx(readerOver([appointment('cancelled')])));
  });

  it("a Slot's missing Schedule is checked at the end of the transaction, where a later entry may have created it", async () => {
    const slot = { resourceType: 'Slot', id: 's9', schedule: { reference: 'Schedule/later' }, status: 'free', start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z' } as Resource;
    const missing = await rules.check({ kind: 'create', type: 'Slot', id: 's9', resource: slot }, ctx(readerOver([])));
    assert.equal(missing.deferred?.length, 1);
    const e = await refusal(missing.deferred![0]!());
    assert.equal(e.issues[0]!.details?.code, 'REFERENCE_NOT_FOUND');
    // Present from the start: nothing is deferred.
    const present = await rules.check({ kind: 'create', type: 'Slot', id: 's9', resource: slot }, ctx(readerOver([{ resourceType: 'Schedule', id: 'later' } as Resource])));
    assert.deepEqual(present.deferred, []);
  });

  it('revoking a referral cancels its upcoming appointments and frees their slots, each guarded by the version read', async () => {
    const referral = { resourceType: 'ServiceRequest', id: 'r1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } } as Resource;
    const slot = { resourceType: 'Slot', id: 's1', schedule: { reference: 'Schedule/x' }, status: 'busy', start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z' } as Resource;
    const out = await rules.check(
      { kind: 'update', type: 'ServiceRequest', id: 'r1', resource: { ...referral, status: 'revoked' } as Resource, current: stored(referral) },
      ctx(readerOver([appointment('booked'), slot])),
    );
    assert.deepEqual(out.followUps.map((f) => [`${f.resource.resourceType}/${f.resource.id}`, (f.resource as any).status, f.ifMatch]), [
      ['Appointment/a1', 'cancelled', 1],
      ['Slot/s1', 'free', 1],
    ]);
    // What the access layer raises when the version moved before its guarded write.
    assert.deepEqual(out.followUps.map((f) => [f.onConflict.status, f.onConflict.issues[0]!.code]), [[409, 'conflict'], [409, 'conflict']]);
    assert.match(out.followUps[0]!.onConflict.message, /Appointment\/a1 changed while its referral was being ended/);
  });

  it("a booking claims its slot guarded by the version read; a claim that loses the race is 409 duplicate at the slot's reference", async () => {
    const referral = { resourceType: 'ServiceRequest', id: 'r1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } } as Resource;
    const slot = { resourceType: 'Slot', id: 's1', schedule: { reference: 'Schedule/x' }, status: 'free', start: '2031-02-01T09:00:00Z', end: '2031-02-01T09:15:00Z' } as Resource;
    const out = await rules.check({ kind: 'create', type: 'Appointment', id: 'a1', resource: appointment('booked') }, ctx(readerOver([referral, slot])));
    assert.deepEqual(out.followUps.map((f) => [`${f.resource.resourceType}/${f.resource.id}`, (f.resource as any).status, f.ifMatch]), [['Slot/s1', 'busy', 1]]);
    const lost = out.followUps[0]!.onConflict;
    assert.ok(lost instanceof FhirError);
    assert.equal(lost.status, 409);
    assert.equal(lost.issues[0]!.code, 'duplicate');
    assert.deepEqual(lost.issues[0]!.expression, ['Appointment.slot[0]']);
    assert.match(lost.message, /Slot\/s1 was booked by someone else at the same moment/);
    // Raised as one error, however often it is asked for.
    assert.equal(out.followUps[0]!.onConflict, lost);
  });
});
