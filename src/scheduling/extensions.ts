// Server-owned extensions: the rules set them, and a client's copy of them is never trusted (it is
// replaced by the stored one on every write).
import type { r4, Resource } from '../domain/fhir.js';

/** Base of the StructureDefinition URLs of Envelope's own extensions. */
export const EXTENSION_BASE = 'https://envelope.example/fhir/StructureDefinition/';
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** Identifier system for a principal's subject (user or client id) where there is no organisation. */
export const PRINCIPAL_SYSTEM = 'https://envelope.example/fhir/NamingSystem/principal-sub';

type WithExtensions = Resource & { extension?: r4.Extension[] };

export function findExtension(resource: Resource, url: string): r4.Extension | undefined {
  return (resource as WithExtensions).extension?.find((e) => e.url === url);
}

/** A copy of `resource` without the extension `url` (the `extension` element dropped if it empties). */
export function withoutExtension<T extends Resource>(resource: T, url: string): T {
  const list = (resource as WithExtensions).extension;
  if (!list?.some((e) => e.url === url)) return resource;
  const copy = { ...resource } as WithExtensions;
  const rest = list.filter((e) => e.url !== url);
  if (rest.length > 0) copy.extension = rest;
  else delete copy.extension;
  return copy as T;
}

/** A copy of `resource` with `ext` replacing any extension of the same url. */
export function withExtension<T extends Resource>(resource: T, ext: r4.Extension): T {
  const base = withoutExtension(resource, ext.url) as WithExtensions;
  return { ...base, extension: [...(base.extension ?? []), ext] } as unknown as T;
}

/** The stored extension `url` of `from` carried onto `to` (or removed from `to` when `from` has none). */
export function carryExtension<T extends Resource>(to: T, from: Resource | undefined, url: string): T {
  const kept = from ? findExtension(from, url) : undefined;
  return kept ? withExtension(to, kept) : withoutExtension(to, url);
}

export function subExtension(ext: r4.Extension, url: string): r4.Extension | undefined {
  return ext.extension?.find((e) => e.url === url);
}
