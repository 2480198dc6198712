// The hostile material the generators draw from: keys that pollute prototypes or act as MongoDB
// operators, values that are operators or injections, strings that break parsers and encodings.
import type { Random } from './random.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys that must never reach storage as keys (the store scan looks for them). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for a key that is an operator or path syntax in MongoDB, or pollutes a prototype. */
export function isHostileKey(k: string): boolean {
  return FORBIDDEN_KEYS.has(k) || k.startsWith('$') || k.includes('.');
}

export const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', '$gt', '$ne', '$where', '$regex', '$expr', '$set', '$function', '$in',
  'a.b', 'idx.p', '$', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf', '', ' ', 'resourceType ',
] as const;

/** Values a MongoDB query would treat as operators, and other values of surprising types. */
export function hostileValue(rnd: Random): Json {
  return rnd.pick<() => Json>([
    () => ({ $gt: '' }),
    () => ({ $ne: null }),
    () => ({ $where: 'sleep(1000) || true' }),
    () => ({ $regex: '.*', $options: 'si' }),
    () => ({ $in: ['a', 'b'] }),
    () => ({ $expr: { $eq: [1, 1] } }),
    () => withKey({ polluted: true }, '__proto__', { isAdmin: true }),
    () => withKey({}, 'constructor', { prototype: { isAdmin: true } }),
    () => [],
    () => ({}),
    () => null,
    () => true,
    () => 1e308,
    () => -0,
    () => 9007199254740993,
    () => rnd.pick(HOSTILE_STRINGS),
    () => [{ $gt: '' }],
  ])();
}

export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\uffff', '\u202e', '\u2028', '\ufeff', 'é', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', '%00', '%', '%%', '%zz', '\r\nX-Injected: 1',
  '<script>alert(1)</script>', '"; DROP TABLE resources; --', "' OR '1'='1", '{"$gt":""}', '$gt', '$where',
  '__proto__', 'constructor', 'Patient/../Slot/1', 'urn:uuid:', 'javascript:alert(1)', 'data:,x', '${jndi:ldap://x}',
  '{{7*7}}', 'NaN', 'Infinity', '-1', '1e400', '0x10', '2020-13-45', '2020-02-30T25:61:61Z', 'x'.repeat(300),
  'a'.repeat(10_000), '\\', '"', '|', ',', '\t', 'true', 'null',
];

/** An object with `key` as an own property, whatever the key (JSON.stringify writes it). */
export function withKey(base: Record<string, Json>, key: string, value: Json): { [k: string]: Json } {
  const out = Object.create(null) as { [k: string]: Json };
  for (const [k, v] of Object.entries(base)) out[k] = v;
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Byte sequences that are not UTF-8: overlong, lone continuation, surrogates, out of range, truncated. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xc0, 0xaf]), Buffer.from([0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xff]), Buffer.from([0xfe, 0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from([0xc1, 0xbf]),
];

/** Percent-encodings that decode to bytes that are not UTF-8, or are malformed themselves. */
export const BAD_PERCENT: readonly string[] = ['%C0%AF', '%80', '%ED%A0%80', '%FF', '%F4%90%80%80', '%E2%82', '%', '%2', '%G0', '%%30', '%u0041'];
