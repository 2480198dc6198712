// Content negotiation: FHIR JSON (the default) and FHIR XML, each in its FHIR and plain flavours; the
// media type a client names is the one it gets back. Request bodies may be either; PATCH takes
// JSON Patch only (application/json-patch+json), whatever the response format.
import { errors } from '../domain/errors.js';

export type MediaType =
  | 'application/fhir+json' | 'application/json'
  | 'application/fhir+xml' | 'application/xml' | 'text/xml';

// A Map, not an object: a client's `constructor` or `__proto__` must find nothing, not Object.prototype.
const FORMAT_ALIASES: ReadonlyMap<string, MediaType> = new Map(Object.entries({
  json: 'application/fhir+json',
  'application/json': 'application/json',
  'application/fhir+json': 'application/fhir+json',
  'application/json+fhir': 'application/fhir+json',
  xml: 'application/fhir+xml',
  'text/xml': 'text/xml',
  'application/xml': 'application/xml',
  'application/fhir+xml': 'application/fhir+xml',
  'application/xml+fhir': 'application/fhir+xml',
} satisfies Record<string, MediaType>));

export function isXml(type: MediaType): boolean {
  return type.endsWith('xml');
}

/**
 * Chooses the response media type from `_format` (which wins) or Accept. When neither names a
 * format (no Accept, or only wildcards), the answer comes in the format of the request body.
 */
export function responseMediaType(format: string | undefined, accept: string | undefined, bodyContentType?: string): MediaType {
  if (format !== undefined) {
    // In a query string '+' means a space, so `_format=application/fhir+xml` arrives as "application/fhir xml".
    const f = FORMAT_ALIASES.get(format.trim().toLowerCase().split(';')[0]!.trim().replace(/ /g, '+'));
    if (f === undefined) throw errors.notAcceptable(`_format ${format} is not supported; use json or xml`);
    return f;
  }
  const fallback: MediaType = bodyFormat(bodyContentType) === 'xml' ? 'application/fhir+xml' : 'application/fhir+json';
  if (!accept) return fallback;
  const ranges = accept.split(',').map((r) => {
    const [type, ...params] = r.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type!.trim(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
  for (const r of ranges) {
    const f = FORMAT_ALIASES.get(r.type);
    if (f) return f;
    if (r.type === '*/*' || r.type === 'application/*') return fallback;
  }
  throw errors.notAcceptable('None of the media types in Accept can be produced; use application/fhir+json or application/fhir+xml');
}

function bodyFormat(contentType: string | undefined): 'json' | 'xml' | undefined {
  const f = FORMAT_ALIASES.get((contentType ?? '').split(';')[0]!.trim().toLowerCase());
  return f === undefined ? undefined : isXml(f) ? 'xml' : 'json';
}

/** Checks a request body's Content-Type for the method; PATCH takes JSON Patch. */
export function checkBodyType(method: string, contentType: string | undefined): 'json' | 'xml' | 'json-patch' | 'form' {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (method === 'PATCH') {
    if (type === 'application/json-patch+json') return 'json-patch';
    throw errors.unsupportedMediaType('PATCH needs Content-Type application/json-patch+json (JSON Patch, in JSON also for XML clients)');
  }
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === '') return 'json';
  const format = bodyFormat(type);
  if (format) return format;
  throw errors.unsupportedMediaType(`Content-Type ${type} is not supported; send application/fhir+json or application/fhir+xml`);
}
