// FHIR XML text -> the JSON resource a client would have sent for it (http://hl7.org/fhir/R4/xml.html),
// which then goes through the same validation as JSON. The parser decides only what XML decides:
// well-formedness, namespaces, where values and ids sit, how repeats and primitive extensions line
// up, and the JSON type of each primitive from its definition. Everything the definitions judge
// (unknown elements, cardinality, value syntax) is left in the JSON for the validator to report,
// with the same expressions it gives for JSON bodies.
//
// Refused here with 400: anything not well-formed, a DOCTYPE (so no DTD, no entity declarations, no
// external entities: XXE), entities other than the five XML predefines, processing instructions
// other than the XML declaration, characters XML forbids, text where FHIR puts values in attributes,
// unexpected attributes or namespaces, and nesting deeper than MAX_XML_DEPTH. The parser is
// event-driven with an explicit stack, so depth costs memory, not call stack.
import type sax from 'sax';
import { errors } from '../../domain/errors.js';
import { illegalCharRef, XML_ILLEGAL_CHAR } from './chars.js';
import { FHIR_NS, primitiveExtrasShape, resourceShape, type JsonKind, type XmlElementInfo, type XmlShape } from './model.js';
import { newParser } from './sax-parser.js';
import { XHTML_NS } from './xhtml.js';

/**
 * Deepest element nesting accepted, narrative included. Real resources stay far below it; JSON
 * bodies are held to 100 object levels (src/fhir/validation/walker.ts), and XML spends up to two
 * elements per level (a primitive's element, a resource's wrapper).
 */
export const MAX_XML_DEPTH = 256;

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

type Json = Record<string, unknown>;

/**
 * object: a resource or a datatype/backbone object; primitive: an element with a value attribute;
 * holder: an element wrapping one resource (contained, Bundle.entry.resource); unknown: an element
 * the definitions do not have, kept as plain JSON so that validation names it.
 */
type Mode = 'object' | 'primitive' | 'holder' | 'unknown';

interface Field {
  info: XmlElementInfo | undefined;
  values: unknown[];
  /** A primitive's id and extensions (JSON's `_name`), aligned with values. */
  extras: (Json | null)[];
}

interface Frame {
  mode: Mode;
  name: string;
  info: XmlElementInfo | undefined;
  /** FHIRPath-style location, as the validator writes it: `Patient.name[0].given[1]`. */
  path: string;
  /** The shape of this element's children (for a primitive: the Element type's id and extension). */
  shape: XmlShape | undefined;
  /** The object being built: attributes land here; for a primitive, its `_name` object. */
  obj: Json;
  fields: Map<string, Field>;
  /** A primitive's typed value, or an unknown element's value attribute. */
  value?: unknown;
  /** A holder's resource(s). */
  resources: Json[];
}

/** Parses one FHIR XML document into its JSON form; throws a 400 FhirError for anything XML refuses. */
export function parseXml(input: string): Json {
  return new XmlToJson(input).run();
}

class XmlToJson {
  private readonly text: string;
  private readonly parser: sax.SAXParser;
  private readonly stack: Frame[] = [];
  private result: Json | undefined;
  private rootSeen = false;
  /** Inside narrative: element depth within the div, and where the div's start tag begins. */
  private xhtmlDepth = 0;
  private xhtmlStart = 0;
  private attrNames = new Set<string>();

  constructor(input: string) {
    // XML end-of-line handling (XML 1.0 §2.11), done before offsets are taken so narrative slices agree.
    this.text = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
    this.parser = newParser(true);
  }

  run(): Json {
    this.checkCharacters();
    const p = this.parser;
    p.onerror = (e) => this.fail(`The body is not well-formed XML: ${e.message.split('\n')[0]}`);
    p.ondoctype = () => this.fail('DOCTYPE declarations are not accepted: FHIR XML has no DTD, and entity declarations are refused');
    p.onprocessinginstruction = (pi) => this.instruction(pi);
    p.onopentagstart = () => this.attrNames.clear();
    p.onattribute = (a) => {
      if (this.attrNames.has(a.name)) this.fail(`Attribute ${a.name} appears twice`);
      this.attrNames.add(a.name);
    };
    p.onopentag = (tag) => this.open(tag as sax.QualifiedTag);
    p.onclosetag = () => this.close();
    p.ontext = (t) => this.textContent(t);
    p.oncdata = (t) => this.textContent(t);
    p.write(this.text).close();
    if (!this.result) this.fail('The body holds no XML element');
    return this.result!;
  }

