// create (POST [type]), with conditional create by If-None-Exist.
import { errors } from '../../domain/errors.js';
import { conditionalMatches, queryPairs } from '../conditional.js';
import type { Ctx } from '../context.js';
import { versionHeaders } from '../headers.js';
import { resourceFromBody } from '../resource-body.js';
import type { FhirResponse } from '../types.js';
import { writeResponse } from '../write-response.js';

export async function create(ctx: Ctx, type: string): Promise<FhirResponse> {
  const resource = resourceFromBody(ctx.req.body, type, ctx.deps);
  if (type === 'AuditEvent') {
    // Appended to the audit chain by the trail itself (never inside a store transaction), for a
    // registered audit source; it gets the chain's next id. X-Request-ID retries are not replayed.
    const v = await ctx.guard.appendAuditEvent(resource);
    return writeResponse(ctx, v, 201, `Appended AuditEvent/${v.id} to the audit trail`);
  }
  const ifNoneExist = ctx.req.headers['if-none-exist'];
  const retryKey = ctx.req.clientRequestId;
  return ctx.guard.transaction(async (guard) => {
    const tx = { ...ctx, guard };
    if (retryKey !== undefined) {
      // A resend of a create this client already made (same X-Request-ID): the original answer.
      const original = await guard.recallCreate(type, retryKey);
      if (original) return writeResponse(tx, original, 201, `Created ${type}/${original.id} (an earlier request with this X-Request-ID)`);
    }
    if (ifNoneExist !== undefined) {
      const matches = await conditionalMatches(tx, type, queryPairs(ifNoneExist), 'If-None-Exist');
      if (matches.length > 1) throw errors.multipleMatches('If-None-Exist matched more than one resource');
      if (matches.length === 1) {
        const existing = matches[0]!;
        return { status: 200, headers: versionHeaders(existing, ctx.req.baseUrl, true), body: existing.resource! };
      }
    }
    // Server-assigned ids: a client-supplied id on create is ignored, as the specification says.
    const v = await guard.create({ ...resource, id: ctx.deps.newId() });
    if (retryKey !== undefined) await guard.rememberCreate(type, retryKey, v);
    return writeResponse(tx, v, 201, `Created ${type}/${v.id}`);
  });
}
