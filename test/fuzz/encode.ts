// Turning a document into request body bytes — correctly, or broken in one of the ways parsers
// meet in the wild: truncated or malformed JSON, bytes that are not UTF-8, nesting deep enough to
// exhaust a recursive reader, arrays big enough to cost, and XML with entities.
import { INVALID_UTF8, type Json } from './hostile.js';
import type { Random } from './random.js';

/** The body limit of the server (BODY_LIMIT default): bodies above it must get a 413. */
export const BODY_LIMIT = 5 * 1024 * 1024;

function brokenJson(rnd: Random, text: string): string {
  return rnd.pick<() => string>([
    () => text.slice(0, rnd.int(Math.max(1, text.length))),
    () => `${text}${rnd.pick(['}', ']', ',', 'x', '\u0000', ' {}'])}`,
    () => text.replace(/"/g, "'"),
    () => text.replace(/\}$/, ',}'),
    () => text.replace(/:/, ': NaN, "x":'),
    () => text.replace(/:/, ': Infinity, "x":'),
    () => `/* comment */${text}`,
    () => `\ufeff${text}`,
    () => text.replace(/"resourceType"/, '"resourceType": "Slot", "resourceType"'),
    () => rnd.pick(['', ' ', 'null', '[]', '"Patient"', '42', 'true', '{', '}', '{"a":', '{"a" "b"}', '[1,]', '{"a":1}}', '\u0000']),
    () => text.replace(/"(\w)/, '"\\u00$1'),
    () => text.replace(/"(\w)/, '"\\ud800$1'),
  ])();
}

/** Inserts bytes that are not UTF-8 inside the text (in a string value when there is one). */
function invalidUtf8(rnd: Random, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const at = Math.max(0, bytes.indexOf('"', rnd.int(bytes.length)) + 1);
  return Buffer.concat([bytes.subarray(0, at), rnd.pick(INVALID_UTF8), bytes.subarray(at)]);
}

/** A document nested `depth` levels (built as text: no recursion here). */
export function deepJson(rnd: Random, depth: number): string {
  const kind = rnd.int(3);
  if (kind === 0) return `{"resourceType":"Patient","extension":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  if (kind === 1) return `{"resourceType":"Patient","contained":[${'{"resourceType":"Patient","contained":['.repeat(depth)}${']}'.repeat(depth)}]}`;
  return `{"resourceType":"Patient","name":[${'{"extension":'.repeat(depth)}null${'}'.repeat(depth)}]}`;
}

/** A Patient with a name list of `n` entries (about 25 bytes each). */
export function hugeArray(n: number): string {
  return `{"resourceType":"Patient","name":[${Array(n).fill('{"family":"x","given":["y"]}').join(',')}]}`;
}

function billionLaughs(): string {
  const defs = ['<!ENTITY a0 "ha">'];
  for (let i = 1; i < 10; i++) defs.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?><!DOCTYPE Patient [${defs.join('')}]><Patient xmlns="http://hl7.org/fhir"><name><family value="&a9;"/></name></Patient>`;
}

/** XML bodies: well-formed FHIR, broken, or hostile (external entities, entity expansion). */
export function xmlBody(rnd: Random): string {
  return rnd.pick<() => string>([
    () => '<Patient xmlns="http://hl7.org/fhir"><name><family value="Smith"/></name></Patient>',
    () => '<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"><name><family value="&xxe;"/></name></Patient>',
    billionLaughs,
    () => '<Patient xmlns="http://hl7.org/fhir"><name><family value="x"></name></Patient>',
    () => '<Patient xmlns="http://hl7.org/fhir"><__proto__ value="x"/><constructor><prototype value="1"/></constructor></Patient>',
    () => '<Patient xmlns="http://hl7.org/fhir"><id value="../../x"/><birthDate value="1970-13-45"/></Patient>',
    () => `<Patient xmlns="http://hl7.org/fhir">${'<extension>'.repeat(5000)}${'</extension>'.repeat(5000)}</Patient>`,
    () => '<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/><entry><resource><Patient/></resource></entry></Bundle>',
    () => '<?xml version="1.0" encoding="ISO-8859-1"?><Patient xmlns="http://hl7.org/fhir"/>',
    () => '<Patient xmlns="http://evil"><name/></Patient>',
    () => '<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div></text></Patient>',
    () => '<',
    () => '<![CDATA[x]]>',
  ])();
}

/** Body bytes for `doc`: mostly correct JSON, otherwise broken in one way. */
export function encodeBody(rnd: Random, doc: Json): Buffer {
  let text: string;
  try {
    text = JSON.stringify(doc);
  } catch (e) {
    // Mutations nested it beyond what JSON.stringify's recursion takes: send deep nesting as text.
    if (!(e instanceof RangeError)) throw e;
    text = deepJson(rnd, 100_000);
  }
  return rnd.weighted<() => Buffer>([
    [10, () => Buffer.from(text, 'utf8')],
    [3, () => Buffer.from(brokenJson(rnd, text), 'utf8')],
    [2, () => invalidUtf8(rnd, text)],
    [1, () => Buffer.from(deepJson(rnd, rnd.pick([100, 1000, 10_000, 100_000, 1_000_000])), 'utf8')],
    [1, () => Buffer.from(hugeArray(rnd.pick([1000, 50_000, 150_000, Math.ceil(BODY_LIMIT / 25) + 1000])), 'utf8')],
    [1, () => Buffer.from(xmlBody(rnd), 'utf8')],
  ])();
}
