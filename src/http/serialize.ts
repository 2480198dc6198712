// The only code that turns resources into bytes. It accepts nothing but Released values (through the
// FhirResponse type), so data that did not pass the access layer cannot be written to a client.
import type { Response } from 'express';
import type { FhirResponse } from '../fhir/types.js';

export interface SerializeOptions {
  pretty: boolean;
  /** The JSON media type the client asked for. */
  mediaType: 'application/fhir+json' | 'application/json';
  head: boolean;
}

export function send(res: Response, out: FhirResponse, opts: SerializeOptions): void {
  res.status(out.status);
  for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (out.body === undefined || out.status === 304) {
    res.end();
    return;
  }
  const bytes = Buffer.from(opts.pretty ? JSON.stringify(out.body, null, 2) : JSON.stringify(out.body), 'utf8');
  res.setHeader('Content-Type', `${opts.mediaType}; charset=utf-8`);
  res.setHeader('Content-Length', String(bytes.length));
  if (opts.head) res.end();
  else res.end(bytes);
}
