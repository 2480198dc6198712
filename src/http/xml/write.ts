// JSON resource -> FHIR XML text (http://hl7.org/fhir/R4/xml.html). Elements come out in definition
// order whatever the JSON order; primitives become `value` attributes, their `_name` companions the
// element's id attribute and extension children; a nested resource is wrapped in an element named by
// its type; narrative is copied verbatim after checking it is one XHTML div. Only serialize.ts calls
// this, with values the access layer released.
import type { ReleasedBody } from '../../fhir/types.js';
import { XML_ILLEGAL_CHAR } from './chars.js';
import { FHIR_NS, primitiveExtrasShape, resourceShape, type XmlElementInfo, type XmlShape } from './model.js';
import { isStandaloneXhtmlDiv } from './xhtml.js';

/** The value holds something FHIR XML cannot express (a control character, a malformed narrative). */
export class XmlUnrepresentableError extends Error {
  constructor(readonly at: string, reason: string) {
    super(`${at}: ${reason}`);
    this.name = 'XmlUnrepresentableError';
  }
}

type Json = Record<string, unknown>;

/** The document for one resource or Bundle, with an XML declaration; `pretty` indents by two spaces. */
export function writeXml(body: ReleasedBody, pretty: boolean): string {
  const w = new Writer(pretty);
  w.resource(body as unknown as Json, 0, true);
  return pretty ? `${w.out}\n` : w.out;
}

class Writer {
  out = '<?xml version="1.0" encoding="UTF-8"?>';
  /** Where the writer is, kept as segments and joined only for a message. */
  private readonly path: string[] = [];
  constructor(private readonly pretty: boolean) {}

  private at(last?: string): string {
    return last === undefined ? this.path.join('') : this.path.join('') + last;
  }

  private indent(depth: number): void {
    if (this.pretty) this.out += `\n${'  '.repeat(depth)}`;
  }

  resource(value: Json, depth: number, root: boolean): void {
    const type = value.resourceType;
    const shape = typeof type === 'string' ? resourceShape(type) : undefined;
    // The tag name comes from data, so only a real R4 type name may become one.
    if (!shape) throw new Error(`Cannot write a resource of type ${String(type)} as FHIR XML (at ${this.at() || 'the root'})`);
    if (root) this.path.push(type as string);
    this.indent(depth);
    this.out += root ? `<${type} xmlns="${FHIR_NS}">` : `<${type}>`;
    const wrote = this.children(value, shape, depth + 1);
    if (wrote) this.indent(depth);
    this.out += `</${type}>`;
  }

  /** The child elements of an object, in definition order; anything unknown is a server fault. Says whether there were any. */
  private children(obj: Json, shape: XmlShape, depth: number): boolean {
    const present: XmlElementInfo[] = [];
    for (const key in obj) {
      if (shape.attributes.has(key) || (key === 'resourceType' && shape.isResource)) continue;
      const isExtras = key.charCodeAt(0) === 0x5f; // `_name`: a primitive's id and extensions
      const info = shape.byName.get(isExtras ? key.slice(1) : key);
      if (!info || info.index < 0 || (isExtras && info.form !== 'primitive')) {
        throw new Error(`Cannot write ${this.at(`.${key}`)} as FHIR XML: ${shape.path} has no such element`);
      }
      if (isExtras && obj[info.name] !== undefined) continue; // written with its value
      present.push(info);
    }
    if (present.length > 1) present.sort((a, b) => a.index - b.index);
    for (const info of present) {
      const value = obj[info.name];
      const extras = info.form === 'primitive' ? obj[`_${info.name}`] : undefined;
      this.path.push(`.${info.name}`);
      if (info.repeats) {
        const values = this.asArray(value);
        const extraList = this.asArray(extras);
        const n = Math.max(values.length, extraList.length);
        for (let i = 0; i < n; i++) {
          this.path.push(`[${i}]`);
          this.element(info, values[i] ?? null, extraList[i] ?? null, depth);
          this.path.pop();
        }
      } else {
        this.element(info, value ?? null, extras ?? null, depth);
      }
      this.path.pop();
    }
    return present.length > 0;
  }

  private element(info: XmlElementInfo, value: unknown, extras: unknown, depth: number): void {
    switch (info.form) {
      case 'primitive':
        this.primitive(info.name, value, extras, depth);
        return;
      case 'xhtml':
        if (typeof value !== 'string' || !isStandaloneXhtmlDiv(value)) {
          throw new XmlUnrepresentableError(this.at(), 'the narrative is not one well-formed XHTML div');
        }
        this.indent(depth);
        this.out += value;
        return;
      case 'resource':
        this.indent(depth);
        this.out += `<${info.name}>`;
        this.resource(this.object(value), depth + 1, false);
        this.indent(depth);
        this.out += `</${info.name}>`;
        return;
      case 'complex': {
        const shape = info.shape;
        if (!shape) throw new Error(`No definition describes ${this.at()} (${info.typeName})`);
        this.complex(info.name, this.object(value), shape, depth);
        return;
      }
    }
  }

  private complex(name: string, obj: Json, shape: XmlShape, depth: number): void {
    this.indent(depth);
    this.out += `<${name}`;
    for (const attr of shape.attributes) {
      const v = obj[attr];
      if (v !== undefined) this.out += ` ${attr}="${this.escape(this.scalar(v, `.${attr}`), `.${attr}`)}"`;
    }
    if (!hasChildElements(obj, shape)) {
      this.out += '/>';
      return;
    }
    this.out += '>';
    this.children(obj, shape, depth + 1);
    this.indent(depth);
    this.out += `</${name}>`;
  }

  private primitive(name: string, value: unknown, extras: unknown, depth: number): void {
    const ext = extras === null ? undefined : this.object(extras);
    this.indent(depth);
    this.out += `<${name}`;
    if (ext?.id !== undefined) this.out += ` id="${this.escape(this.scalar(ext.id, '.id'), '.id')}"`;
    if (value !== null) this.out += ` value="${this.escape(this.scalar(value))}"`;
    const shape = primitiveExtrasShape();
    if (!ext || !hasChildElements(ext, shape)) {
      this.out += '/>';
      return;
    }
    this.out += '>';
    this.children(ext, shape, depth + 1);
    this.indent(depth);
    this.out += `</${name}>`;
  }

  private asArray(v: unknown): unknown[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`Cannot write ${this.at()} as FHIR XML: a repeating element holds ${typeof v}`);
    return v;
  }

  private object(v: unknown): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`Cannot write ${this.at()} as FHIR XML: expected an object`);
    return v as Json;
  }

  private scalar(v: unknown, last?: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw new Error(`Cannot write ${this.at(last)} as FHIR XML: expected a primitive value`);
  }

  /** An attribute value; whitespace is escaped so that attribute normalisation cannot turn it into spaces. */
  private escape(s: string, last?: string): string {
    if (XML_ILLEGAL_CHAR.test(s)) throw new XmlUnrepresentableError(this.at(last), 'the value holds a control character XML cannot carry');
    return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPED, (c) => ESCAPES[c]!) : s;
  }
}

function hasChildElements(obj: Json, shape: XmlShape): boolean {
  for (const key in obj) {
    if (!shape.attributes.has(key) && !(key === 'resourceType' && shape.isResource)) return true;
  }
  return false;
}

const NEEDS_ESCAPE = /[&<>"\t\n\r]/;
const ESCAPED = /[&<>"\t\n\r]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
