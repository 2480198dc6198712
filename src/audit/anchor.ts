// The anchor: the newest chain head the log has written, kept as a record beside the chain. A hash
// chain alone cannot show that its newest events were cut off (what remains is a valid, shorter
// chain); verify compares the chain with the anchor, and a chain that ends before the anchored
// event, or holds another hash there, is broken. The anchor is written after the group's commit
// (record writes cannot join a store transaction), so it may trail the head: behind is fine,
// missing from the chain is not. Someone who can rewrite the database can rewrite the anchor too;
// docs/audit.md says how to keep a head outside it.
import type { RecordStore } from '../domain/records.js';

export const ANCHOR_KIND = 'audit-chain-anchor';
export const ANCHOR_ID = 'head';
/** Records expire; the anchor must not, so it lives until the end of the instant format. */
const NEVER = '9999-12-31T23:59:59.999Z';

export interface ChainHead {
  sequence: bigint;
  hash: string;
}

/** The stored anchor; undefined when there is none, `'malformed'` when its data is not an anchor. */
export async function readAnchor(records: RecordStore, now: Date): Promise<ChainHead | 'malformed' | undefined> {
  const rec = await records.get(ANCHOR_KIND, ANCHOR_ID, now.toISOString());
  if (!rec) return undefined;
  const { sequence, hash } = rec.data;
  if (typeof sequence !== 'string' || !/^[1-9]\d{0,15}$/.test(sequence)) return 'malformed';
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return 'malformed';
  return { sequence: BigInt(sequence), hash };
}

/**
 * Moves the anchor forward to `head`. Another process sharing the database may have anchored a
 * later head meanwhile; it is kept (the check and the write are not atomic across processes, so in
 * a rare race the anchor can step back, which only narrows what it protects).
 */
export async function advanceAnchor(records: RecordStore, head: ChainHead, now: Date): Promise<void> {
  const current = await readAnchor(records, now);
  if (typeof current === 'object' && current.sequence >= head.sequence) return;
  await records.put({
    kind: ANCHOR_KIND,
    id: ANCHOR_ID,
    data: { sequence: head.sequence.toString(), hash: head.hash },
    expiresAt: NEVER,
  });
}