  private checkCharacters(): void {
    const i = this.text.search(XML_ILLEGAL_CHAR);
    if (i >= 0) throw errors.structure(`The body contains a character XML does not allow (U+${this.text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase()})`);
    const ref = illegalCharRef(this.text);
    if (ref) throw errors.structure(`The body refers to a character XML does not allow (${ref})`);
  }

  private fail(message: string, at?: string): never {
    const p = this.parser;
    const where = at ?? this.stack[this.stack.length - 1]?.path;
    throw errors.structure(`${message} (line ${p.line + 1}, column ${p.column})`, where);
  }

  private instruction(pi: { name: string; body: string }): void {
    if (pi.name.toLowerCase() !== 'xml' || this.rootSeen) this.fail(`Processing instructions are not accepted (<?${pi.name} ...?>)`);
    const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(pi.body)?.[1];
    if (enc !== undefined && !/^utf-?8$/i.test(enc)) this.fail(`Only UTF-8 is accepted, the document declares ${enc}`);
  }

  private textContent(t: string): void {
    if (this.xhtmlDepth > 0 || this.stack.length === 0) return;
    if (/\S/.test(t)) this.fail('Text is not allowed here: FHIR XML puts values in value attributes');
  }

  private open(tag: sax.QualifiedTag): void {
    if (this.stack.length + this.xhtmlDepth >= MAX_XML_DEPTH) this.fail(`Elements nested deeper than ${MAX_XML_DEPTH} levels are not accepted`);
    if (this.xhtmlDepth > 0) {
      this.xhtmlDepth++;
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (this.rootSeen) this.fail('A document holds one resource: a second root element is not accepted');
      this.rootSeen = true;
      this.openResource(tag, undefined);
      return;
    }
    if (parent.mode === 'holder') {
      if (parent.resources.length > 0) this.fail(`${parent.name} holds exactly one resource`, parent.path);
      this.openResource(tag, parent);
      return;
    }
    const name = tag.local;
    const info = parent.mode === 'unknown' ? undefined : parent.shape?.byName.get(name);
    if (tag.uri === XHTML_NS && info?.form === 'xhtml') {
      // Narrative is kept as written: the exact text of the element, from its '<' to its end tag.
      this.xhtmlStart = this.parser.startTagPosition - 1;
      this.xhtmlDepth = 1;
      return;
    }
    const index = parent.fields.get(name)?.values.length ?? 0;
    const path = `${parent.path}.${name}${info?.repeats ? `[${index}]` : ''}`;
    if (tag.uri !== FHIR_NS) {
      this.fail(info?.form === 'xhtml'
        ? `Narrative must be an XHTML div (xmlns="${XHTML_NS}")`
        : `Element ${tag.name} is not in the FHIR namespace (${FHIR_NS})`, path);
    }
    if (info?.form === 'xhtml') this.fail(`Narrative must be an XHTML div (xmlns="${XHTML_NS}")`, path);
    if (parent.shape?.attributes.has(name)) this.fail(`${name} is an attribute of ${parent.name} in FHIR XML, not an element`, path);
    const mode: Mode = !info ? 'unknown'
      : info.form === 'primitive' ? 'primitive'
        : info.form === 'resource' ? 'holder'
          : info.shape ? 'object' : 'unknown';
    const shape = mode === 'primitive' ? primitiveExtrasShape() : mode === 'object' ? info!.shape : undefined;
    const frame: Frame = { mode, name, info, path, shape, obj: {}, fields: new Map(), resources: [] };
    this.stack.push(frame);
    this.attributes(tag, frame);
  }

  private openResource(tag: sax.QualifiedTag, holder: Frame | undefined): void {
    const path = holder?.path ?? tag.local;
    if (tag.uri !== FHIR_NS) this.fail(`A resource must be in the FHIR namespace: <${tag.local} xmlns="${FHIR_NS}">`, path);
    const shape = resourceShape(tag.local);
    // An unknown type still becomes JSON, so validation answers exactly as it would for a JSON body.
    const frame: Frame = {
      mode: shape ? 'object' : 'unknown', name: tag.local, info: undefined, path, shape,
      obj: { resourceType: tag.local }, fields: new Map(), resources: [],
    };
    this.stack.push(frame);
    this.attributes(tag, frame);
  }

