// How provisions and consents combine: bases, specificity and ties, which consents are in force,
// purposes a denial bites on (the national data opt-out), the deny-by-default deployment,
// appointments about several patients, and grouping of identical rules. All against a real store.
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { r4 } from '../../../src/domain/fhir.js';
import type { Cond } from '../../../src/domain/search-types.js';
import { consentWhere, consentsInForce } from '../../../src/policy/consent/index.js';
import type { Store } from '../../../src/store/port.js';
import {
  ALL, NDOO, NOW, access, action, allBut, consent, optInDeployment, optOutDeployment, openFixtureStore, resourceClass, snomed, typeParams,
  visibleAll, visibleIds,
} from './support.js';

const EVERYTHING_OF_PA = ['pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'];
const EVERYTHING_OF_PB = ['pb', 'sr-b1', 'ap-b1'];
const NOTHING = { Patient: [], ServiceRequest: [], Appointment: [] };
const onlyServiceRequests = [resourceClass('ServiceRequest')];

describe('policy/consent: combining provisions and consents (against a real SQLite store)', function () {
  this.timeout(30_000);
  let store: Store;
  beforeEach(async () => { store = await openFixtureStore(); });
  afterEach(() => store.close());

  describe('bases', () => {
    it('opt-out (policyRule OPTOUT) with no provision denies all of the patient\'s data, and only theirs', async () => {
      expect(await visibleAll(store, [consent('c1', 'pa', undefined, { policyRule: 'OPTOUT' })])).to.deep.equal(allBut(...EVERYTHING_OF_PA));
    });

    it('opt-out with a nested permit lets through exactly what the permit matches', async () => {
      const c = consent('c1', 'pa', { provision: [{ type: 'permit', actor: [{ role: { text: 'r' }, reference: { reference: 'Organization/org-a' } }], class: onlyServiceRequests }] }, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('pa', 'ap-a1', 'ap-a2'));
      expect(await visibleAll(store, [c], access({ organizationRefs: ['Organization/org-b'] }))).to.deep.equal(allBut(...EVERYTHING_OF_PA));
    });

    it('opt-in deployment (base deny): a patient without consent is denied, an opt-in consent lets its patient through', async () => {
      expect(await visibleAll(store, [], access(), optInDeployment)).to.deep.equal(NOTHING);
      expect(await visibleAll(store, [consent('c1', 'pa', undefined, { policyRule: 'OPTIN' })], access(), optInDeployment))
        .to.deep.equal(allBut(...EVERYTHING_OF_PB));
    });

    it('a consent without OPTIN/OPTOUT takes the deployment\'s base', async () => {
      const c = consent('c1', 'pa', { provision: [{ type: 'permit', class: onlyServiceRequests }] }, { policyUri: 'urn:example:local-policy' });
      expect(await visibleAll(store, [c], access(), optInDeployment)).to.deep.equal({ Patient: [], ServiceRequest: ['sr-a1', 'sr-a2', 'sr-a3'], Appointment: [] });
      const d = consent('c1', 'pa', { provision: [{ type: 'deny', class: onlyServiceRequests }] }, { policyUri: 'urn:example:local-policy' });
      expect(await visibleAll(store, [d], access(), optOutDeployment)).to.deep.equal(allBut('sr-a1', 'sr-a2', 'sr-a3'));
    });

    it('several consents and no provision matching: deny if any base denies', async () => {
      const optIn = consent('c1', 'pa', undefined, { policyRule: 'OPTIN' });
      const optOut = consent('c2', 'pa', undefined, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [optIn, optOut])).to.deep.equal(allBut(...EVERYTHING_OF_PA));
    });

    it('the root scopes the consent: where it does not match, the consent says nothing and the deployment decides', async () => {
      // Shape of the official consent-example-Out: opt-out for one organisation.
      const c = consent('c1', 'pa', { actor: [{ role: { text: 'r' }, reference: { reference: 'Organization/org-b' } }] }, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [c])).to.deep.equal(ALL);
      expect(await visibleAll(store, [c], access({ organizationRefs: ['Organization/org-b'] }))).to.deep.equal(allBut(...EVERYTHING_OF_PA));
      expect(await visibleAll(store, [c], access(), optInDeployment)).to.deep.equal(NOTHING);
      // A resource-level root (only referrals) leaves the rest to the deployment.
      const srOnly = consent('c2', 'pa', { class: onlyServiceRequests }, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [srOnly])).to.deep.equal(allBut('sr-a1', 'sr-a2', 'sr-a3'));
    });

    it('nested provisions apply only where their ancestors match', async () => {
      const c = consent('c1', 'pa', {
        provision: [{ type: 'permit', class: onlyServiceRequests, provision: [{ type: 'deny', code: [snomed('X1')] }] }],
      }, { policyRule: 'OPTOUT' });
      // The deny of X1 sits under "referrals": ap-a1 (service type X1) is not a referral, so the base decides it.
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a3', 'ap-a1', 'ap-a2'));
    });

    it('the legacy shape with a type on the root (official consent-example-notOrg) is read as the decision where the root matches', async () => {
      const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
      const notOrg = JSON.parse(readFileSync(join(dir, 'Consent-consent-example-notOrg.json'), 'utf8')) as r4.Consent;
      const mine = { ...notOrg, patient: { reference: 'Patient/pa' } };
      expect(await visibleAll(store, [mine], access({ organizationRefs: ['Organization/f001'] }))).to.deep.equal(allBut(...EVERYTHING_OF_PA));
      expect(await visibleAll(store, [mine])).to.deep.equal(ALL);
    });
  });

  describe('specificity', () => {
    it('the deeper provision wins', async () => {
      const c = consent('c1', 'pa', { provision: [{ type: 'deny', class: onlyServiceRequests, provision: [{ type: 'permit', code: [snomed('X1')] }] }] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a2'));
    });

    it('at the same depth, the provision stating more elements wins', async () => {
      const c = consent('c1', 'pa', { provision: [
        { type: 'deny', class: onlyServiceRequests },
        { type: 'permit', class: onlyServiceRequests, code: [snomed('X1')] },
      ] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a2'));
      // Order in the resource does not matter.
      const reversed = { ...c, provision: { provision: [...c.provision!.provision!].reverse() } };
      expect(await visibleAll(store, [reversed])).to.deep.equal(allBut('sr-a2'));
    });

    it('a tie between permit and deny is a deny, within one consent and across consents', async () => {
      const both = consent('c1', 'pa', { provision: [{ type: 'permit', class: onlyServiceRequests }, { type: 'deny', class: onlyServiceRequests }] });
      expect(await visibleAll(store, [both])).to.deep.equal(allBut('sr-a1', 'sr-a2', 'sr-a3'));
      const permits = consent('c1', 'pa', { provision: [{ type: 'permit', code: [snomed('X1')] }] }, { policyRule: 'OPTOUT' });
      const denies = consent('c2', 'pa', { provision: [{ type: 'deny', code: [snomed('X1')] }] }, { policyRule: 'OPTIN' });
      // X1 resources: tie → deny. The rest: no provision matches, c1's base denies.
      expect(await visibleAll(store, [permits, denies])).to.deep.equal(allBut(...EVERYTHING_OF_PA));
      const permitsOnly = consent('c2', 'pa', { provision: [{ type: 'permit', code: [snomed('X2')] }] }, { policyRule: 'OPTIN' });
      expect(await visibleAll(store, [permits, permitsOnly])).to.deep.equal(allBut('pa'));
    });

    it('a nested provision without a type decides nothing, but its children still apply under it', async () => {
      const c = consent('c1', 'pa', { provision: [{ class: onlyServiceRequests, provision: [{ type: 'deny', code: [snomed('X2')] }] }] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a2'));
    });
  });

  describe('which consents are in force', () => {
    const deny = (o: Parameters<typeof consent>[3], provision?: r4.ConsentProvision) => consent('c1', 'pa', provision, { policyRule: 'OPTOUT', ...o });

    it('ignores consents that are not active, of another scope, not about a local patient, not yet issued or outside their period', async () => {
      const ignored: r4.Consent[] = [
        deny({ status: 'inactive' }), deny({ status: 'draft' }), deny({ status: 'proposed' }), deny({ status: 'rejected' }), deny({ status: 'entered-in-error' }),
        deny({ scope: 'research' }), deny({ scope: 'treatment' }),
        deny({ patient: null }), { ...deny({}), patient: { reference: 'https://elsewhere.example/Patient/pa' } },
        { ...deny({}), patient: { reference: 'Group/pa' } },
        deny({ dateTime: '2025-06-02' }),
        deny({}, { period: { end: '2025-05-31T23:59:59Z' } }),
        deny({}, { period: { start: '2025-06-01T12:00:01Z' } }),
        // 13:00 at +02:00 is 11:00 UTC, an hour before now.
        deny({}, { period: { end: '2025-06-01T13:00:00+02:00' } }),
      ];
      for (const c of ignored) expect(await visibleAll(store, [c]), JSON.stringify(c)).to.deep.equal(ALL);
      expect(consentsInForce(ignored, NOW)).to.deep.equal([]);
    });

    it('keeps an active consent issued earlier today and within its root period', async () => {
      const c = deny({ dateTime: '2025-06-01' }, { period: { start: '2025-01', end: '2025' } });
      expect(consentsInForce([c], NOW)).to.deep.equal([c]);
      const zoned = deny({ dateTime: '2025-06-01T13:30:00+02:00' }, { period: { start: '2025-06-01T13:00:00+02:00', end: '2025-06-01T08:00:00-04:00' } });
      expect(consentsInForce([zoned], NOW)).to.deep.equal([zoned]);
      expect(await visibleAll(store, [c])).to.deep.equal(allBut(...EVERYTHING_OF_PA));
    });
  });

  describe('denials and purposes', () => {
    const nationalOptOut = consent('ndoo', 'pa', undefined, { policyRule: 'OPTOUT', policyUri: NDOO });

    it('the national data opt-out does not block direct care (referrals, bookings) but blocks research', async () => {
      expect(await visibleAll(store, [nationalOptOut])).to.deep.equal(ALL);
      expect(await visibleAll(store, [nationalOptOut], access({ purposes: [] }))).to.deep.equal(ALL);
      expect(await visibleAll(store, [nationalOptOut], access({ purposes: ['ETREAT', 'BTG'] }))).to.deep.equal(ALL);
      expect(await visibleAll(store, [nationalOptOut], access({ purposes: ['HRESCH'] }))).to.deep.equal(allBut(...EVERYTHING_OF_PA));
      expect(await visibleAll(store, [nationalOptOut], access({ purposes: ['TREAT', 'HOPERAT'] }))).to.deep.equal(allBut(...EVERYTHING_OF_PA));
    });

    it('a deny provision under the national opt-out is skipped for direct care, so a less specific permit or the base decides', async () => {
      const c = consent('ndoo', 'pa', { provision: [{ type: 'deny', class: onlyServiceRequests }] }, { policyRule: 'OPTIN', policyUri: NDOO });
      expect(await visibleAll(store, [c])).to.deep.equal(ALL);
      expect(await visibleAll(store, [c], access({ purposes: ['HRESCH'] }))).to.deep.equal(allBut('sr-a1', 'sr-a2', 'sr-a3'));
    });

    it('a deployment restricting denials to research lets a patient\'s own opt-out through for treatment', async () => {
      const researchOnly = { ...optOutDeployment, denialPurposes: ['HRESCH'] };
      const c = consent('c1', 'pa', undefined, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [c], access(), researchOnly)).to.deep.equal(ALL);
      expect(await visibleAll(store, [c], access({ purposes: ['HRESCH'] }), researchOnly)).to.deep.equal(allBut(...EVERYTHING_OF_PA));
      // The deployment's own deny base follows the same rule.
      expect(await visibleAll(store, [], access(), { ...researchOnly, base: 'deny' })).to.deep.equal(ALL);
      expect(await visibleAll(store, [], access({ purposes: ['HRESCH'] }), { ...researchOnly, base: 'deny' })).to.deep.equal(NOTHING);
    });
  });

  describe('appointments about several patients and the deny-by-default deployment', () => {
    const shared: r4.Appointment = {
      resourceType: 'Appointment', id: 'ap-ab', status: 'booked', start: '2024-03-01T09:00:00Z', end: '2024-03-01T09:30:00Z',
      participant: [{ actor: { reference: 'Patient/pa' }, status: 'accepted' }, { actor: { reference: 'Patient/pb' }, status: 'accepted' }],
    };
    const noPatient: r4.Appointment = {
      resourceType: 'Appointment', id: 'ap-none', status: 'booked', start: '2024-03-01T10:00:00Z', end: '2024-03-01T10:30:00Z',
      participant: [{ actor: { reference: 'Practitioner/dr1' }, status: 'accepted' }],
    };
    beforeEach(async () => { await store.transaction(async (tx) => { await tx.create(shared as never); await tx.create(noPatient as never); }); });

    it('an appointment is visible only if every patient it is about permits', async () => {
      const optOut = consent('c1', 'pa', undefined, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [optOut])).to.deep.include({ Appointment: ['ap-b1', 'ap-none'] });
      expect(await visibleAll(store, [])).to.deep.include({ Appointment: ['ap-a1', 'ap-a2', 'ap-ab', 'ap-b1', 'ap-none'] });
    });

    it('under a deny base, a resource about any patient without a permitting consent is hidden', async () => {
      const optIn = consent('c1', 'pa', undefined, { policyRule: 'OPTIN' });
      expect(await visibleAll(store, [optIn], access(), optInDeployment)).to.deep.equal({
        Patient: ['pa'], ServiceRequest: ['sr-a1', 'sr-a2', 'sr-a3'], Appointment: ['ap-a1', 'ap-a2', 'ap-none'],
      });
      const both = [optIn, consent('c2', 'pb', undefined, { policyRule: 'OPTIN' })];
      expect((await visibleAll(store, both, access(), optInDeployment)).Appointment).to.deep.equal(['ap-a1', 'ap-a2', 'ap-ab', 'ap-b1', 'ap-none']);
    });
  });

  describe('the compiled condition', () => {
    const facts = (consents: r4.Consent[]) => ({ consents, related: new Map<string, string[]>() });

    it('is TRUE for types consent does not govern, and when no consent restricts this access', () => {
      const optOut = consent('c1', 'pa', undefined, { policyRule: 'OPTOUT' });
      for (const type of ['Consent', 'AuditEvent', 'Slot', 'Schedule', 'Organization']) {
        expect(consentWhere(type, facts([optOut]), access(), optOutDeployment, typeParams)).to.deep.equal({ k: 'true' });
      }
      expect(consentWhere('Patient', facts([]), access(), optOutDeployment, typeParams)).to.deep.equal({ k: 'true' });
      const permitted = consent('c1', 'pa', { provision: [{ type: 'deny', action: [action('disclose')] }] });
      expect(consentWhere('ServiceRequest', facts([permitted]), access(), optOutDeployment, typeParams)).to.deep.equal({ k: 'true' });
    });

    it('groups patients whose rules are identical into one patient test', async () => {
      const patients = Array.from({ length: 200 }, (_, i) => `p${String(i).padStart(3, '0')}`);
      await store.transaction(async (tx) => {
        for (const p of patients) {
          await tx.create({ resourceType: 'Patient', id: p } as never);
          await tx.create({ resourceType: 'ServiceRequest', id: `sr-${p}`, status: 'active', intent: 'order', subject: { reference: `Patient/${p}` } } as never);
        }
      });
      const optOuts = patients.filter((_, i) => i % 2 === 0).map((p) => consent(`c-${p}`, p, undefined, { policyRule: 'OPTOUT' }));
      // The same rule in another shape joins the group; a different rule makes a second one.
      const sameRule = consent('c-pb', 'pb', { provision: [{ type: 'deny', class: onlyServiceRequests }] });
      const otherRule = consent('c-pa', 'pa', { provision: [{ type: 'deny', code: [snomed('X1')] }] });
      const cond = consentWhere('ServiceRequest', facts([...optOuts, sameRule, otherRule]), access(), optOutDeployment, typeParams);
      const patientTests = collect(cond, (c) => c.k === 'idx' && c.p === 'patient');
      expect(patientTests).to.have.length(2);
      const sizes = patientTests.map((c) => (c.k === 'idx' && c.tests[0]!.op === 'in' ? c.tests[0]!.v.length : 1)).sort((a, b) => a - b);
      expect(sizes).to.deep.equal([1, 101]);
      const visible = await visibleIds(store, 'ServiceRequest', cond);
      expect(visible).to.deep.equal([...patients.filter((_, i) => i % 2 === 1).map((p) => `sr-${p}`), 'sr-a2'].sort());
    });
  });
});

/** Every node of the condition tree satisfying `pred`. */
function collect(c: Cond, pred: (c: Cond) => boolean): Cond[] {
  const here = pred(c) ? [c] : [];
  switch (c.k) {
    case 'and': case 'or': return [...here, ...c.of.flatMap((x) => collect(x, pred))];
    case 'not': case 'policy': return [...here, ...collect(c.of, pred)];
    case 'chain': case 'has': return [...here, ...collect(c.where, pred)];
    default: return here;
  }
}
