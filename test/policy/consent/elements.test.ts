// One test per provision element: pa holds an opt-in consent whose single nested provision denies
// what the element states. Each test shows what the element hides from a matching access, that a
// non-matching access sees everything, and that pb's data is never touched.
import { expect } from 'chai';
import type { Store } from '../../../src/store/port.js';
import { relatedTargets } from '../../../src/policy/consent/index.js';
import {
  ACT_CODE, ALL, NOW, ODS, ROLE_SYSTEM, access, action, allBut, confidentiality, consent, denyOnly, openFixtureStore, purpose, referencesIn,
  resourceClass, snomed, visibleAll,
} from './support.js';

describe('policy/consent: one provision element at a time (against a real SQLite store)', function () {
  this.timeout(30_000);
  let store: Store;
  beforeEach(async () => { store = await openFixtureStore(); });
  afterEach(() => store.close());

  it('baseline: an opt-in consent with no nested provision hides nothing', async () => {
    expect(await visibleAll(store, [consent('c1', 'pa', {}, { policyRule: 'OPTIN' })])).to.deep.equal(ALL);
  });

  describe('actor', () => {
    it('organisation by reference: denies the principal whose Organization it names, nobody else', async () => {
      const c = denyOnly({ actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] }, reference: { reference: 'Organization/org-a' } }] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'));
      expect(await visibleAll(store, [c], access({ organization: 'B82002', organizationRefs: ['Organization/org-b'] }))).to.deep.equal(ALL);
    });

    it('organisation by ODS identifier (a logical reference): matches the principal\'s ODS code exactly', async () => {
      const c = denyOnly({ actor: [{ role: { text: 'recipient' }, reference: { type: 'Organization', identifier: { system: ODS, value: 'A81001' } } }] });
      expect((await visibleAll(store, [c])).ServiceRequest).to.deep.equal(['sr-b1']);
      expect((await visibleAll(store, [c], access({ organization: 'A81002', organizationRefs: [] }))).ServiceRequest).to.deep.equal(ALL.ServiceRequest);
      // The same value under another identifier system is not an ODS code.
      const other = denyOnly({ actor: [{ role: { text: 'r' }, reference: { identifier: { system: 'urn:other', value: 'A81001' } } }] });
      expect((await visibleAll(store, [other])).ServiceRequest).to.deep.equal(ALL.ServiceRequest);
    });

    it('practitioner and practitioner role: the principal\'s own Practitioner or PractitionerRole', async () => {
      const byPractitioner = denyOnly({ actor: [{ role: { text: 'r' }, reference: { reference: 'Practitioner/dr1' } }] });
      expect((await visibleAll(store, [byPractitioner])).Appointment).to.deep.equal(['ap-b1']);
      expect((await visibleAll(store, [byPractitioner], access({ practitionerRef: 'Practitioner/dr2' }))).Appointment).to.deep.equal(ALL.Appointment);
      const byRole = denyOnly({ actor: [{ role: { text: 'r' }, reference: { reference: 'PractitionerRole/pr1/_history/3' } }] });
      expect((await visibleAll(store, [byRole])).Patient).to.deep.equal(['pb']);
      expect((await visibleAll(store, [byRole], access({ practitionerRoleRefs: ['PractitionerRole/pr2'] }))).Patient).to.deep.equal(ALL.Patient);
      // An absolute URL is another server's resource, even with the same Type/id.
      const remote = denyOnly({ actor: [{ role: { text: 'r' }, reference: { reference: 'https://elsewhere.example/fhir/Practitioner/dr1' } }] });
      expect((await visibleAll(store, [remote])).Patient).to.deep.equal(ALL.Patient);
    });

    it('role: an Envelope role coding matches the principal\'s role; combined with a reference, both must hold', async () => {
      const clerks = denyOnly({ actor: [{ role: { coding: [{ system: ROLE_SYSTEM, code: 'booking-clerk' }] }, reference: { display: 'any booking clerk' } }] });
      expect(await visibleAll(store, [clerks], access({ role: 'booking-clerk' }))).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'));
      expect(await visibleAll(store, [clerks])).to.deep.equal(ALL);
      const clerksOfB = denyOnly({ actor: [{ role: { coding: [{ system: ROLE_SYSTEM, code: 'booking-clerk' }] }, reference: { reference: 'Organization/org-b' } }] });
      expect(await visibleAll(store, [clerksOfB], access({ role: 'booking-clerk' }))).to.deep.equal(ALL);
      expect((await visibleAll(store, [clerksOfB], access({ role: 'booking-clerk', organizationRefs: ['Organization/org-b'] }))).Patient).to.deep.equal(['pb']);
    });

    it('an actor naming no one Envelope can recognise matches nobody (a role of another system, a display only)', async () => {
      const vague = denyOnly({ actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] }, reference: { display: 'Dr Who' } }] });
      expect(await visibleAll(store, [vague])).to.deep.equal(ALL);
    });

    it('several actors: any one of them matching is enough', async () => {
      const c = denyOnly({ actor: [
        { role: { text: 'r' }, reference: { reference: 'Organization/org-z' } },
        { role: { text: 'r' }, reference: { reference: 'Practitioner/dr1' } },
      ] });
      expect((await visibleAll(store, [c])).Patient).to.deep.equal(['pb']);
    });
  });

  it('action: matches the access\'s consent action only', async () => {
    const c = denyOnly({ action: [action('disclose'), action('correct')] });
    expect(await visibleAll(store, [c])).to.deep.equal(ALL);
    expect(await visibleAll(store, [c], access({ action: 'disclose' }))).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'));
    // The right code under another system is not a consent action.
    const wrongSystem = denyOnly({ action: [{ coding: [{ system: 'urn:x', code: 'access' }] }] });
    expect(await visibleAll(store, [wrongSystem])).to.deep.equal(ALL);
  });

  describe('purpose', () => {
    it('matches when the access carries the purpose', async () => {
      const c = denyOnly({ purpose: [purpose('HRESCH')] });
      expect(await visibleAll(store, [c])).to.deep.equal(ALL);
      expect((await visibleAll(store, [c], access({ purposes: ['HRESCH'] }))).ServiceRequest).to.deep.equal(['sr-b1']);
    });

    it('several purposes: the access must carry all of them', async () => {
      const c = denyOnly({ purpose: [purpose('HRESCH'), purpose('HOPERAT')] });
      expect(await visibleAll(store, [c], access({ purposes: ['HRESCH'] }))).to.deep.equal(ALL);
      expect(await visibleAll(store, [c], access({ purposes: ['HOPERAT', 'TREAT'] }))).to.deep.equal(ALL);
      expect((await visibleAll(store, [c], access({ purposes: ['HOPERAT', 'HRESCH'] }))).ServiceRequest).to.deep.equal(['sr-b1']);
    });

    it('an access asserting no purpose is taken to carry the deployment\'s default purpose', async () => {
      const c = denyOnly({ purpose: [purpose('TREAT')] });
      expect((await visibleAll(store, [c], access({ purposes: [] }))).Patient).to.deep.equal(['pb']);
    });
  });

  describe('securityLabel', () => {
    it('confidentiality is a high-water mark: R covers R and below, and unlabelled data counts as N', async () => {
      const c = denyOnly({ securityLabel: [confidentiality('R')] });
      // ap-a2 is V, above R; everything else of pa is R, L or unlabelled (N).
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1'));
    });

    it('an opt-out permitting label N shares exactly the data at N or below (docs/consent.md example 5)', async () => {
      const c = consent('c1', 'pa', { provision: [{ type: 'permit', securityLabel: [confidentiality('N')] }] }, { policyRule: 'OPTOUT' });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a2', 'ap-a2'));
    });

    it('a label below N covers only data labelled at or below it, never unlabelled data', async () => {
      const c = denyOnly({ securityLabel: [confidentiality('M')] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a3'));
    });

    it('data carrying two confidentiality labels is as confidential as the higher one', async () => {
      await store.transaction(async (tx) => {
        await tx.create({ resourceType: 'ServiceRequest', id: 'sr-a4', status: 'active', intent: 'order', subject: { reference: 'Patient/pa' },
          meta: { security: [confidentiality('L'), confidentiality('R')] } } as never);
      });
      const m = denyOnly({ securityLabel: [confidentiality('M')] });
      expect((await visibleAll(store, [m])).ServiceRequest).to.deep.equal(['sr-a1', 'sr-a2', 'sr-a4', 'sr-b1']);
      const r = denyOnly({ securityLabel: [confidentiality('R')] });
      expect((await visibleAll(store, [r])).ServiceRequest).to.deep.equal(['sr-b1']);
    });

    it('V covers everything; an unknown confidentiality code covers nothing', async () => {
      expect(await visibleAll(store, [denyOnly({ securityLabel: [confidentiality('V')] })])).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'));
      expect(await visibleAll(store, [denyOnly({ securityLabel: [confidentiality('Q')] })])).to.deep.equal(ALL);
    });

    it('sensitivity codes match exactly by system and code', async () => {
      expect(await visibleAll(store, [denyOnly({ securityLabel: [{ system: ACT_CODE, code: 'PSY' }] })])).to.deep.equal(allBut('sr-a3'));
      expect(await visibleAll(store, [denyOnly({ securityLabel: [{ system: ACT_CODE, code: 'HIV' }] })])).to.deep.equal(ALL);
      expect(await visibleAll(store, [denyOnly({ securityLabel: [{ code: 'PSY' }] })])).to.deep.equal(ALL);
    });
  });

  it('class: a resource type takes the provision onto that type only; any other class matches nothing here', async () => {
    expect(await visibleAll(store, [denyOnly({ class: [resourceClass('Appointment')] })])).to.deep.equal(allBut('ap-a1', 'ap-a2'));
    expect(await visibleAll(store, [denyOnly({ class: [resourceClass('Appointment'), resourceClass('Patient')] })])).to.deep.equal(allBut('ap-a1', 'ap-a2', 'pa'));
    expect(await visibleAll(store, [denyOnly({ class: [{ system: 'urn:oid:2.16.840.1.113883.6.1', code: '34133-9' }] })])).to.deep.equal(ALL);
  });

  it('code: matches a referral\'s code and an appointment\'s service type, specialty, type or reason; never a Patient', async () => {
    expect(await visibleAll(store, [denyOnly({ code: [snomed('X1')] })])).to.deep.equal(allBut('sr-a1', 'sr-a3', 'ap-a1'));
    expect(await visibleAll(store, [denyOnly({ code: [snomed('X2')] })])).to.deep.equal(allBut('sr-a2', 'ap-a2'));
    expect(await visibleAll(store, [denyOnly({ code: [{ coding: [{ system: 'urn:other', code: 'X1' }] }] })])).to.deep.equal(ALL);
  });

  describe('data', () => {
    it('instance: exactly that resource', async () => {
      expect(await visibleAll(store, [denyOnly({ data: [{ meaning: 'instance', reference: { reference: 'ServiceRequest/sr-a2' } }] })])).to.deep.equal(allBut('sr-a2'));
      expect(await visibleAll(store, [denyOnly({ data: [{ meaning: 'instance', reference: { reference: 'Patient/pa' } }] })])).to.deep.equal(allBut('pa'));
    });

    it('related: the resource and the resources it refers to (as loaded by the access layer)', async () => {
      const c = denyOnly({ data: [{ meaning: 'related', reference: { reference: 'Appointment/ap-a1' } }] });
      expect(relatedTargets([c])).to.deep.equal(['Appointment/ap-a1']);
      const ap = (await store.read('Appointment', 'ap-a1'))!.resource;
      const related = new Map([['Appointment/ap-a1', referencesIn(ap)]]);
      expect(await visibleAll(store, [c], access(), undefined, related)).to.deep.equal(allBut('ap-a1', 'sr-a1', 'pa'));
      // Without the loaded facts, only the instance itself is known to be covered.
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('ap-a1'));
    });

    it('relatedTargets lists every related reference at any depth, once, and nothing else', () => {
      const c = consent('c1', 'pa', {
        data: [{ meaning: 'related', reference: { reference: 'ServiceRequest/sr-a1' } }],
        provision: [{ type: 'deny', data: [
          { meaning: 'related', reference: { reference: 'Appointment/ap-a1/_history/2' } },
          { meaning: 'instance', reference: { reference: 'Appointment/ap-a2' } },
          { meaning: 'related', reference: { reference: 'https://elsewhere.example/fhir/Appointment/x' } },
        ], provision: [{ type: 'permit', data: [{ meaning: 'related', reference: { reference: 'ServiceRequest/sr-a1' } }] }] }],
      });
      expect(relatedTargets([c, denyOnly({ data: [{ meaning: 'dependents', reference: { reference: 'Patient/pa' } }] })]))
        .to.deep.equal(['Appointment/ap-a1', 'ServiceRequest/sr-a1']);
    });

    it('dependents: the resource and the resources that refer to it', async () => {
      const c = denyOnly({ data: [{ meaning: 'dependents', reference: { reference: 'ServiceRequest/sr-a2' } }] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a2', 'ap-a2'));
    });

    it('authoredby: the resources the reference authored (a referral\'s requester)', async () => {
      expect(await visibleAll(store, [denyOnly({ data: [{ meaning: 'authoredby', reference: { reference: 'Practitioner/dr2' } }] })])).to.deep.equal(allBut('sr-a2'));
      expect(await visibleAll(store, [denyOnly({ data: [{ meaning: 'authoredby', reference: { reference: 'PractitionerRole/pr1' } }] })])).to.deep.equal(allBut('sr-a3'));
    });

    it('several entries: any one of them', async () => {
      const c = denyOnly({ data: [
        { meaning: 'instance', reference: { reference: 'ServiceRequest/sr-a1' } },
        { meaning: 'instance', reference: { reference: 'Appointment/ap-a2' } },
      ] });
      expect(await visibleAll(store, [c])).to.deep.equal(allBut('sr-a1', 'ap-a2'));
    });
  });

  it('dataPeriod: a referral\'s authored date or an appointment\'s start overlapping the period; never a Patient', async () => {
    expect(await visibleAll(store, [denyOnly({ dataPeriod: { start: '2024-01-01', end: '2024-06-30' } })])).to.deep.equal(allBut('sr-a1', 'ap-a1'));
    expect(await visibleAll(store, [denyOnly({ dataPeriod: { start: '2024-07' } })])).to.deep.equal(allBut('sr-a2', 'sr-a3', 'ap-a2'));
    // Bounds are inclusive at the precision written: `2024-01-10` includes that whole day.
    expect(await visibleAll(store, [denyOnly({ dataPeriod: { end: '2024-01-10' } })])).to.deep.equal(allBut('sr-a1'));
  });

  it('period: the provision holds only while now is inside it', async () => {
    const c = denyOnly({ period: { start: '2025-01-01', end: '2025-12-31' } });
    expect(await visibleAll(store, [c])).to.deep.equal(allBut('pa', 'sr-a1', 'sr-a2', 'sr-a3', 'ap-a1', 'ap-a2'));
    expect(await visibleAll(store, [c], access({ now: new Date('2026-01-01T00:00:00Z') }))).to.deep.equal(ALL);
    expect(await visibleAll(store, [c], access({ now: new Date('2024-12-31T23:59:59Z') }))).to.deep.equal(ALL);
    expect(NOW.toISOString()).to.equal('2025-06-01T12:00:00.000Z');
  });
});
