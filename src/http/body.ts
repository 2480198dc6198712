// Request bodies: strict UTF-8, JSON and XML parsed by us so every failure becomes a 400 OperationOutcome.
import { errors } from '../domain/errors.js';
import { parseXml } from './xml/parse.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw errors.badRequest('The body is not valid UTF-8');
  }
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // Deep nesting can exhaust the stack (RangeError); that is still the client's malformed input.
    const detail = e instanceof SyntaxError ? e.message : 'the document is too deeply nested';
    throw errors.structure(`The body is not valid JSON: ${detail}`);
  }
}

/** A FHIR XML body as the JSON resource it stands for (src/http/xml/parse.ts); validation follows as for JSON. */
export function parseXmlBody(text: string): unknown {
  return parseXml(text);
}
