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
  private readonly maskedList: string[] = [];
  private glass?: { reason: string; patients: Set<string> };

  /** A released resource was masked: `what` names it and the elements withheld (never their content). */
  mask(what: string): void {
    if (this.maskedList.length < 100) this.maskedList.push(what);
  }

  /** A released resource was opened by break glass, with the reason given (for the patient, when about one). */
  breakGlass(reason: string, patient?: string): void {
    this.glass ??= { reason, patients: new Set() };
    if (patient !== undefined) this.glass.patients.add(patient);
  }

  get masked(): string[] {
    return [...this.maskedList];
  }

  get brokeGlass(): { reason: string; patients: string[] } | undefined {
    return this.glass && { reason: this.glass.reason, patients: [...this.glass.patients] };
  }

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
