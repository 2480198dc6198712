// Verification of the audit chain: walks every AuditEvent in id (= chain) order, a page at a time,
// and recomputes what each link claims. The first link that does not hold is reported; nothing
// after it is trusted, so the walk stops there. Holds in memory one page and the previous hash.
import type { SearchRequest } from '../domain/search-types.js';
import type { Store, StoredVersion } from '../store/port.js';
import { readAnchor, type ChainHead } from './anchor.js';
import { computeHash, GENESIS_HASH, isSequenceId, readChainLink, sequenceId } from './chain.js';

export type VerifyResult =
  | { ok: true; events: number; head?: { sequence: number; hash: string } }
  /** `at`: the sequence number where the chain breaks (0: the stored anchor itself is unreadable). */
  | { ok: false; at: number; reason: string; events: number };

export interface VerifyOptions {
  /** Events per page. Default 500. */
  pageSize?: number;
  /** Heads recorded outside the database (e.g. printed by an earlier run); each must be in the chain. */
  anchors?: { sequence: number | bigint; hash: string }[];
  /** Compare with the anchor the log keeps in store.records. Default true. */
  storedAnchor?: boolean;
  /** Clock for reading the stored anchor. */
  now?: () => Date;
}

function page(cursor: string | undefined, count: number): SearchRequest {
  const req: SearchRequest = { types: ['AuditEvent'], where: [], sort: [{ p: '_id', desc: false }], count, total: 'none' };
  if (cursor !== undefined) req.cursor = cursor;
  return req;
}

/** Why the stored version at position `expected` is not the next link after `previous`, or undefined. */
function faultOf(v: StoredVersion, expected: bigint, previous: string): string | undefined {
  if (!isSequenceId(v.id)) return `AuditEvent/${v.id} is not part of the chain (its id is not a sequence number)`;
  const idSequence = BigInt(v.id);
  if (idSequence > expected) return `event ${expected} is missing (the next stored event is ${idSequence})`;
  if (idSequence < expected) return `AuditEvent/${v.id} is out of sequence (expected ${sequenceId(expected)})`;
  const resource = v.resource as { resourceType?: unknown; id?: unknown };
  if (resource.resourceType !== 'AuditEvent' || resource.id !== v.id) {
    return `the content stored as AuditEvent/${v.id} is ${String(resource.resourceType)}/${String(resource.id)} (moved or swapped)`;
  }
  const link = readChainLink(v.resource);
  if (!link) return 'the event has no valid chain extension';
  if (link.sequence !== expected) return `the event's chain sequence is ${link.sequence}`;
  // The log only creates; a second version means the event was rewritten, even if to the same content.
  if (v.versionId !== 1) return `the event was rewritten (it is version ${v.versionId})`;
  if (link.previous !== previous) return `its previous hash does not match the hash of event ${expected - 1n}`;
  if (computeHash(link.previous, v.resource) !== link.hash) return 'its content does not match its hash (edited)';
  return undefined;
}

export async function verifyChain(store: Store, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 500;
  // Read before the walk: the anchor names an event committed before it was written, so the walk
  // (which starts later) must find it.
  const anchors = new Map<bigint, { hash: string; source: string }>();
  if (options.storedAnchor ?? true) {
    const stored = await readAnchor(store.records, (options.now ?? (() => new Date()))());
    if (stored === 'malformed') return { ok: false, at: 0, reason: 'the stored anchor is malformed', events: 0 };
    if (stored) anchors.set(stored.sequence, { hash: stored.hash, source: 'the stored anchor' });
  }
  for (const a of options.anchors ?? []) {
    const sequence = BigInt(a.sequence);
    const known = anchors.get(sequence);
    if (known && known.hash !== a.hash) {
      return { ok: false, at: Number(sequence), reason: `the given anchor for event ${sequence} differs from the stored anchor`, events: 0 };
    }
    anchors.set(sequence, { hash: a.hash, source: 'the given anchor' });
  }

  let expected = 1n;
  let previous = GENESIS_HASH;
  const broken = (at: bigint, reason: string): VerifyResult => ({ ok: false, at: Number(at), reason, events: Number(at - 1n) });
  let cursor: string | undefined;
  do {
    const result = await store.search(page(cursor, pageSize));
    for (const v of result.matches) {
      const fault = faultOf(v, expected, previous);
      if (fault) return broken(expected, fault);
      const hash = readChainLink(v.resource)!.hash;
      const anchor = anchors.get(expected);
      if (anchor && anchor.hash !== hash) return broken(expected, `its hash differs from ${anchor.source}`);
      previous = hash;
      expected++;
    }
    cursor = result.next;
  } while (cursor);

  const last = expected - 1n;
  const beyond = [...anchors.entries()].filter(([s]) => s > last).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  if (beyond) {
    return broken(expected, `the chain ends at event ${last} but ${beyond[1].source} records event ${beyond[0]}: events were removed from the end`);
  }
  const head: ChainHead | undefined = last > 0n ? { sequence: last, hash: previous } : undefined;
  return head ? { ok: true, events: Number(last), head: { sequence: Number(head.sequence), hash: head.hash } } : { ok: true, events: 0 };
}
