// Document shapes of the two collections and conversions to the port's StoredVersion.
//
// resources: one document per resource (the current version), `_id` = "Type/id" so that chain and
//            has resolve to plain `_id` lists, with the extracted index values embedded in `idx`
//            (multikey indexes) and the precomputed sort keys in `sk`.
// versions:  one document per version, `_id` = "Type/id/vid", never updated after insert.
//
// The resource body is stored as JSON text (`json`), not as a BSON sub-document: the store never
// queries it (all searching goes through `idx`), text round-trips exactly what was written, and it
// sidesteps BSON's restrictions on `$`-prefixed and dotted field names, which an unvalidated resource
// could otherwise use to break an update document.
import { errors } from '../../domain/errors.js';
import { isValidId, type Resource } from '../../domain/fhir.js';
import { requireIdentity } from '../common/write-rules.js';
import type { Indexer, StoredVersion } from '../port.js';
import type { Doc } from './driver.js';
import { sanitizeIndex } from './index-values.js';
import { computeSortKeys, type SortKeys } from './sort-keys.js';
import type { IndexValue } from '../../domain/search-types.js';

export interface VersionDoc {
  _id: string;
  type: string;
  id: string;
  vid: number;
  lu: string;
  /** Write order among versions with the same lu (./sequence.ts). */
  seq: number;
  deleted: boolean;
  json: string;
}

export interface ResourceDoc extends VersionDoc {
  idx: IndexValue[];
  sk: SortKeys;
}

const TYPE_PATTERN = /^[A-Z][A-Za-z]{0,63}$/;

export function resourceKey(type: string, id: string): string {
  return `${type}/${id}`;
}
export function versionKey(type: string, id: string, vid: number): string {
  return `${type}/${id}/${vid}`;
}

/**
 * The type and id of a resource about to be written, validated by the shared rules, and the type
 * also checked to be a plain name, since "Type/id" is the document key.
 */
export function identify(resource: Resource): { type: string; id: string } {
  const { type, id } = requireIdentity(resource);
  if (!TYPE_PATTERN.test(type)) throw errors.badRequest(`Invalid resourceType: ${type}`);
  return { type, id };
}

export function checkKey(type: string, id: string): boolean {
  return typeof type === 'string' && TYPE_PATTERN.test(type) && typeof id === 'string' && isValidId(id);
}

export function buildResourceDoc(resource: Resource, vid: number, lu: string, seq: number, deleted: boolean, indexer: Indexer): ResourceDoc {
  const { type, id } = identify(resource);
  // A deletion is not searchable, so it carries no index values or sort keys.
  const idx = deleted ? [] : sanitizeIndex(indexer(resource));
  return {
    _id: resourceKey(type, id),
    type,
    id,
    vid,
    lu,
    seq,
    deleted,
    json: JSON.stringify(resource),
    idx,
    sk: computeSortKeys(idx),
  };
}

export function versionDocOf(doc: ResourceDoc): VersionDoc {
  return { _id: versionKey(doc.type, doc.id, doc.vid), type: doc.type, id: doc.id, vid: doc.vid, lu: doc.lu, seq: doc.seq, deleted: doc.deleted, json: doc.json };
}

/** The mutable part of a resource document: what an update or a compensation `$set`s. */
export function mutableFields(doc: ResourceDoc): Doc {
  return { vid: doc.vid, lu: doc.lu, seq: doc.seq, deleted: doc.deleted, json: doc.json, idx: doc.idx, sk: doc.sk };
}

export function toStored(doc: Doc): StoredVersion {
  const d = doc as unknown as VersionDoc;
  return {
    resourceType: d.type,
    id: d.id,
    versionId: d.vid,
    lastUpdated: d.lu,
    deleted: d.deleted,
    resource: JSON.parse(d.json) as Resource,
  };
}
