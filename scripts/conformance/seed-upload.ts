// Sends a seed plan to the server: one transaction Bundle per batch when the server's
// CapabilityStatement offers transactions, otherwise one request per resource in dependency order.
// Counts what was created and updated, per resource type.
import { explainBody, send, type FetchLike, type HttpResponse } from './http.js';
import { dependencyOrder, type SeedBatch, type SeedItem } from './seed-plan.js';

export interface SeedCounts {
  created: number;
  updated: number;
}

export interface SeedResult {
  mode: 'transaction' | 'one by one';
  /** Per resource type. */
  counts: Map<string, SeedCounts>;
  /** One line per batch, for the printout. */
  lines: string[];
}

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export interface UploadOptions {
  base: string;
  /** Sent with the capabilities request. */
  token?: string;
  /** Force one request per resource even when the server offers transactions. */
  noTransaction?: boolean;
  fetch?: FetchLike;
  timeoutMs?: number;
}

const JSON_HEADERS = { accept: 'application/fhir+json', 'content-type': 'application/fhir+json' };

export async function offersTransactions(opts: UploadOptions): Promise<boolean> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let res: HttpResponse;
  try {
    res = await send({ method: 'GET', url: `${opts.base}/metadata`, headers }, sendOpts(opts));
  } catch {
    return false;
  }
  const cs = res.body as { rest?: { interaction?: { code?: string }[] }[] } | undefined;
  return res.status === 200 && (cs?.rest ?? []).some((r) => (r.interaction ?? []).some((i) => i.code === 'transaction'));
}

function sendOpts(opts: UploadOptions): { fetch?: FetchLike; timeoutMs?: number } {
  return { ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
}

function count(counts: Map<string, SeedCounts>, type: string, status: number): void {
  const c = counts.get(type) ?? { created: 0, updated: 0 };
  if (status === 201) c.created++;
  else c.updated++;
  counts.set(type, c);
}

function entryFor(item: SeedItem, i: number): Record<string, unknown> {
  const entry: Record<string, unknown> = { resource: item.resource, request: { method: item.method, url: item.url } };
  // A server-assigned id still needs a fullUrl in a transaction; a urn:uuid keeps it unique.
  entry.fullUrl = item.method === 'PUT' && !item.url.includes('?') ? item.url : `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return entry;
}

export async function upload(batches: SeedBatch[], opts: UploadOptions): Promise<SeedResult> {
  const transactions = !opts.noTransaction && (await offersTransactions(opts));
  const counts = new Map<string, SeedCounts>();
  const lines: string[] = [];
  for (const [n, batch] of batches.entries()) {
    const label = `batch ${n + 1} (${batch.items.length} resources, Authorization: ${batch.identity})`;
    if (transactions) {
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: batch.items.map(entryFor) };
      const res = await send({ method: 'POST', url: opts.base, headers: { ...JSON_HEADERS, ...batch.headers }, text: JSON.stringify(bundle) }, sendOpts(opts));
      if (res.status !== 200) throw new SeedError(`${label}: the transaction was refused with ${res.status}: ${explainBody(res)}`);
      const entries = (res.body as { entry?: { response?: { status?: string } }[] } | undefined)?.entry ?? [];
      batch.items.forEach((item, i) => count(counts, item.resourceType, Number.parseInt(entries[i]?.response?.status ?? '200', 10)));
      lines.push(`${label}: one transaction`);
    } else {
      for (const item of dependencyOrder(batch.items)) {
        const res = await send({ method: item.method, url: `${opts.base}/${item.url}`, headers: { ...JSON_HEADERS, ...batch.headers }, text: JSON.stringify(item.resource) }, sendOpts(opts));
        if (res.status !== 200 && res.status !== 201) throw new SeedError(`${label}: ${item.method} ${item.url} (fixture ${item.fixtureId}) was refused with ${res.status}: ${explainBody(res)}`);
        count(counts, item.resourceType, res.status);
      }
      lines.push(`${label}: ${batch.items.length} requests`);
    }
  }
  return { mode: transactions ? 'transaction' : 'one by one', counts, lines };
}
