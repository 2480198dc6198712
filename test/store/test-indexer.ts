// TEST INPUT, not production code: a small hand-written indexer for the store contract suite. It
// extracts a fixed handful of fields so the store tests do not depend on src/search (the real,
// FHIRPath-driven indexer is injected by the composition root). Values follow the IndexValue
// conventions of src/domain/search-types.ts (dates as inclusive UTC instant ranges, strings
// normalised, references as "Type/id").
import type { Indexer } from '../../src/store/port.js';
import type { Resource } from '../../src/domain/fhir.js';
import type { IndexValue } from '../../src/domain/search-types.js';

type Json = Record<string, any>;

/** Lower case, accents stripped — the normalisation string search uses. */
export function norm(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** A FHIR date/dateTime/instant as [lo, hi]: a whole day for a date, the instant itself otherwise. */
export function dateRange(v: string): { lo: string; hi: string } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const lo = Date.parse(`${v}T00:00:00.000Z`);
    return { lo: new Date(lo).toISOString(), hi: new Date(lo + 86_400_000 - 1).toISOString() };
  }
  const t = new Date(v).toISOString();
  return { lo: t, hi: t };
}

const STATUS_SYSTEM: Record<string, string> = {
  Slot: 'http://hl7.org/fhir/slotstatus',
  Appointment: 'http://hl7.org/fhir/appointmentstatus',
};

function ref(p: string, r: Json | undefined): IndexValue[] {
  const s = r?.reference;
  if (typeof s !== 'string') return [];
  const slash = s.indexOf('/');
  return [{ p, s, rt: slash > 0 ? s.slice(0, slash) : undefined } as IndexValue].map(dropUndefined);
}

function dropUndefined(v: IndexValue): IndexValue {
  for (const k of Object.keys(v) as (keyof IndexValue)[]) if (v[k] === undefined) delete v[k];
  return v;
}

function concepts(p: string, list: Json[] | undefined): IndexValue[] {
  const out: IndexValue[] = [];
  for (const cc of list ?? []) {
    for (const c of cc.coding ?? []) {
      out.push(dropUndefined({ p, sys: c.system ?? '', code: c.code, text: cc.text ? norm(cc.text) : undefined }));
    }
    if (!cc.coding?.length && cc.text) out.push({ p, text: norm(cc.text) });
  }
  return out;
}

/**
 * Fields indexed (parameter code ← element):
 *   _lastUpdated ← meta.lastUpdated (date)         status ← status (token, per-type system)
 *   identifier ← identifier (token)                 name ← name / name.family / name.given (string)
 *   start, end ← start, end (date)                  birthdate ← birthDate (date: the whole day)
 *   schedule ← Slot.schedule (reference)            actor ← Schedule.actor, Appointment.participant.actor (reference)
 *   service-type ← serviceType (token with text)    comment ← comment (string)
 *   priority ← Appointment.priority (number)        duration ← Appointment.minutesDuration (number, ±0.5)
 *   date ← Schedule.planningHorizon (date: the period, each end at its own precision)
 *   requested ← Appointment.requestedPeriod (date, several per resource)
 */
export const testIndexer: Indexer = (resource: Resource): IndexValue[] => {
  const r = resource as Json;
  const out: IndexValue[] = [];
  if (r.meta?.lastUpdated) out.push({ p: '_lastUpdated', ...dateRange(r.meta.lastUpdated) });
  if (typeof r.status === 'string') out.push({ p: 'status', sys: STATUS_SYSTEM[r.resourceType] ?? '', code: r.status });
  for (const id of r.identifier ?? []) out.push(dropUndefined({ p: 'identifier', sys: id.system ?? '', code: id.value }));
  if (typeof r.name === 'string') out.push({ p: 'name', s: norm(r.name), exact: r.name });
  if (Array.isArray(r.name)) {
    for (const hn of r.name) {
      for (const part of [hn.family, ...(hn.given ?? [])]) {
        if (typeof part === 'string') out.push({ p: 'name', s: norm(part), exact: part });
      }
    }
  }
  if (typeof r.start === 'string') out.push({ p: 'start', ...dateRange(r.start) });
  if (typeof r.end === 'string') out.push({ p: 'end', ...dateRange(r.end) });
  if (typeof r.birthDate === 'string') out.push({ p: 'birthdate', ...dateRange(r.birthDate) });
  if (r.resourceType === 'Slot') out.push(...ref('schedule', r.schedule));
  if (r.resourceType === 'Schedule') for (const a of r.actor ?? []) out.push(...ref('actor', a));
  if (r.resourceType === 'Schedule' && r.planningHorizon?.start && r.planningHorizon?.end) {
    out.push({ p: 'date', lo: dateRange(r.planningHorizon.start).lo, hi: dateRange(r.planningHorizon.end).hi });
  }
  if (r.resourceType === 'Appointment') for (const pt of r.participant ?? []) out.push(...ref('actor', pt.actor));
  out.push(...concepts('service-type', r.serviceType));
  if (typeof r.comment === 'string') out.push({ p: 'comment', s: norm(r.comment), exact: r.comment });
  for (const period of r.resourceType === 'Appointment' ? r.requestedPeriod ?? [] : []) {
    if (period.start && period.end) out.push({ p: 'requested', lo: dateRange(period.start).lo, hi: dateRange(period.end).hi });
  }
  if (typeof r.priority === 'number') out.push({ p: 'priority', n: r.priority, nlo: r.priority - 0.5, nhi: r.priority + 0.5 });
  if (typeof r.minutesDuration === 'number') {
    out.push({ p: 'duration', n: r.minutesDuration, nlo: r.minutesDuration - 0.5, nhi: r.minutesDuration + 0.5 });
  }
  return out;
};
