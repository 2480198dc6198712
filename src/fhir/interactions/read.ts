// read and vread, with conditional read (If-None-Match, If-Modified-Since) answered by 304.
import { errors } from '../../domain/errors.js';
import type { Ctx } from '../context.js';
import { etagOf, parseETag, versionHeaders } from '../headers.js';
import type { FhirResponse } from '../types.js';

export async function read(ctx: Ctx, type: string, id: string): Promise<FhirResponse> {
  const v = await ctx.guard.read(type, id);
  const headers = versionHeaders(v, ctx.req.baseUrl, false);
  if (notModified(ctx, v.versionId, v.lastUpdated)) return { status: 304, headers };
  return { status: 200, headers, body: v.resource! };
}

export async function vread(ctx: Ctx, type: string, id: string, vid: string): Promise<FhirResponse> {
  if (!/^\d+$/.test(vid)) throw errors.notFound(`${type}/${id}/_history/${vid} is not known`);
  const v = await ctx.guard.vread(type, id, Number(vid));
  return { status: 200, headers: versionHeaders(v, ctx.req.baseUrl, false), body: v.resource! };
}

function notModified(ctx: Ctx, versionId: number, lastUpdated: string): boolean {
  const inm = ctx.req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    return inm.split(',').some((tag) => parseETag(tag, 'If-None-Match') === versionId) || etagOf(versionId) === inm.trim();
  }
  const ims = ctx.req.headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    if (Number.isNaN(since)) throw errors.badRequest('If-Modified-Since must be an HTTP date', 'If-Modified-Since');
    // HTTP dates have whole seconds; compare at that precision.
    return Math.floor(Date.parse(lastUpdated) / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
