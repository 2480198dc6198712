// Which patients a released resource is about, for the audit record — read straight from the
// elements that the R4 `patient` search parameters of these types are built on, without running
// the whole indexer over every resource a search returns (that doubled the cost of a large page).
// Writes still use the indexer (the limits check), which is exact for any content.
import type { Resource } from '../domain/fhir.js';

const PATIENT_REF = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

type Ref = { reference?: unknown } | undefined;

function idOf(ref: Ref): string | undefined {
  const r = ref?.reference;
  if (typeof r !== 'string') return undefined;
  return PATIENT_REF.exec(r)?.[1];
}

function collect(refs: readonly Ref[]): string[] {
  const out = new Set<string>();
  for (const r of refs) {
    const id = idOf(r);
    if (id !== undefined) out.add(id);
  }
  return [...out];
}

/** The patients (ids) a resource is about: itself for a Patient; [] for types about no one patient. */
export function patientsAbout(resource: Resource): string[] {
  const r = resource as unknown as Record<string, unknown> & { id?: string };
  switch (resource.resourceType) {
    case 'Patient':
      return r.id ? [r.id] : [];
    case 'ServiceRequest':
      return collect([r['subject'] as Ref]);
    case 'Consent':
      return collect([r['patient'] as Ref]);
    case 'Appointment':
      return collect(((r['participant'] as { actor?: Ref }[] | undefined) ?? []).map((p) => p.actor));
    case 'AuditEvent':
      return collect([
        ...((r['agent'] as { who?: Ref }[] | undefined) ?? []).map((a) => a.who),
        ...((r['entity'] as { what?: Ref }[] | undefined) ?? []).map((e) => e.what),
      ]);
    default:
      return [];
  }
}
