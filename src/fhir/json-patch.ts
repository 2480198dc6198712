// JSON Patch (RFC 6902) applied to a copy of a resource. Pointer syntax follows RFC 6901.
// Failures are FhirErrors naming the operation at fault (`Patch[2].path`).
import { errors } from '../domain/errors.js';
import { isPlainObject } from '../domain/fhir.js';

type Json = unknown;
interface Op { op: string; path: string; from?: string; value?: Json }

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function applyJsonPatch(doc: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw errors.badRequest('A JSON Patch document must be an array of operations', 'Patch');
  let out = structuredClone(doc);
  patch.forEach((raw, i) => {
    const at = `Patch[${i}]`;
    const op = checkOp(raw, at);
    out = applyOne(out, op, at);
  });
  return out;
}

function checkOp(raw: unknown, at: string): Op {
  if (!isPlainObject(raw)) throw errors.badRequest('Each patch operation must be an object', at);
  const { op, path, from } = raw;
  if (typeof op !== 'string' || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op)) {
    throw errors.badRequest(`Unknown patch operation ${JSON.stringify(op)}`, `${at}.op`);
  }
  if (typeof path !== 'string') throw errors.badRequest('Patch operation needs a string path', `${at}.path`);
  if ((op === 'move' || op === 'copy') && typeof from !== 'string') throw errors.badRequest(`${op} needs a string from`, `${at}.from`);
  if (['add', 'replace', 'test'].includes(op) && !('value' in raw)) throw errors.badRequest(`${op} needs a value`, `${at}.value`);
  return raw as unknown as Op;
}

function parsePointer(p: string, at: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw errors.badRequest(`Invalid JSON pointer ${JSON.stringify(p)}`, `${at}.path`);
  return p
    .slice(1)
    .split('/')
    .map((s) => {
      const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
      if (FORBIDDEN_KEYS.has(key)) throw errors.badRequest(`Patch path segment ${key} is not allowed`, `${at}.path`);
      return key;
    });
}

function fail(msg: string, at: string): never {
  throw errors.invalid(msg, at, 'processing');
}

function get(doc: Json, keys: string[], at: string): Json {
  let cur = doc;
  for (const k of keys) {
    if (Array.isArray(cur)) {
      const idx = arrayIndex(k, cur.length - 1, at);
      cur = cur[idx];
    } else if (isPlainObject(cur) && Object.hasOwn(cur, k)) {
      cur = cur[k];
    } else fail(`Patch path does not exist`, at);
  }
  return cur;
}

function arrayIndex(k: string, max: number, at: string): number {
  if (!/^(0|[1-9]\d*)$/.test(k)) fail(`Array index ${JSON.stringify(k)} is not valid`, at);
  const idx = Number(k);
  if (idx > max) fail(`Array index ${idx} is out of range`, at);
  return idx;
}

function parentOf(doc: Json, keys: string[], at: string): { parent: Json; key: string } {
  if (keys.length === 0) fail('The whole document cannot be the target of this operation', at);
  return { parent: get(doc, keys.slice(0, -1), at), key: keys[keys.length - 1]! };
}

function add(doc: Json, keys: string[], value: Json, at: string): Json {
  if (keys.length === 0) return value;
  const { parent, key } = parentOf(doc, keys, at);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : arrayIndex(key, parent.length, at);
    parent.splice(idx, 0, value);
  } else if (isPlainObject(parent)) parent[key] = value;
  else fail('Patch target parent is not a container', at);
  return doc;
}

function remove(doc: Json, keys: string[], at: string): Json {
  const { parent, key } = parentOf(doc, keys, at);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1, at), 1);
  else if (isPlainObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else fail('Patch path does not exist', at);
  return doc;
}

function applyOne(doc: Json, op: Op, at: string): Json {
  const keys = parsePointer(op.path, at);
  switch (op.op) {
    case 'add':
      return add(doc, keys, structuredClone(op.value), at);
    case 'remove':
      return remove(doc, keys, at);
    case 'replace':
      get(doc, keys, at);
      return add(keys.length ? remove(doc, keys, at) : doc, keys, structuredClone(op.value), at);
    case 'move': {
      const fromKeys = parsePointer(op.from!, at);
      const value = get(doc, fromKeys, at);
      return add(remove(doc, fromKeys, at), keys, value, at);
    }
    case 'copy':
      return add(doc, keys, structuredClone(get(doc, parsePointer(op.from!, at), at)), at);
    case 'test':
      if (!deepEqual(get(doc, keys, at), op.value)) fail('Patch test operation failed', at);
      return doc;
    default:
      return fail(`Unknown patch operation ${op.op}`, at);
  }
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
