// A tiny hand-written indexer and helpers for the MongoDB adapter's own tests (the shared contract
// suite brings its own). Just enough parameter kinds to exercise every compiled operator.
import type { Resource } from '../../src/domain/fhir.js';
import type { IndexValue } from '../../src/domain/search-types.js';
import type { Indexer, Store } from '../../src/store/port.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { MongoDouble, type DoubleOptions } from './mongo-double/index.js';

type R = Record<string, any>;

export const mongoTestIndexer: Indexer = (resource: Resource) => {
  const r = resource as R;
  const out: IndexValue[] = [];
  for (const n of r.name ?? []) if (n.family) out.push({ p: 'name', s: String(n.family).toLowerCase(), exact: n.family });
  for (const i of r.identifier ?? []) out.push({ p: 'identifier', sys: i.system ?? '', code: i.value });
  if (r.birthDate) out.push({ p: 'birthdate', lo: `${r.birthDate}T00:00:00.000Z`, hi: `${r.birthDate}T23:59:59.999Z` });
  for (const g of r.generalPractitioner ?? []) out.push({ p: 'general-practitioner', s: g.reference, rt: g.reference.split('/')[0] });
  for (const p of r.participant ?? []) if (p.actor?.reference) out.push({ p: 'actor', s: p.actor.reference, rt: p.actor.reference.split('/')[0] });
  if (r.start) out.push({ p: 'date', lo: r.start, hi: r.start });
  if (r.status) out.push({ p: 'status', sys: '', code: r.status });
  if (r.valueQuantity?.value !== undefined) out.push({ p: 'value', n: r.valueQuantity.value });
  if (r.subject?.reference) out.push({ p: 'subject', s: r.subject.reference, rt: r.subject.reference.split('/')[0] });
  return out;
};

export async function openDouble(opts: DoubleOptions = {}, client = new MongoDouble(opts)): Promise<{ store: Store; client: MongoDouble }> {
  const store = await openMongoStore({ client, indexer: mongoTestIndexer });
  return { store, client };
}

export function patient(id: string, family: string, extra: R = {}): Resource {
  return { resourceType: 'Patient', id, name: [{ family }], ...extra } as Resource;
}

/** The status code of a FhirError (or undefined) from a rejected promise. */
export async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number') throw err;
    return status;
  }
}

export function ids(matches: { resourceType: string; id: string }[]): string[] {
  return matches.map((m) => `${m.resourceType}/${m.id}`);
}
