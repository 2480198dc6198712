// Which GP practice (ODS code) a sampled patient or referrer belongs to, rebuilt from the estate's
// spec (the generator is deterministic), so a benchmark request can carry the token of a clinician
// at that practice: Envelope answers patient data only to organisations related to the patient.
import { buildDirectory, practiceOf } from '../estate/directory.js';
import { entityId } from '../estate/prng.js';
import { STREAM } from '../estate/spec.js';
import type { Manifest } from '../estate/dataset.js';

export interface PracticeIndex {
  /** Every practice's ODS code. */
  codes: string[];
  ofPatient(patientId: string): string;
  ofRequester(practitionerRoleId: string): string;
}

export function practiceIndex(manifest: Manifest): PracticeIndex {
  const spec = manifest.spec;
  const dir = buildDirectory(spec);
  const byPatient = new Map<string, string>();
  for (let p = 0; p < spec.patients; p++) byPatient.set(entityId(spec.seed, STREAM.patient, p), practiceOf(dir, spec.seed, p).ods);
  const byRole = new Map<string, string>();
  for (const practice of dir.practices) for (const gp of practice.gps) byRole.set(gp.roleId, practice.ods);
  const find = (m: Map<string, string>, id: string, what: string) => {
    const ods = m.get(id);
    if (ods === undefined) throw new Error(`no practice known for ${what} ${id}`);
    return ods;
  };
  return {
    codes: dir.practices.map((p) => p.ods),
    ofPatient: (id) => find(byPatient, id, 'patient'),
    ofRequester: (id) => find(byRole, id, 'PractitionerRole'),
  };
}
