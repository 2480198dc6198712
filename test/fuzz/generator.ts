// The case generator: case number `index` of a run with `seed` is always the same request (given
// the same world), so any failure can be replayed on its own (scripts/fuzz.ts --seed S --case K).
import type { Credentials, FuzzCase } from './case.js';
import { EDGE_FAMILIES } from './families-edge.js';
import { FHIR_FAMILIES } from './families-fhir.js';
import { Random } from './random.js';

export const FAMILIES = [...FHIR_FAMILIES, ...EDGE_FAMILIES];

/**
 * Node's HTTP parser refuses a request line plus headers above 16 KiB itself (431, before the
 * application). Cases here stay below, with room for Host and Content-Length; what happens above
 * the limit is test/fuzz/http-parser-limits.test.ts's subject.
 */
export const HEAD_BUDGET = 14 * 1024;

function headBytes(c: FuzzCase): number {
  return c.method.length + c.target.length + 12 + c.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
}

function fitHead(c: FuzzCase): FuzzCase {
  const headers = [...c.headers];
  let target = c.target;
  const size = () => headBytes({ ...c, target, headers });
  while (size() > HEAD_BUDGET && headers.length > 0) {
    let largest = 0;
    headers.forEach(([k, v], i) => { if (k.length + v.length > headers[largest]![0].length + headers[largest]![1].length) largest = i; });
    headers.splice(largest, 1);
  }
  if (size() > HEAD_BUDGET) target = target.slice(0, HEAD_BUDGET - 100);
  return { ...c, target, headers };
}

export function generateCase(seed: number, index: number, creds: Credentials): FuzzCase {
  const rnd = new Random(seed, index);
  return fitHead(rnd.weighted(FAMILIES)(rnd, creds));
}

/** A one-line description of a case, for failure reports. */
export function describeCase(c: FuzzCase): string {
  const body = c.body === undefined ? '' : ` body(${c.body.length} bytes)=${JSON.stringify(c.body.subarray(0, 300).toString('latin1'))}`;
  const headers = c.headers.map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v}`).join(' | ');
  return `[${c.family}] ${c.method} ${c.target.length > 300 ? `${c.target.slice(0, 300)}…(${c.target.length})` : c.target} {${headers}}${body}`;
}
