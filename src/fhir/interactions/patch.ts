// patch (PATCH [type]/[id] with a JSON Patch body) and conditional patch (PATCH [type]?search).
// The patched result is validated like any update and written guarded by the version it was made from.
import { errors } from '../../domain/errors.js';
import { conditionalMatches } from '../conditional.js';
import type { Ctx } from '../context.js';
import { parseETag } from '../headers.js';
import { applyJsonPatch } from '../json-patch.js';
import { resourceFromBody } from '../resource-body.js';
import type { FhirResponse } from '../types.js';
import { writeResponse } from '../write-response.js';

export async function patch(ctx: Ctx, type: string, id: string): Promise<FhirResponse> {
  return ctx.guard.transaction((guard) => patchIn({ ...ctx, guard }, type, id));
}

export async function conditionalPatch(ctx: Ctx, type: string): Promise<FhirResponse> {
  return ctx.guard.transaction(async (guard) => {
    const tx = { ...ctx, guard };
    const matches = await conditionalMatches(tx, type, ctx.req.query, 'Conditional patch');
    if (matches.length > 1) throw errors.multipleMatches('The conditional patch matched more than one resource');
    if (matches.length === 0) throw errors.notFound(`No ${type} matched the conditional patch`);
    return patchIn(tx, type, matches[0]!.id);
  });
}

async function patchIn(ctx: Ctx, type: string, id: string): Promise<FhirResponse> {
  const current = await ctx.guard.read(type, id, 'patch');
  const ifMatch = ctx.req.headers['if-match'];
  if (ifMatch !== undefined && parseETag(ifMatch, 'If-Match') !== current.versionId) {
    throw errors.preconditionFailed(`Version ${current.versionId} is current, not the one in If-Match`, 'If-Match');
  }
  const patched = applyJsonPatch(current.resource, ctx.req.body);
  const resource = resourceFromBody(patched, type, ctx.deps, id);
  const { version } = await ctx.guard.update(resource, { ifMatch: current.versionId });
  return writeResponse(ctx, version, 200, `Patched ${type}/${id}`);
}
