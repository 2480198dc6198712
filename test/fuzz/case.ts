// One fuzz case — a single HTTP request, fully determined by (seed, case number) — and the pieces
// the families share: who sends it, with which content type, and how a query string is written.
import { BAD_PERCENT, HOSTILE_STRINGS } from './hostile.js';
import type { Random } from './random.js';

export interface FuzzCase {
  family: string;
  method: string;
  /** The request target, as latin1 (any byte can be sent). */
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** What a 4xx must look like: an OperationOutcome, an OAuth error (RFC 6749 §5.2), or either. */
  format: 'fhir' | 'oauth' | 'any';
}

/** The bearer headers of the fuzz world (test/fuzz/world.ts), by principal. */
export interface Credentials {
  /** Valid tokens of real roles. */
  valid: readonly string[];
  /** For each resource type, a valid token of a role that may write it (so mutated writes reach the rules and the store). */
  writerOf: Readonly<Record<string, string>>;
  /** Tokens with a valid signature and garbage claims (hostile roles, scopes, organisations). */
  oddClaims: readonly string[];
  /** Well-formed tokens signed by a key the server does not trust. */
  untrusted: string;
}

export function authHeader(rnd: Random, creds: Credentials): [string, string][] {
  return rnd.weighted<() => [string, string][]>([
    [14, () => [['Authorization', rnd.pick(creds.valid)]]],
    [2, () => [['Authorization', rnd.pick(creds.oddClaims)]]],
    [1, () => []],
    [1, () => [['Authorization', creds.untrusted]]],
    [1, () => [['Authorization', rnd.pick([
      'Bearer', 'Bearer ', 'Bearer a.b.c', 'Bearer ....', 'Basic YWRtaW46YWRtaW4=', 'bearer x', `Bearer ${'A'.repeat(9000)}`,
      `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"estate-admin","scope":"user/*.*"}').toString('base64url')}.`,
      `Bearer ${Buffer.from('{"alg":"HS256","kid":"../../etc/passwd"}').toString('base64url')}.e30.AAAA`,
      'Negotiate TlRMTVNTUAAB', 'Bearer \u00e9\u00ff',
    ])]]],
  ])();
}

export const FHIR_JSON = 'application/fhir+json';

export function contentType(rnd: Random, usual = FHIR_JSON): [string, string][] {
  return rnd.weighted<() => [string, string][]>([
    [12, () => [['Content-Type', usual]]],
    [2, () => [['Content-Type', 'application/json']]],
    [1, () => []],
    [1, () => [['Content-Type', rnd.pick([
      'application/fhir+xml', 'application/xml', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/json-patch+json', 'application/fhir+json; charset=utf-16', 'application/fhir+json; charset=latin1', 'application/fhir+json;;;', '*/*',
      'application/fhir+json; fhirVersion=9.9', 'text/html', 'application/octet-stream', 'application/vnd.api+json', 'x'.repeat(300),
    ])]]],
    [0.1, () => [['Content-Type', rnd.pick(['constructor', '__proto__', 'toString'])]]],
  ])();
}

export function acceptHeader(rnd: Random): [string, string][] {
  return rnd.weighted<() => [string, string][]>([
    [12, () => []],
    [2, () => [['Accept', rnd.pick(['application/fhir+json', 'application/json', '*/*'])]]],
    [1, () => [['Accept', rnd.pick(['application/fhir+xml', 'application/xml', 'text/html', 'image/png', '*/*;q=abc', 'application/fhir+json;q=0', ',,,', 'application/*'])]]],
    [0.1, () => [['Accept', rnd.pick(['constructor', '__proto__', 'hasOwnProperty'])]]],
  ])();
}

/** Encodes a query component the usual way, or leaves hostile bytes as they are. */
export function queryPart(rnd: Random, s: string): string {
  if (rnd.chance(0.85)) return encodeComponent(s).replace(/%24/g, rnd.chance(0.5) ? '$' : '%24');
  // Raw, except what HTTP/1.1 does not allow in a request target at all (Node's parser answers those
  // itself, before the application: test/fuzz/http-parser-limits.test.ts covers them).
  return rawTarget(s);
}

export function queryString(rnd: Random, pairs: [string, string][]): string {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => (rnd.chance(0.03) ? queryPart(rnd, k) : `${queryPart(rnd, k)}=${queryPart(rnd, v)}`)).join('&')}`;
}

/** A hostile or malformed value for a query parameter. */
export function badQueryValue(rnd: Random): string {
  return rnd.weighted<() => string>([
    [4, () => rnd.pick(HOSTILE_STRINGS)],
    [2, () => JSON.stringify(rnd.pick([{ $gt: '' }, { $ne: null }, { $where: '1' }, { $regex: '.*' }, ['a', 'b']]))],
    [1, () => rnd.pick(BAD_PERCENT)],
    [1, () => Array.from({ length: rnd.between(2, 200) }, () => rnd.string(3)).join(',')],
    [1, () => `${rnd.pick(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap', 'zz'])}${rnd.pick(['2020', '2020-01-01T00:00:00Z', '1e999', '-0', 'abc', ''])}`],
    [1, () => `${rnd.string(3)}|${rnd.string(3)}|${rnd.string(3)}`],
  ])();
}

/** Percent-encodes the UTF-8 bytes of `c` (a lone surrogate becomes U+FFFD's, as Buffer writes it). */
function pct(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** encodeURIComponent that never throws (it does on lone surrogates). */
export function encodeComponent(s: string): string {
  return s.replace(/[^A-Za-z0-9\-_.!~*'()]/gu, pct);
}

/** `s` with every byte outside printable ASCII percent-encoded (the rest, hostile or not, left raw). */
export function rawTarget(s: string): string {
  return s.replace(/[^\u0021-\u007e]/gu, pct);
}
