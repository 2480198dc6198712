// Input checks shared by the RecordStore adapters (src/domain/records.ts). Every argument comes from
// server code, never straight from a client, so a bad one is a programming error: it fails loudly
// (500) instead of being stored in a shape the adapters would compare wrongly. Expiry is compared as
// text in both adapters, which is time order only for the canonical instant form, hence the strict
// instant check.
import { errors } from '../../domain/errors.js';
import type { RecordData, StoredRecord } from '../../domain/records.js';
import { isCanonicalInstant } from './clock.js';

function nonEmpty(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw errors.internal(`Record ${what} must be a non-empty string`);
  return v;
}

export function checkKind(kind: unknown): string {
  return nonEmpty(kind, 'kind');
}

export function checkId(id: unknown): string {
  return nonEmpty(id, 'id');
}

export function checkOwner(owner: unknown): string {
  return nonEmpty(owner, 'owner');
}

export function checkInstant(v: unknown, what: string): string {
  if (typeof v !== 'string' || !isCanonicalInstant(v)) {
    throw errors.internal(`Record ${what} must be a UTC instant like 2024-01-31T09:00:00.000Z`);
  }
  return v;
}

/** The data as JSON text; both adapters store text so that what comes back is exactly JSON.parse of it. */
export function dataToJson(data: unknown): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw errors.internal('Record data must be a JSON object');
  let text: string;
  try {
    text = JSON.stringify(data);
  } catch {
    throw errors.internal('Record data is not serialisable as JSON');
  }
  return text;
}

export function dataFromJson(text: string): RecordData {
  return JSON.parse(text) as RecordData;
}

/** A record checked field by field, with its data already serialised. */
export interface CheckedRecord {
  kind: string;
  id: string;
  owner: string | undefined;
  json: string;
  expiresAt: string;
}

export function checkRecord(r: StoredRecord): CheckedRecord {
  if (typeof r !== 'object' || r === null) throw errors.internal('Record must be an object');
  return {
    kind: checkKind(r.kind),
    id: checkId(r.id),
    owner: r.owner === undefined ? undefined : checkOwner(r.owner),
    json: dataToJson(r.data),
    expiresAt: checkInstant(r.expiresAt, 'expiresAt'),
  };
}

/**
 * The arguments of claimOnce. A claim that has expired by `now` would be absent the moment it is
 * made, so it could never keep a second claim out: refusing it makes a caller that forgot to reject
 * an expired assertion or token fail visibly instead of silently losing its replay defence.
 */
export function checkClaim(kind: string, id: string, expiresAt: string, now: string): void {
  checkKind(kind);
  checkId(id);
  checkInstant(expiresAt, 'expiresAt');
  checkInstant(now, 'now');
  if (expiresAt <= now) throw errors.internal('claimOnce needs an expiresAt after now');
}
