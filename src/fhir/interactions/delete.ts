// delete (logical; history is kept and a later read answers 410) and conditional delete.
import { errors } from '../../domain/errors.js';
import { conditionalMatches } from '../conditional.js';
import type { Ctx } from '../context.js';
import { etagOf, parseETag } from '../headers.js';
import type { FhirResponse } from '../types.js';

export async function remove(ctx: Ctx, type: string, id: string): Promise<FhirResponse> {
  const ifMatch = ctx.req.headers['if-match'];
  const opts = ifMatch !== undefined ? { ifMatch: parseETag(ifMatch, 'If-Match') } : {};
  const v = await ctx.guard.delete(type, id, opts);
  // Deleting what is already gone succeeds too: DELETE is idempotent.
  return { status: 204, headers: v ? { ETag: etagOf(v.versionId) } : {} };
}

export async function conditionalDelete(ctx: Ctx, type: string): Promise<FhirResponse> {
  // Refused before matching, as a delete by id is: no 204 for a principal who may not delete at all.
  ctx.guard.authorize('delete', type);
  return ctx.guard.transaction(async (guard) => {
    const tx = { ...ctx, guard };
    const matches = await conditionalMatches(tx, type, ctx.req.query, 'Conditional delete');
    if (matches.length > 1) throw errors.multipleMatches('The conditional delete matched more than one resource');
    if (matches.length === 0) return { status: 204, headers: {} };
    return remove(tx, type, matches[0]!.id);
  });
}
