// history at instance, type and system level: newest first, with _since, _count and cursor paging.
import { releaseBundle, type ReleasableBundle, type ReleasedVersion } from '../../access/guard.js';
import { errors } from '../../domain/errors.js';
import type { Interaction } from '../../domain/interaction.js';
import type { HistoryRequest } from '../../store/port.js';
import type { Ctx } from '../context.js';
import { etagOf } from '../headers.js';
import { pageUrl, pathOf } from '../links.js';
import { countParam, instantParam, single } from '../params.js';
import { pageLinks } from '../paging.js';
import type { FhirResponse } from '../types.js';

export const HISTORY_DEFAULT_COUNT = 50;
export const HISTORY_MAX_COUNT = 1000;

export async function history(ctx: Ctx, type?: string, id?: string): Promise<FhirResponse> {
  const q = ctx.req.query;
  const req: HistoryRequest = { count: countParam(q, HISTORY_DEFAULT_COUNT, HISTORY_MAX_COUNT) };
  if (type) req.type = type;
  if (id) req.id = id;
  const since = instantParam(q, '_since');
  if (since) req.since = since;
  const paging = pageLinks(single(q, '_cursor'));
  if (paging.storeCursor !== undefined) req.cursor = paging.storeCursor;
  const interaction: Interaction = id ? 'history-instance' : type ? 'history-type' : 'history-system';
  // A deleted resource still has a history; only a resource that never existed is 404.
  if (id && type && !(await ctx.guard.current(type, id, 'history-instance'))) throw errors.notFound(`${type}/${id} is not known`);
  const page = await ctx.guard.history(req, interaction);
  const path = pathOf(ctx.req);
  const bundle: ReleasableBundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: page.total,
    link: [{ relation: 'self', url: pageUrl(ctx.req, path, paging.self) }],
    entry: page.versions.map((v) => historyEntry(ctx, v)),
  };
  if (page.next) bundle.link!.push({ relation: 'next', url: pageUrl(ctx.req, path, paging.next(page.next)) });
  if (paging.previous !== undefined) bundle.link!.push({ relation: 'previous', url: pageUrl(ctx.req, path, paging.previous || undefined) });
  return { status: 200, headers: {}, body: releaseBundle(bundle) };
}

function historyEntry(ctx: Ctx, v: ReleasedVersion): NonNullable<ReleasableBundle['entry']>[number] {
  const url = `${v.resourceType}/${v.id}`;
  const entry: NonNullable<ReleasableBundle['entry']>[number] = {
    fullUrl: `${ctx.req.baseUrl}/${url}`,
    request: { method: v.deleted ? 'DELETE' : v.versionId === 1 ? 'POST' : 'PUT', url: v.versionId === 1 && !v.deleted ? v.resourceType : url },
    response: {
      status: v.deleted ? '204 No Content' : v.versionId === 1 ? '201 Created' : '200 OK',
      etag: etagOf(v.versionId),
      lastModified: v.lastUpdated,
    },
  };
  if (v.resource) entry.resource = v.resource;
  return entry;
}
