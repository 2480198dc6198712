// Reading one appointment by id, as the patient's own GP practice does: the audited read of the
// audit issue. Every request goes through the whole path — token, policy (a legitimate relationship
// is checked against the data), the read, the AuditEvent written durably before the answer.
import { estateOf, type Scenario } from '../scenario.js';

export const readAppointment: Scenario = {
  id: 'read.appointment',
  title: "One appointment by id, read by the patient's own practice (policy and audit included)",
  target: 'envelope',
  role: 'gp-clinician',
  example: 'GET /fhir/Appointment/{id}',
  create(ctx) {
    const { rng, practices, authFor } = ctx;
    const sample = estateOf(ctx, 'read.appointment').samples.appointments.filter((a) => typeof a.id === 'string' && a.id.length > 0);
    if (sample.length === 0) throw new Error('the estate has no sampled appointment ids: seed it again (--fresh)');
    return {
      next() {
        const a = rng.pick(sample);
        return {
          method: 'GET',
          path: `/fhir/Appointment/${a.id}`,
          ...(authFor && practices ? { headers: { authorization: authFor(practices.ofPatient(a.patient)) } } : {}),
        };
      },
      check(status, body) {
        if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
        const r = JSON.parse(body) as { resourceType?: string };
        if (r.resourceType !== 'Appointment') throw new Error(`not an Appointment: ${body.slice(0, 200)}`);
        return { matches: 1, included: 0 };
      },
    };
  },
};