  private attributes(tag: sax.QualifiedTag, frame: Frame): void {
    for (const a of Object.values(tag.attributes)) {
      if (a.uri === XMLNS_NS || (a.uri === XSI_NS && a.local === 'schemaLocation')) continue;
      if (a.prefix !== '') this.fail(`Attribute ${a.name} is not allowed on ${frame.name}`);
      if (frame.mode === 'unknown') {
        if (a.name === 'value') frame.value = a.value;
        else setMember(frame.obj, a.name, a.value);
        continue;
      }
      if (a.name === 'value') {
        if (frame.mode !== 'primitive') {
          this.fail(`${frame.name} is ${article(frame.info?.typeName ?? 'resource')}, which has no value attribute`);
        }
        frame.value = typed(frame.info!.json, a.value);
      } else if (frame.shape?.attributes.has(a.name)) {
        setMember(frame.obj, a.name, a.value);
      } else if (a.name === 'id' && frame.shape?.isResource) {
        this.fail(`A resource's id is an element, <id value=".."/>, not an attribute`);
      } else {
        this.fail(`Attribute ${a.name} is not allowed on ${frame.name}`);
      }
    }
  }

  private close(): void {
    if (this.xhtmlDepth > 0) {
      if (--this.xhtmlDepth === 0) {
        const owner = this.stack[this.stack.length - 1]!;
        const div = this.text.slice(this.xhtmlStart, this.parser.position);
        addValue(owner, 'div', owner.shape?.byName.get('div'), div, null);
      }
      return;
    }
    const frame = this.stack.pop()!;
    const parent = this.stack[this.stack.length - 1];
    const { value, extras } = finish(frame);
    if (!parent) this.result = value as Json;
    else if (parent.mode === 'holder') parent.resources.push(value as Json);
    else addValue(parent, frame.name, frame.info, value, extras);
  }
}

function addValue(frame: Frame, name: string, info: XmlElementInfo | undefined, value: unknown, extras: Json | null): void {
  let field = frame.fields.get(name);
  if (!field) frame.fields.set(name, (field = { info, values: [], extras: [] }));
  field.values.push(value);
  field.extras.push(extras);
}

/** The JSON for a closed element: its value, and for a primitive its `_name` object (or null). */
function finish(frame: Frame): { value: unknown; extras: Json | null } {
  switch (frame.mode) {
    case 'holder':
      return { value: frame.resources[0] ?? null, extras: null };
    case 'primitive': {
      const extras = members(frame);
      return { value: frame.value ?? null, extras: Object.keys(extras).length > 0 ? extras : null };
    }
    case 'object':
      return { value: members(frame), extras: null };
    case 'unknown': {
      const obj = members(frame);
      if (frame.value === undefined) return { value: obj, extras: null };
      if (Object.keys(obj).length === 0) return { value: frame.value, extras: null };
      setMember(obj, 'value', frame.value);
      return { value: obj, extras: null };
    }
  }
}

/**
 * The object's JSON members from its attributes and child elements. A repeating element becomes an
 * array; so does a single one that occurred more than once, which validation then reports. Primitive
 * values and their `_name` objects are aligned with nulls, as JSON requires.
 */
function members(frame: Frame): Json {
  const obj = frame.obj;
  for (const [name, f] of frame.fields) {
    const asArray = f.info?.repeats === true || f.values.length > 1;
    if (f.info?.form !== 'primitive') {
      setMember(obj, name, asArray ? f.values : f.values[0]);
      continue;
    }
    const anyValue = f.values.some((v) => v !== null);
    const anyExtras = f.extras.some((e) => e !== null);
    if (asArray) {
      // An item with neither value nor extension stays a null, which validation refuses by position.
      if (anyValue || !anyExtras) setMember(obj, name, f.values);
      if (anyExtras) setMember(obj, `_${name}`, f.extras);
    } else {
      if (anyValue || !anyExtras) setMember(obj, name, f.values[0]);
      if (anyExtras) setMember(obj, `_${name}`, f.extras[0]);
    }
  }
  return obj;
}

/**
 * Element names come from the client. Plain assignment of `__proto__` would replace the object's
 * prototype (values visible to property reads, invisible to Object.keys); JSON.parse makes it an
 * ordinary own member, which validation then refuses as unknown, and so does this.
 */
function setMember(obj: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A value attribute typed as JSON would carry it; text that is not a JSON boolean/number stays a string, for validation to refuse. */
function typed(kind: JsonKind, raw: string): unknown {
  if (kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (kind === 'number') return JSON_NUMBER.test(raw) ? Number(raw) : raw;
  return raw;
}

function article(type: string): string {
  return `${/^[AEIOU]/i.test(type) ? 'an' : 'a'} ${type}`;
}
