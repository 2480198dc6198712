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
  const ifNoneExist = ctx.req.headers['if-none-exist'];
  return ctx.guard.transaction(async (guard) => {
    const tx = { ...ctx, guard };
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
    return writeResponse(tx, v, 201, `Created ${type}/${v.id}`);
  });
}
