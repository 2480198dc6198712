// What one request touched: every resource the guard released or wrote, every resource it refused
// to show, and the patients whose data that was. The audit record of the request is built from it,
// so "what did this request disclose" is answered by the only code that can disclose anything.
export interface Touched {
  type: string;
  id: string;
  versionId?: number;
  /** The patient (id) it is about, when it is about exactly one. */
  patient?: string;
}

export class Disclosures {
  private readonly touched = new Map<string, Touched>();
  private readonly patientIds = new Set<string>();

  add(t: Touched, patients: readonly string[]): void {
    const key = `${t.type}/${t.id}/${t.versionId ?? ''}`;
    if (!this.touched.has(key)) this.touched.set(key, patients.length === 1 ? { ...t, patient: patients[0]! } : t);
    for (const p of patients) this.patientIds.add(p);
  }

  get resources(): Touched[] {
    return [...this.touched.values()];
  }

  get patients(): string[] {
    return [...this.patientIds];
  }
}
