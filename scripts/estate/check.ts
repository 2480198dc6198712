// `--check`: proves the generator's output is what the server would accept and what the benchmark
// assumes, without writing anything. Over the whole stream (cheap checks): ids unique per type, every
// local reference resolves to a generated resource, NHS numbers pass Modulus 11, every appointment
// sits on the busy slot just before it with the same start and end. On a sample (the first resources
// of each type, then every Nth): R4 validation with the server's own validateResource.
import type { Issue } from '../../src/domain/errors.js';
import type { Resource } from '../../src/domain/fhir.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { SYSTEMS } from './codes.js';
import { isValidNhsNumber } from './nhs-number.js';

export interface CheckReport {
  resources: number;
  validated: number;
  /** Validation warnings (not errors), counted by message. */
  warnings: Map<string, number>;
  problems: string[];
}

const MAX_PROBLEMS = 50;

interface SlotLike {
  id: string;
  start: string;
  end: string;
  status: string;
}

/** Every `reference` string anywhere in the resource. */
function references(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) references(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.push(x);
      else references(x, out);
    }
  }
  return out;
}

export function checkEstate(resources: Iterable<Resource>, opts: { firstPerType: number; every: number }): CheckReport {
  const report: CheckReport = { resources: 0, validated: 0, warnings: new Map(), problems: [] };
  const problem = (s: string) => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(s);
  };
  const ids = new Set<string>();
  const pendingRefs = new Map<string, string>(); // reference → first resource that made it, until seen
  const perType = new Map<string, number>();
  let lastSlot: SlotLike | undefined;

  for (const r of resources) {
    report.resources++;
    const key = `${r.resourceType}/${r.id}`;
    if (ids.has(key)) problem(`duplicate id ${key}`);
    ids.add(key);
    pendingRefs.delete(key);
    for (const ref of references(r)) if (!ids.has(ref) && !pendingRefs.has(ref)) pendingRefs.set(ref, key);

    if (r.resourceType === 'Patient') {
      const nhs = (r as { identifier?: { system?: string; value?: string }[] }).identifier?.find((i) => i.system === SYSTEMS.nhsNumber)?.value;
      if (!nhs || !isValidNhsNumber(nhs)) problem(`${key}: NHS number ${String(nhs)} fails Modulus 11`);
    }
    if (r.resourceType === 'Slot') lastSlot = r as unknown as SlotLike;
    if (r.resourceType === 'Appointment') {
      // Stream order: the busy slot, its referral, then the appointment.
      const a = r as { slot?: { reference?: string }[]; start?: string; end?: string; basedOn?: { reference?: string }[] };
      if (!lastSlot || a.slot?.[0]?.reference !== `Slot/${lastSlot.id}`) problem(`${key}: not on the slot generated just before it`);
      else if (a.start !== lastSlot.start || a.end !== lastSlot.end) problem(`${key}: start/end differ from its slot's`);
      else if (lastSlot.status !== 'busy') problem(`${key}: its slot is ${lastSlot.status}, not busy`);
      const basedOn = a.basedOn?.[0]?.reference;
      if (!basedOn || !ids.has(basedOn)) problem(`${key}: its referral was not generated before it`);
    }

    const n = (perType.get(r.resourceType) ?? 0) + 1;
    perType.set(r.resourceType, n);
    if (n <= opts.firstPerType || report.resources % opts.every === 0) {
      report.validated++;
      const issues: Issue[] = validateResource(r, { expectedType: r.resourceType });
      for (const i of issues) {
        if (i.severity === 'error' || i.severity === 'fatal') problem(`${key}: ${i.expression?.join(',') ?? ''} ${i.diagnostics}`);
        else report.warnings.set(i.diagnostics, (report.warnings.get(i.diagnostics) ?? 0) + 1);
      }
    }
  }
  for (const [ref, from] of pendingRefs) {
    if (!ids.has(ref)) problem(`${from} refers to ${ref}, which is never generated`);
  }
  return report;
}
