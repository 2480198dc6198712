// The hash chain of the audit log: where each AuditEvent keeps its link, the canonical JSON it is
// hashed from, and the hash itself. docs/audit.md states the rule for anyone re-implementing the
// check; this module is its only implementation in Envelope (appending and verifying both use it).
import { createHash } from 'node:crypto';
import type { r4 } from '../domain/fhir.js';

export type AuditEvent = r4.AuditEvent;

/** The extension on every chained AuditEvent; its sub-extensions are `sequence`, `previous`, `hash`. */
export const AUDIT_CHAIN_URL = 'https://envelope.example/fhir/StructureDefinition/audit-chain';
/** `previous` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Ids are the sequence number in 16 digits, so that id order (text) is chain order. */
const ID_DIGITS = 16;
const SEQUENCE_ID = /^\d{16}$/;
const DECIMAL = /^[1-9]\d{0,15}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
export const MAX_SEQUENCE = 10n ** BigInt(ID_DIGITS) - 1n;

/** What the chain extension of one event says. */
export interface ChainLink {
  sequence: bigint;
  previous: string;
  hash: string;
}

export function sequenceId(sequence: bigint): string {
  if (sequence < 1n || sequence > MAX_SEQUENCE) throw new RangeError(`Audit sequence out of range: ${sequence}`);
  return sequence.toString().padStart(ID_DIGITS, '0');
}

/** True for an id of the chain's form (which says nothing yet about the event behind it). */
export function isSequenceId(id: string): boolean {
  return SEQUENCE_ID.test(id);
}

/**
 * JSON with every object's keys sorted (UTF-16 code unit order, as Array.prototype.sort compares),
 * no whitespace, arrays in their order, strings and numbers as JSON.stringify writes them. Only
 * plain JSON data is accepted: anything else (undefined, functions, Dates, NaN) would not survive
 * the store's own JSON round trip, so hashing it would hash something that is never stored.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Not JSON: ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError('Not JSON: an object that is not a plain object');
      const obj = value as Record<string, unknown>;
      const members = Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`Not JSON: a value of type ${typeof value}`);
  }
}

type Json = Record<string, unknown>;
type Extension = { url?: unknown; extension?: unknown; [k: string]: unknown };

function extensionsOf(resource: Json): Extension[] {
  return Array.isArray(resource.extension) ? (resource.extension as Extension[]) : [];
}

/**
 * The event as hashed: without the meta elements the store stamps (versionId, lastUpdated; they
 * change with every write and are not the event's content) and without the `hash` sub-extension
 * (it cannot contain itself). Everything else, other meta elements (security labels, profiles)
 * and `sequence` and `previous` included, is covered.
 */
export function hashedForm(resource: unknown): Json {
  const copy = { ...(resource as Json) };
  if (copy.meta !== undefined) {
    const { versionId: _v, lastUpdated: _l, ...rest } = copy.meta as Json;
    if (Object.keys(rest).length === 0) delete copy.meta;
    else copy.meta = rest;
  }
  if (Array.isArray(copy.extension)) {
    copy.extension = extensionsOf(copy).map((e) =>
      e?.url === AUDIT_CHAIN_URL && Array.isArray(e.extension)
        ? { ...e, extension: (e.extension as Extension[]).filter((s) => s?.url !== 'hash') }
        : e,
    );
  }
  return copy;
}

/** SHA-256 over the previous hash (its 32 bytes) followed by the UTF-8 canonical JSON of the hashed form. */
export function computeHash(previous: string, resource: unknown): string {
  if (!HEX_HASH.test(previous)) throw new TypeError('The previous hash must be 64 lower-case hex digits');
  return createHash('sha256')
    .update(Buffer.from(previous, 'hex'))
    .update(canonicalJson(hashedForm(resource)), 'utf8')
    .digest('hex');
}

/**
 * The chain link of a stored event, or undefined unless it has exactly one chain extension with
 * exactly one well-formed value of each sub-extension (a second, forged link must not be able to
 * hide behind the first).
 */
export function readChainLink(resource: unknown): ChainLink | undefined {
  if (typeof resource !== 'object' || resource === null) return undefined;
  const chains = extensionsOf(resource as Json).filter((e) => e?.url === AUDIT_CHAIN_URL);
  if (chains.length !== 1 || !Array.isArray(chains[0]!.extension)) return undefined;
  const subs = chains[0]!.extension as Extension[];
  const value = (url: string): string | undefined => {
    const found = subs.filter((s) => s?.url === url);
    return found.length === 1 && typeof found[0]!.valueString === 'string' ? found[0]!.valueString : undefined;
  };
  if (subs.length !== 3) return undefined;
  const sequence = value('sequence');
  const previous = value('previous');
  const hash = value('hash');
  if (sequence === undefined || !DECIMAL.test(sequence)) return undefined;
  if (previous === undefined || !HEX_HASH.test(previous) || hash === undefined || !HEX_HASH.test(hash)) return undefined;
  return { sequence: BigInt(sequence), previous, hash };
}

/**
 * The event as it is stored at `sequence` after the event whose hash is `previous`: a JSON copy
 * (what the store will keep, and safe from later changes by the caller) with the id set to the
 * sequence, any chain extension it arrived with replaced by the real one, and the hash.
 */
export function sealEvent(event: AuditEvent, sequence: bigint, previous: string): AuditEvent {
  const copy = JSON.parse(JSON.stringify(event)) as Json;
  const id = sequenceId(sequence);
  const others = extensionsOf(copy).filter((e) => e?.url !== AUDIT_CHAIN_URL);
  const link: Extension = {
    url: AUDIT_CHAIN_URL,
    extension: [
      { url: 'sequence', valueString: sequence.toString() },
      { url: 'previous', valueString: previous },
    ],
  };
  const sealed: Json = { ...copy, id, extension: [...others, link] };
  (link.extension as Extension[]).push({ url: 'hash', valueString: computeHash(previous, sealed) });
  return sealed as unknown as AuditEvent;
}
