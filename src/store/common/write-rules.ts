// The versioning rules of the Store port, in one place so every adapter decides the same way:
// which version number a write gets, when it is a 409 or a 412, and what a delete stores.
import { errors } from '../../domain/errors.js';
import { isValidId, type Resource } from '../../domain/fhir.js';

/** What an adapter knows about the newest stored version of a resource. */
export interface CurrentVersion {
  versionId: number;
  deleted: boolean;
  lastUpdated: string;
}

export function requireIdentity(resource: Resource): { type: string; id: string } {
  const type = resource.resourceType;
  const id = resource.id;
  if (typeof type !== 'string' || type.length === 0) throw errors.badRequest('resourceType is required');
  if (typeof id !== 'string' || !isValidId(id)) throw errors.badRequest(`Invalid or missing resource id: ${String(id)}`);
  return { type, id };
}

function checkIfMatch(type: string, id: string, current: CurrentVersion | undefined, ifMatch: number | undefined): void {
  if (ifMatch === undefined) return;
  // Compared with the newest version, deletion markers included: a client that saw the deletion
  // (version n) may recreate with If-Match n. A resource that never existed matches nothing.
  if (!current || current.versionId !== ifMatch) {
    throw errors.preconditionFailed(
      `Version mismatch for ${type}/${id}: expected ${ifMatch}, current is ${current ? current.versionId : 'none'}`,
    );
  }
}

/** create: always version 1; any earlier existence (even deleted) is a 409. */
export function decideCreate(type: string, id: string, current: CurrentVersion | undefined): { versionId: number } {
  if (current) throw errors.conflict(`${type}/${id} already exists`);
  return { versionId: 1 };
}

/** update: the next version; `created` when nothing live was there (absent or deleted). */
export function decideUpdate(
  type: string, id: string, current: CurrentVersion | undefined, ifMatch?: number,
): { versionId: number; created: boolean } {
  checkIfMatch(type, id, current, ifMatch);
  return { versionId: current ? current.versionId + 1 : 1, created: !current || current.deleted };
}

/** delete: the next version as a deletion marker, or undefined when nothing live exists. */
export function decideDelete(
  type: string, id: string, current: CurrentVersion | undefined, ifMatch?: number,
): { versionId: number } | undefined {
  checkIfMatch(type, id, current, ifMatch);
  if (!current || current.deleted) return undefined;
  return { versionId: current.versionId + 1 };
}

/**
 * The resource carrying the store's meta.versionId and meta.lastUpdated. A shallow copy: the caller's
 * object is not modified, nested objects are shared (adapters serialise it at once, and a deep clone
 * per write costs more than the rest of a bulk insert).
 */
export function stampResource(resource: Resource, id: string, versionId: number, lastUpdated: string): Resource {
  return { ...resource, id, meta: { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated } };
}
