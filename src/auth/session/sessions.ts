// Server-side sign-on sessions in the RecordStore. The browser holds a random secret; the store holds
// only its SHA-256, so reading the database does not give anyone a usable cookie. A session ends at
// the earlier of its idle and absolute limits; use pushes the idle limit on, written at most once a
// minute so that a busy page does not turn every read into a database write.
import { createHash, randomBytes } from 'node:crypto';
import type { RecordStore, StoredRecord } from '../../domain/records.js';

export const SESSION_KIND = 'session';
/** How stale the stored last-seen time may get before a request rewrites it. */
export const TOUCH_INTERVAL_MS = 60_000;

export interface SessionProfile {
  id: string;
  orgCode: string;
  roleCode: string;
  roleName?: string;
  /** The Envelope role the profile maps to. */
  role: string;
}

/** What the IdP needs to hear back in a LogoutRequest for this sign-on. */
export interface SamlSubject {
  nameID: string;
  nameIDFormat: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  sessionIndex?: string;
}

export interface SessionData {
  userId: string;
  name?: string;
  fhirUser?: string;
  issuer?: string;
  authnContext: string;
  /** The ID of the SAML assertion the session was started with (absent in sessions made before it was kept). */
  assertionId?: string;
  strongAuthentication: boolean;
  profiles: SessionProfile[];
  selectedProfileId?: string;
  subject: SamlSubject;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
}

export interface Session {
  /** The record id: SHA-256 of the cookie secret. Safe to log and audit; useless as a credential. */
  id: string;
  /** Whose sessions an IdP-initiated logout ends: the SAML NameID. */
  owner: string;
  data: SessionData;
  expiresAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

export type NewSession = Omit<SessionData, 'csrfToken' | 'createdAt' | 'lastSeenAt'>;

export interface Sessions {
  /** Starts a session; answers the cookie secret (only ever sent to the browser) and the session. */
  create(data: NewSession): Promise<{ secret: string; session: Session }>;
  /** The live session of a cookie secret, its idle limit pushed on; undefined when none. */
  resume(secret: string): Promise<Session | undefined>;
  /** Acts in one of the session's profiles from now on; undefined when the session ended meanwhile. */
  selectProfile(session: Session, profileId: string): Promise<Session | undefined>;
  end(sessionId: string): Promise<void>;
  /** Ends every session of a SAML subject (IdP-initiated logout); answers how many. */
  endAllOf(owner: string): Promise<number>;
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function sessionIdOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function limits(data: SessionData, idleMs: number, absoluteMs: number): { idle: number; absolute: number } {
  return { idle: Date.parse(data.lastSeenAt) + idleMs, absolute: Date.parse(data.createdAt) + absoluteMs };
}

/** A stored record back into a session; undefined when it is not a well-formed session record. */
function sessionOf(rec: StoredRecord, idleMs: number, absoluteMs: number): Session | undefined {
  const d = rec.data as Partial<SessionData>;
  if (typeof d.userId !== 'string' || typeof d.csrfToken !== 'string' || typeof d.createdAt !== 'string'
    || typeof d.lastSeenAt !== 'string' || !Array.isArray(d.profiles) || typeof d.subject !== 'object' || d.subject === null
    || rec.owner === undefined) {
    return undefined;
  }
  const data = d as SessionData;
  const { idle, absolute } = limits(data, idleMs, absoluteMs);
  if (!Number.isFinite(idle) || !Number.isFinite(absolute)) return undefined;
  return { id: rec.id, owner: rec.owner, data, expiresAt: iso(Math.min(idle, absolute)), idleExpiresAt: iso(idle), absoluteExpiresAt: iso(absolute) };
}

export function createSessions(records: RecordStore, opts: { now: () => Date; idleMs: number; absoluteMs: number }): Sessions {
  const { now, idleMs, absoluteMs } = opts;

  async function write(id: string, owner: string, data: SessionData): Promise<Session> {
    const { idle, absolute } = limits(data, idleMs, absoluteMs);
    await records.put({ kind: SESSION_KIND, id, owner, data: { ...data }, expiresAt: iso(Math.min(idle, absolute)) });
    return { id, owner, data, expiresAt: iso(Math.min(idle, absolute)), idleExpiresAt: iso(idle), absoluteExpiresAt: iso(absolute) };
  }

  /** The stored session, or undefined when absent or past either limit by this server's clock. */
  async function load(id: string): Promise<Session | undefined> {
    const t = now().getTime();
    const rec = await records.get(SESSION_KIND, id, iso(t));
    const session = rec ? sessionOf(rec, idleMs, absoluteMs) : undefined;
    // The record's own expiry was set by whichever process wrote it; the limits are re-checked here.
    if (!session || Date.parse(session.expiresAt) <= t) return undefined;
    return session;
  }

  return {
    async create(fields) {
      const secret = randomBytes(32).toString('base64url');
      const at = now().toISOString();
      const data: SessionData = { ...fields, csrfToken: randomBytes(32).toString('base64url'), createdAt: at, lastSeenAt: at };
      return { secret, session: await write(sessionIdOf(secret), fields.subject.nameID, data) };
    },

    async resume(secret) {
      if (!SECRET.test(secret)) return undefined;
      const session = await load(sessionIdOf(secret));
      if (!session) return undefined;
      const t = now().getTime();
      if (t - Date.parse(session.data.lastSeenAt) < TOUCH_INTERVAL_MS) return session;
      // Re-read just before writing, so a concurrent role selection is not overwritten by a stale copy
      // and a session ended meanwhile is not written back.
      const fresh = await load(session.id);
      return fresh && write(fresh.id, fresh.owner, { ...fresh.data, lastSeenAt: iso(t) });
    },

    async selectProfile(session, profileId) {
      // A session ended meanwhile (logout in another tab) must not be brought back by this write.
      const fresh = await load(session.id);
      return fresh && write(fresh.id, fresh.owner, { ...fresh.data, selectedProfileId: profileId });
    },

    async end(sessionId) {
      await records.delete(SESSION_KIND, sessionId);
    },

    async endAllOf(owner) {
      const live = await records.list(SESSION_KIND, owner, now().toISOString());
      for (const rec of live) await records.delete(SESSION_KIND, rec.id);
      return live.length;
    },
  };
}
