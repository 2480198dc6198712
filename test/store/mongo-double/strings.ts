// MongoDB compares strings by their UTF-8 bytes, which is code point order; JavaScript (and so
// mingo) compares UTF-16 code units, which differs for characters above U+FFFF versus those in
// U+E000..U+FFFF. The double therefore stores every string value with its code units remapped so
// that UTF-16 order of the stored form equals code point order of the original:
//   U+E000..U+FFFF -> U+D800..U+F7FF      surrogates U+D800..U+DFFF -> U+F800..U+FFFF
// Filters and update documents are remapped the same way on the way in (a literal regex keeps
// matching, since both sides move together) and results are mapped back on the way out. Field names
// are left alone. The walk also deep-copies, so nothing is shared with the caller.
function mapUnits(s: string, f: (c: number) => number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(f(s.charCodeAt(i)));
  return out;
}

const toStored = (c: number) => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c);
const fromStored = (c: number) => (c >= 0xf800 ? c - 0x2000 : c >= 0xd800 ? c + 0x800 : c);

function walk<T>(v: T, f: (c: number) => number): T {
  if (typeof v === 'string') return (/[\ud800-\uffff]/.test(v) ? mapUnits(v, f) : v) as T;
  if (Array.isArray(v)) return v.map((x) => walk(x, f)) as T;
  if (v instanceof RegExp) return new RegExp(mapUnits(v.source, f), v.flags) as T;
  // A BSON date is a value like a number (a TTL index needs one); copying it keeps it a Date.
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, f);
    return out as T;
  }
  return v;
}

/** The stored (code point ordered) deep copy of a document, filter or update. */
export function inbound<T>(v: T): T {
  return walk(v, toStored);
}

/** The caller's view (deep copy) of stored documents. */
export function outbound<T>(v: T): T {
  return walk(v, fromStored);
}
