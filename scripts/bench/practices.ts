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
  /** The GPs' PractitionerRole ids at the practice with this ODS code. */
  gpRolesOf(ods: string): string[];
}

export function practiceIndex(manifest: Manifest): PracticeIndex {
  const spec = manifest.spec;
  const dir = buildDirectory(spec);
  const byPatient = new Map<string, string>();
  for (let p = 0; p < spec.patients; p++) byPatient.set(entityId(spec.seed, STREAM.patient, p), practiceOf(dir, spec.seed, p).ods);
  const byRole = new Map<string, string>();
  const rolesByOds = new Map<string, string[]>();
  for (const practice of dir.practices) {
    for (const gp of practice.gps) byRole.set(gp.roleId, practice.ods);
    rolesByOds.set(practice.ods, practice.gps.map((g) => g.roleId));
  }
  const find = <T>(m: Map<string, T>, id: string, what: string) => {
    const found = m.get(id);
    if (found === undefined) throw new Error(`no practice known for ${what} ${id}`);
    return found;
  };
  return {
    codes: dir.practices.map((p) => p.ods),
    ofPatient: (id) => find(byPatient, id, 'patient'),
    ofRequester: (id) => find(byRole, id, 'PractitionerRole'),
    gpRolesOf: (ods) => find(rolesByOds, ods, 'ODS code'),
  };
}

/** A pool served by one practice (the booking pool): every patient and referrer belongs to it. */
export function singlePractice(ods: string, gpRoles: string[] = []): PracticeIndex {
  return { codes: [ods], ofPatient: () => ods, ofRequester: () => ods, gpRolesOf: () => gpRoles };
}
