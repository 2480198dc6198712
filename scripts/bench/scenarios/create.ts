// Creating a resource: a GP practice writes a new referral (ServiceRequest) for one of its own
// patients, by a GP of that practice, to a hospital service. The whole write path runs: token,
// validation, the policy's relationship check on the patient the new referral names (a read of the
// data inside the write's transaction), the referral workflow rules, the write with its index rows,
// and the AuditEvent, durable before the 201.
//
// The referral is a draft (being prepared, not yet sent). Its cost is that of any referral's create,
// and a draft stays out of what the other scenarios read: GPs' active worklists (search.referrals) and
// the active referrals that make a relationship. Repeated runs add to the estate without changing what
// the next run's searches find.
import { SYSTEMS } from '../../estate/codes.js';
import { estateOf, type Scenario } from '../scenario.js';

const REFERRAL_CATEGORY = { coding: [{ system: SYSTEMS.snomed, code: '3457005', display: 'Patient referral' }] };

export const createReferral: Scenario = (() => {
  // Every request carries a new UBRN: a 12-digit number from the run's start time and a counter shared
  // by all of the scenario's instances (pre-flight, one connection, load), so no two requests repeat.
  let counter = 0;
  const runTag = Math.floor(Date.now() / 1000) % 1_000_000;
  const nextUbrn = () => String(runTag * 1_000_000 + (counter++ % 1_000_000)).padStart(12, '0');
  return {
    id: 'create.referral',
    title: "A GP writes a new (draft) referral for a patient registered at the GP's practice",
    target: 'envelope',
    role: 'gp-clinician',
    example: 'POST /fhir/ServiceRequest {status: draft, intent: order, subject: Patient/{id}, requester: PractitionerRole/{id}, performer: HealthcareService/{id}, identifier: a new UBRN}',
    create(ctx) {
      const { rng, practices, authFor } = ctx;
      const estate = estateOf(ctx, 'create.referral');
      if (!practices || !authFor) throw new Error('create.referral needs per-practice tokens');
      const patients = estate.samples.appointments;
      const services = estate.samples.services;
      let sent: string | undefined;
      return {
        next() {
          const patient = rng.pick(patients).patient;
          const ods = practices.ofPatient(patient);
          const service = rng.pick(services);
          sent = nextUbrn();
          return {
            method: 'POST',
            path: '/fhir/ServiceRequest',
            headers: { 'content-type': 'application/fhir+json', authorization: authFor(ods) },
            body: JSON.stringify({
              resourceType: 'ServiceRequest',
              identifier: [{ system: SYSTEMS.referralId, value: sent }],
              status: 'draft',
              intent: 'order',
              category: [REFERRAL_CATEGORY],
              priority: 'routine',
              code: { coding: [{ system: SYSTEMS.treatmentFunction, code: service.serviceType }] },
              subject: { reference: `Patient/${patient}` },
              authoredOn: new Date().toISOString().slice(0, 10),
              requester: { reference: `PractitionerRole/${rng.pick(practices.gpRolesOf(ods))}` },
              performer: [{ reference: `HealthcareService/${service.id}` }],
            }),
          };
        },
        check(status, body) {
          if (status !== 201) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
          const r = JSON.parse(body) as { resourceType?: string; id?: string; status?: string; identifier?: { value?: string }[] };
          if (r.resourceType !== 'ServiceRequest' || !r.id || r.status !== 'draft') throw new Error(`not the created ServiceRequest: ${body.slice(0, 200)}`);
          if (r.identifier?.[0]?.value !== sent) throw new Error(`the created referral carries UBRN ${r.identifier?.[0]?.value}, not the one sent (${sent})`);
          return { matches: 1, included: 0 };
        },
      };
    },
  };
})();
