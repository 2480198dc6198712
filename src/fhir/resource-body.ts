// Turns a request body into a resource fit to store: right shape, right type, valid, and with the
// server-owned parts of meta removed so a client cannot choose its own version or timestamp.
import { errors, type Issue } from '../domain/errors.js';
import { isPlainObject, type Resource } from '../domain/fhir.js';
import type { EngineDeps } from './context.js';

export function resourceFromBody(body: unknown, expectedType: string, deps: EngineDeps, urlId?: string): Resource {
  if (body === undefined) throw errors.badRequest('A resource body is required');
  if (!isPlainObject(body)) throw errors.structure('The body must be a JSON object', expectedType);
  const rt = body.resourceType;
  if (typeof rt !== 'string') throw errors.structure('resourceType is missing', `${expectedType}.resourceType`);
  if (rt !== expectedType) {
    throw errors.badRequest(`resourceType ${rt} does not match the URL (${expectedType})`, `${expectedType}.resourceType`);
  }
  if (urlId !== undefined) {
    if (body.id === undefined) throw errors.badRequest('The resource must carry the id given in the URL', `${rt}.id`);
    if (body.id !== urlId) throw errors.badRequest(`Resource id ${JSON.stringify(body.id)} does not match the URL id ${urlId}`, `${rt}.id`);
  }
  assertValid(deps.validate(body, expectedType));
  return withoutServerMeta(body as unknown as Resource);
}

/** Throws 422 with every error found; warnings do not block a write. */
export function assertValid(issues: Issue[]): void {
  const errs = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errs.length > 0) throw errors.unprocessable(errs);
}

export function withoutServerMeta(resource: Resource): Resource {
  if (!resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...rest } = resource.meta;
  const copy = { ...resource };
  if (Object.keys(rest).length > 0) copy.meta = rest;
  else delete copy.meta;
  return copy;
}
