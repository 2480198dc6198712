// Mutations of a JSON document: wrong types, hostile keys and values, missing and unknown elements,
// deep nesting, oversized arrays. Each takes a copy apart at a random place; a few rounds of them
// turn a valid resource into something just wrong enough to test every layer that reads it.
import { HOSTILE_KEYS, HOSTILE_STRINGS, hostileValue, withKey, type Json } from './hostile.js';
import type { Random } from './random.js';

type Container = Json[] | { [k: string]: Json };
interface Place {
  parent: Container;
  key: string | number;
}

function isContainer(v: Json): v is Container {
  return typeof v === 'object' && v !== null;
}

/** Every place in the document that holds a value (capped, so huge documents stay cheap). */
function places(doc: Json, limit = 2000): Place[] {
  const out: Place[] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0 && out.length < limit) {
    const node = stack.pop()!;
    if (!isContainer(node)) continue;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      out.push({ parent: node, key });
      stack.push((node as Record<string | number, Json>)[key]!);
    }
  }
  return out;
}

function containers(doc: Json): Container[] {
  const out: Container[] = isContainer(doc) ? [doc] : [];
  for (const p of places(doc)) {
    const v = (p.parent as Record<string | number, Json>)[p.key]!;
    if (isContainer(v)) out.push(v);
  }
  return out;
}

function set(p: Place, value: Json): void {
  if (Array.isArray(p.parent)) p.parent[p.key as number] = value;
  else Object.defineProperty(p.parent, p.key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value of a different JSON type than `v`. */
export function wrongType(rnd: Random, v: Json): Json {
  const choices: Json[] = [null, true, 0, -1.5, 1e21, '', 'text', [], {}, [v], { value: v }];
  const kind = (x: Json) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
  const other = choices.filter((c) => kind(c) !== kind(v));
  return rnd.pick(other);
}

function nest(rnd: Random, v: Json, depth: number): Json {
  let out = v;
  const arrays = rnd.chance(0.5);
  for (let i = 0; i < depth; i++) out = arrays ? [out] : { extension: out };
  return out;
}

const MUTATIONS: [number, (rnd: Random, doc: Json) => Json][] = [
  [4, (rnd, doc) => { const ps = places(doc); if (ps.length) { const p = rnd.pick(ps); set(p, wrongType(rnd, (p.parent as Record<string | number, Json>)[p.key]!)); } return doc; }],
  [4, (rnd, doc) => {
    const cs = containers(doc).filter((c) => !Array.isArray(c)) as { [k: string]: Json }[];
    if (cs.length) Object.defineProperty(rnd.pick(cs), rnd.pick(HOSTILE_KEYS), { value: hostileValue(rnd), enumerable: true, writable: true, configurable: true });
    return doc;
  }],
  [3, (rnd, doc) => { const ps = places(doc); if (ps.length) set(rnd.pick(ps), hostileValue(rnd)); return doc; }],
  [3, (rnd, doc) => { const ps = places(doc).filter((p) => typeof (p.parent as Record<string | number, Json>)[p.key] === 'string'); if (ps.length) set(rnd.pick(ps), rnd.pick(HOSTILE_STRINGS)); return doc; }],
  [2, (rnd, doc) => {
    const ps = places(doc).filter((p) => !Array.isArray(p.parent));
    if (ps.length) { const p = rnd.pick(ps); delete (p.parent as Record<string, Json>)[p.key as string]; }
    return doc;
  }],
  [2, (rnd, doc) => { const ps = places(doc); if (ps.length) { const p = rnd.pick(ps); set(p, nest(rnd, (p.parent as Record<string | number, Json>)[p.key]!, rnd.pick([3, 30, 200, 1000]))); } return doc; }],
  [1, (rnd, doc) => {
    const arrays = containers(doc).filter(Array.isArray) as Json[][];
    if (arrays.length) {
      const a = rnd.pick(arrays);
      const first = a[0] ?? 'x';
      // At most about 2 MB more, whatever the element.
      const n = Math.min(rnd.pick([100, 1000, 20_000]), Math.floor(2_000_000 / (JSON.stringify(first)?.length ?? 4)));
      for (let i = 0; i < n; i++) a.push(first);
    }
    return doc;
  }],
  [2, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, rnd.pick(['unknownElement', 'foo', '_birthDate', 'fhir_comments', 'resourceType']), hostileValue(rnd)) : doc)],
  [2, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'resourceType', rnd.pick<Json>(['Patient', 'Slot', 'AuditEvent', 'Bundle', 'Parameters', 'DomainResource', 'patient', 'Nope', '', 42, null, { $gt: '' }])) : doc)],
  [2, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'id', rnd.pick<Json>(['../../etc/passwd', 'a/b', '', ' ', 'x'.repeat(65), 'fz-patient-1', 'ok-id', 7, { $ne: null }, '%2e%2e'])) : doc)],
  [2, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'meta', rnd.pick<Json>([
    { versionId: '999', lastUpdated: 'yesterday' }, { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
    { security: [{ code: { $gt: '' } }] }, { tag: 'x' }, [], { versionId: 1 }, { profile: ['http://evil/x'] },
  ])) : doc)],
  [1, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'contained', rnd.pick<Json>([
    [{ resourceType: 'Patient', id: 'c1', contained: [{ resourceType: 'Patient' }] }], [{}], 'x', [{ resourceType: 'Bundle', type: 'transaction' }],
  ])) : doc)],
  [1, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'text', rnd.pick<Json>([
    { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>' },
    { status: 'generated', div: '<div><img src=x onerror=alert(1)></div>' }, { status: 'generated', div: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><div>&e;</div>' },
  ])) : doc)],
  [1, (rnd, doc) => (isContainer(doc) && !Array.isArray(doc) ? withKey(doc, 'extension', [{ url: rnd.pick(HOSTILE_STRINGS), valueString: rnd.pick(HOSTILE_STRINGS) }]) : doc)],
];

/** A deep copy, or `doc` itself when it is nested too deeply to copy (JSON.stringify recurses). */
function copy(doc: Json): Json {
  try {
    return JSON.parse(JSON.stringify(doc)) as Json;
  } catch (e) {
    if (e instanceof RangeError) return doc;
    throw e;
  }
}

/** `rounds` random mutations of a copy of `doc`. */
export function mutate(rnd: Random, doc: Json, rounds = 1): Json {
  let out: Json = copy(doc);
  for (let i = 0; i < rounds; i++) out = rnd.weighted(MUTATIONS)(rnd, out);
  return out;
}
