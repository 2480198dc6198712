// The only code that turns resources into bytes. It accepts nothing but Released values (through the
// FhirResponse type), so data that did not pass the access layer cannot be written to a client.
import type { Response } from 'express';
import { errors, type FhirError } from '../domain/errors.js';
import { errorResponse } from '../fhir/engine.js';
import type { FhirResponse, ReleasedBody } from '../fhir/types.js';
import { isXml, type MediaType } from './negotiate.js';
import { writeXml, XmlUnrepresentableError } from './xml/write.js';

export interface SerializeOptions {
  pretty: boolean;
  /** The media type the client asked for (JSON or XML, FHIR or plain). */
  mediaType: MediaType;
  head: boolean;
}

/**
 * A whole HTTP/1.1 response carrying the OperationOutcome of `e`, for a request Node's parser
 * refused before any route saw it (the socket is closed after it).
 */
export function rawErrorResponse(e: FhirError): Buffer {
  const body = Buffer.from(JSON.stringify(errorResponse(e).body));
  const head = [
    `HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status] ?? 'Error'}`,
    'Content-Type: application/fhir+json; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Cache-Control: no-store',
    'Connection: close',
    '', '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' };

export function send(res: Response, out: FhirResponse, opts: SerializeOptions): void {
  let bytes: Buffer | undefined;
  if (out.body !== undefined && out.status !== 304) {
    try {
      bytes = encode(out.body, opts);
    } catch (e) {
      if (!(e instanceof XmlUnrepresentableError)) throw e;
      // Stored JSON that XML cannot carry (a control character, a narrative that is not one div):
      // say so instead of writing a document a client would misread.
      out = errorResponse(errors.notAcceptable(`This content cannot be represented in XML (${e.message}); ask for application/fhir+json`));
      out.headers['Cache-Control'] = 'no-store';
      bytes = encode(out.body!, opts);
    }
  }
  res.status(out.status);
  for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (bytes === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', `${opts.mediaType}; charset=utf-8`);
  res.setHeader('Content-Length', String(bytes.length));
  if (opts.head) res.end();
  else res.end(bytes);
}

function encode(body: ReleasedBody, opts: SerializeOptions): Buffer {
  if (isXml(opts.mediaType)) return Buffer.from(writeXml(body, opts.pretty), 'utf8');
  return Buffer.from(opts.pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body), 'utf8');
}
