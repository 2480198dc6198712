// Content negotiation: JSON in both FHIR and plain flavours; XML is refused with 406 (request) or
// 415 (body) until XML support lands.
import { errors } from '../domain/errors.js';

export type JsonMediaType = 'application/fhir+json' | 'application/json';

const FORMAT_ALIASES: Record<string, JsonMediaType | 'xml'> = {
  json: 'application/fhir+json',
  'application/json': 'application/json',
  'application/fhir+json': 'application/fhir+json',
  'application/json+fhir': 'application/fhir+json',
  xml: 'xml',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
};

/** Chooses the response media type from `_format` (which wins) or Accept. */
export function responseMediaType(format: string | undefined, accept: string | undefined): JsonMediaType {
  if (format !== undefined) {
    const f = FORMAT_ALIASES[format.trim().toLowerCase().split(';')[0]!.trim()];
    if (f === undefined) throw errors.notAcceptable(`_format ${format} is not supported; use json`);
    if (f === 'xml') throw errors.notAcceptable('XML is not supported yet; use application/fhir+json');
    return f;
  }
  if (!accept) return 'application/fhir+json';
  const ranges = accept.split(',').map((r) => {
    const [type, ...params] = r.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type!.trim(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
  for (const r of ranges) {
    const f = FORMAT_ALIASES[r.type];
    if (f && f !== 'xml') return f;
    if (r.type === '*/*' || r.type === 'application/*') return 'application/fhir+json';
  }
  if (ranges.some((r) => FORMAT_ALIASES[r.type] === 'xml')) throw errors.notAcceptable('XML is not supported yet; use application/fhir+json');
  throw errors.notAcceptable(`None of the media types in Accept can be produced; use application/fhir+json`);
}

/** Checks a request body's Content-Type for the method; PATCH takes JSON Patch. */
export function checkBodyType(method: string, contentType: string | undefined): 'json' | 'json-patch' | 'form' {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (method === 'PATCH') {
    if (type === 'application/json-patch+json') return 'json-patch';
    throw errors.unsupportedMediaType('PATCH needs Content-Type application/json-patch+json');
  }
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === '' || type === 'application/fhir+json' || type === 'application/json' || type === 'application/json+fhir') return 'json';
  if (FORMAT_ALIASES[type] === 'xml') throw errors.unsupportedMediaType('XML bodies are not supported yet; send application/fhir+json');
  throw errors.unsupportedMediaType(`Content-Type ${type} is not supported; send application/fhir+json`);
}
