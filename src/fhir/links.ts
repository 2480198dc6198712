// Bundle links. Paging uses an opaque cursor from the store, so a page link stays valid and stable
// while other clients write.
import type { FhirRequest } from './types.js';

const PAGING_PARAMS = new Set(['_cursor']);

export function pageUrl(req: FhirRequest, path: string, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of req.query) if (!PAGING_PARAMS.has(k)) params.append(k, v);
  if (cursor !== undefined) params.append('_cursor', cursor);
  const qs = params.toString();
  return `${req.baseUrl}${path}${qs ? `?${qs}` : ''}`;
}

export function pathOf(req: FhirRequest): string {
  return req.segments.length ? `/${req.segments.map(encodeURIComponent).join('/')}` : '';
}
