// What `npm run seed` plans to upload: the estate's setup writes, grouped by the identity that may
// write them; everything under one --token for a server without those roles; dependency order for
// servers without transactions.
import assert from 'node:assert/strict';
import { loadSuite } from '../../scripts/conformance/load-suite.js';
import { dependencyOrder, planSeed, referencesOf, SeedPlanError } from '../../scripts/conformance/seed-plan.js';

const BASE = 'http://fhir.test/r4';
const builtins = { runId: 'r1', runStart: '2030-01-01T00:00:00.000Z' };

describe('conformance: seed plan', () => {
  const estate = loadSuite('estate');

  it("the estate: one batch per identity of the setup, each resource under its own id", () => {
    const { batches, unset } = planSeed(estate, { base: BASE, builtins, vars: { estateToken: 'E', pasToken: 'P', gpSystemToken: 'G' } });
    assert.deepEqual(unset, []);
    assert.deepEqual(batches.map((b) => [b.identity, b.headers['authorization'], b.items.length]), [
      ['Bearer ${estateToken}', 'Bearer E', 23],
      ['Bearer ${pasToken}', 'Bearer P', 27],
      ['Bearer ${gpSystemToken}', 'Bearer G', 4],
    ]);
    const all = batches.flatMap((b) => b.items);
    assert.ok(all.every((i) => i.method === 'PUT' && i.url === `${i.resourceType}/${i.resource.id as string}`));
    assert.equal(new Set(all.map((i) => i.url)).size, 54);
    // Dates are filled in: slots two weeks from today.
    const slot = all.find((i) => i.fixtureId === 'slot-card-d1-0900')!;
    assert.match(slot.url, /^Slot\/est-slot-card-\d{4}-\d{2}-\d{2}-0900$/);
    assert.match(slot.resource.start as string, /^\d{4}-\d{2}-\d{2}T09:00:00Z$/);
    assert.ok(!JSON.stringify(all).includes('${'), 'no variable left unfilled');
  });

  it('with only --token, everything goes in one batch, and the unset identities are named', () => {
    const { batches, unset } = planSeed(estate, { base: BASE, builtins, token: 'T' });
    assert.deepEqual(batches.map((b) => [b.identity, b.headers['authorization'], b.items.length]), [['Bearer --token', 'Bearer T', 54]]);
    assert.deepEqual(unset, ['estateToken', 'gpSystemToken', 'pasToken']);
  });

  it("another suite's setup writes: the estate fixtures it loads; a fixture built from a response cannot be seeded", () => {
    const { batches } = planSeed(loadSuite('publish-slots'), { base: BASE, builtins, vars: { estateToken: 'E', pasToken: 'P' } });
    assert.deepEqual(batches.map((b) => [b.identity, b.items.map((i) => i.url).join(' ')]), [
      ['Bearer ${estateToken}', 'Organization/est-org-rr8 Location/est-loc-sjuh HealthcareService/est-hs-rr8-cardiology Practitioner/est-prac-okafor'],
      ['Bearer ${pasToken}', 'Schedule/est-sch-rr8-cardiology'],
      ['Bearer ${estateToken}', 'Organization/est-org-rhq Location/est-loc-ngh HealthcareService/est-hs-rhq-cardiology'],
    ]);
    assert.throws(() => planSeed(loadSuite('reschedule'), { base: BASE, builtins, token: 'T' }),
      (e: unknown) => e instanceof SeedPlanError && /suite reschedule cannot be seeded: fixture booking-a needs variable referralId has no value/.test(e.message));
  });

  it('dependency order: each resource after those it references, otherwise as given', () => {
    const r = (type: string, id: string, refs: string[] = []) => ({ resource: { resourceType: type, id, ref: refs.map((x) => ({ reference: x })) } });
    const items = [r('Slot', 's', ['Schedule/sch']), r('Patient', 'p'), r('Schedule', 'sch', ['HealthcareService/hs']), r('HealthcareService', 'hs', ['Organization/o']), r('Organization', 'o')];
    assert.deepEqual(dependencyOrder(items).map((i) => i.resource.id), ['p', 'o', 'hs', 'sch', 's']);
    const cycle = [r('Alpha', 'a', ['Beta/b']), r('Beta', 'b', ['Alpha/a']), r('Gamma', 'c')];
    assert.deepEqual(dependencyOrder(cycle).map((i) => i.resource.id), ['c', 'a', 'b']);
    assert.deepEqual([...referencesOf({ a: { reference: 'Patient/1/_history/2' }, b: [{ reference: 'urn:uuid:x' }, { reference: 'http://x/Patient/2' }] })], ['Patient/1']);
  });
});
