// Break-glass windows: once a principal whose role allows it has broken the glass for a patient
// (with a stated reason, alerted to the privacy officer), that patient's sealed data stays open to
// that principal — acting for the same organisation — for a limited time, and only then. Kept as
// expiring server-side records, like self-claimed relationships, so every process sees them and
// they lapse without a sweep.
import { createHash } from 'node:crypto';
import type { Principal } from '../domain/principal.js';
import type { RecordStore } from '../domain/records.js';
import { claimOwner } from './relationship-claims.js';

export const BREAK_GLASS_KIND = 'break-glass-window';

export interface BreakGlassWindow {
  patient: string;
  reason: string;
  openedAt: string;
  expiresAt: string;
}

/** The patients whose sealed data the principal holds an open window for, with the reason given. */
export async function openWindows(records: RecordStore, p: Principal, now: Date): Promise<Map<string, BreakGlassWindow>> {
  const found = await records.list(BREAK_GLASS_KIND, claimOwner(p), now.toISOString());
  const out = new Map<string, BreakGlassWindow>();
  for (const r of found) {
    const d = r.data;
    if (typeof d['patient'] !== 'string' || typeof d['reason'] !== 'string' || typeof d['openedAt'] !== 'string') continue;
    const prior = out.get(d['patient']);
    if (!prior || prior.expiresAt < r.expiresAt) out.set(d['patient'], { patient: d['patient'], reason: d['reason'], openedAt: d['openedAt'], expiresAt: r.expiresAt });
  }
  return out;
}

/** Opens a window for `patient`. The caller checked the role and the reason and raised the alert. */
export async function recordWindow(records: RecordStore, p: Principal, patient: string, reason: string, now: Date, minutes: number): Promise<BreakGlassWindow> {
  const openedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
  const id = createHash('sha256').update(`${claimOwner(p)}\n${patient}\n${openedAt}`).digest('hex').slice(0, 32);
  await records.put({
    kind: BREAK_GLASS_KIND, id, owner: claimOwner(p), expiresAt,
    data: { patient, reason, openedAt, sub: p.sub, role: p.role, organization: p.organization ?? null },
  });
  return { patient, reason, openedAt, expiresAt };
}
