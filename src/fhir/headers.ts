// Reading FHIR request headers and writing the version headers every resource response carries.
import { errors } from '../domain/errors.js';
import type { ReleasedVersion } from '../access/guard.js';

/** `W/"3"` or `"3"` or `3` → 3; anything else is a client error naming the header. */
export function parseETag(value: string, header: string): number {
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value);
  if (!m) throw errors.badRequest(`${header} must be a version ETag such as W/"1"`, header);
  return Number(m[1]);
}

export function etagOf(versionId: number): string {
  return `W/"${versionId}"`;
}

export function versionHeaders(v: ReleasedVersion, baseUrl: string, withLocation: boolean): Record<string, string> {
  const h: Record<string, string> = {
    ETag: etagOf(v.versionId),
    'Last-Modified': new Date(v.lastUpdated).toUTCString(),
  };
  if (withLocation) h.Location = `${baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}`;
  return h;
}

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

/** The `return` preference of a Prefer header (RFC 7240), defaulting to representation. */
export function preferReturn(prefer: string | undefined): PreferReturn {
  const m = prefer ? /(?:^|[;,\s])return\s*=\s*"?(minimal|representation|OperationOutcome)"?/.exec(prefer) : null;
  return (m?.[1] as PreferReturn | undefined) ?? 'representation';
}

/** Whether `Prefer: handling=strict` was sent. */
export function preferStrict(prefer: string | undefined): boolean {
  return !!prefer && /(?:^|[;,\s])handling\s*=\s*"?strict"?/.test(prefer);
}
