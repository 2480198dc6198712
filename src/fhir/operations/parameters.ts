// The inputs of an operation: the query string (GET, or a form-encoded POST) and the parameters of
// a Parameters body (POST), as one list of name/value strings. A name the operation does not define
// is a 400, so a misspelt input is never silently ignored.
import { errors } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import type { FhirRequest } from '../types.js';

/** The value[x] types an operation input may use, read as their string form. */
const VALUE_KEYS = ['valueString', 'valueCode', 'valueUri', 'valueDate', 'valueDateTime', 'valueInstant', 'valueInteger', 'valuePositiveInt', 'valueId'];

export function operationInputs(req: FhirRequest, allowed: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of req.query) {
    if (!allowed.includes(name)) throw errors.badRequest(`Unknown parameter '${name}' (this operation takes ${describe(allowed)})`, name);
    out.push([name, value]);
  }
  if (req.body === undefined) return out;
  const body = req.body;
  if (!isPlainObject(body) || body.resourceType !== 'Parameters') throw errors.badRequest('The body of an operation is a Parameters resource', 'Parameters');
  const list = body.parameter ?? [];
  if (!Array.isArray(list)) throw errors.badRequest('Parameters.parameter must be an array', 'Parameters.parameter');
  list.forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (!isPlainObject(p) || typeof p.name !== 'string') throw errors.badRequest('Each parameter needs a name', `${at}.name`);
    if (!allowed.includes(p.name)) throw errors.badRequest(`Unknown parameter '${p.name}' (this operation takes ${describe(allowed)})`, `${at}.name`);
    out.push([p.name, valueOf(p, at)]);
  });
  return out;
}

function valueOf(p: Record<string, unknown>, at: string): string {
  const ref = p.valueReference;
  if (isPlainObject(ref) && typeof ref.reference === 'string') return ref.reference;
  for (const key of VALUE_KEYS) {
    const v = p[key];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  throw errors.badRequest('A parameter needs a value (valueReference, valueString, valueDate, valueDateTime...)', at);
}

function describe(allowed: readonly string[]): string {
  return allowed.length ? allowed.map((a) => `'${a}'`).join(', ') : 'no parameters';
}
