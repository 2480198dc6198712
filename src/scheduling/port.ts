// What the booking and referral rules need from, and give to, the access layer. The rules are
// called by src/access inside the store transaction of every write, so no path (create, update,
// patch, transaction entry, conditional write, operation) can skip them.
import type { FhirError } from '../domain/errors.js';
import type { Resource } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import type { SearchRequest } from '../domain/search-types.js';

export interface StoredResource {
  resource: Resource;
  versionId: number;
  deleted: boolean;
}

/** A proposed write, as the access layer is about to make it. */
export interface WriteIntent {
  kind: 'create' | 'update' | 'delete';
  type: string;
  id: string;
  /** The resource to be stored (create and update). */
  resource?: Resource;
  /** The newest stored version, when there is one (update and delete; may be a deletion). */
  current?: StoredResource;
  /**
   * Set when a named operation (`$hold`) makes the write on the principal's behalf rather than the
   * client sending the resource: the rules then decide the whole resource to store (from `current`)
   * and must return it, so the operation can do only what its rule allows.
   */
  operation?: string;
}

/**
 * Reads inside the write's transaction. This is internal system access for the rules' own checks
 * (is the slot free? is the referral active?): nothing read here is returned to the client.
 */
export interface RuleReader {
  read(type: string, id: string): Promise<StoredResource | undefined>;
  search(req: SearchRequest): Promise<StoredResource[]>;
}

/** A further write the rules require in the same transaction, guarded by the version they read. */
export interface FollowUp {
  resource: Resource;
  ifMatch: number;
  /** Raised instead of the store's 412 when the version moved underneath (e.g. the slot was taken). */
  readonly onConflict: FhirError;
}

/**
 * A FollowUp whose conflict error is built only when it is raised. Nearly every follow-up is written
 * without a conflict, and an error captures a stack trace when built: on the booking path that was a
 * measurable share of the rules' time, spent on an error almost never thrown.
 */
export function followUp(resource: Resource, ifMatch: number, conflict: () => FhirError): FollowUp {
  let built: FhirError | undefined;
  return {
    resource,
    ifMatch,
    get onConflict() {
      built ??= conflict();
      return built;
    },
  };
}

export interface RuleOutcome {
  /** The resource to store instead of the proposed one (for example with server-set fields). */
  resource?: Resource;
  followUps: FollowUp[];
  /**
   * Checks to run once the transaction's last write is done, before it commits: a transaction Bundle
   * may reference a resource that a later entry creates (a Slot whose Schedule comes after it), so
   * "does the referenced resource exist" can only be answered at the end. Throwing rolls back.
   */
  deferred?: (() => Promise<void>)[];
}

export interface RuleContext {
  reader: RuleReader;
  principal: Principal;
  now: Date;
}

export interface WriteRules {
  /** Throws a FhirError (422, 409...) to refuse the write. */
  check(intent: WriteIntent, ctx: RuleContext): Promise<RuleOutcome>;
}
