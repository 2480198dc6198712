// update (PUT [type]/[id]; update-as-create without access limits) and conditional update
// (PUT [type]?search; without a body id it creates with a server-assigned id when nothing matches).
import { errors } from '../../domain/errors.js';
import { conditionalMatches } from '../conditional.js';
import type { Ctx } from '../context.js';
import { parseETag } from '../headers.js';
import { resourceFromBody } from '../resource-body.js';
import type { FhirResponse } from '../types.js';
import { writeResponse } from '../write-response.js';
import type { Resource } from '../../domain/fhir.js';

export async function update(ctx: Ctx, type: string, id: string): Promise<FhirResponse> {
  const resource = resourceFromBody(ctx.req.body, type, ctx.deps, id);
  return store(ctx, resource);
}

export async function conditionalUpdate(ctx: Ctx, type: string): Promise<FhirResponse> {
  const body = ctx.req.body as { id?: unknown } | undefined;
  const bodyId = typeof body?.id === 'string' ? body.id : undefined;
  const resource = resourceFromBody(ctx.req.body, type, ctx.deps, bodyId);
  return ctx.guard.transaction(async (guard) => {
    const tx = { ...ctx, guard };
    const matches = await conditionalMatches(tx, type, ctx.req.query, 'Conditional update');
    if (matches.length > 1) throw errors.multipleMatches('The conditional update matched more than one resource');
    if (matches.length === 1) {
      const match = matches[0]!;
      if (bodyId !== undefined && bodyId !== match.id) {
        throw errors.badRequest(`Resource id ${bodyId} does not match the resource the search found`, `${type}.id`);
      }
      return store(tx, { ...resource, id: match.id });
    }
    // No match: with the body's id, an update-as-create at it (refused under limits, see
    // AccessGuard.update); without one, a create with an id the server assigns.
    if (bodyId !== undefined) return store(tx, resource);
    const v = await guard.create({ ...resource, id: ctx.deps.newId() });
    return writeResponse(tx, v, 201, `Created ${type}/${v.id}`);
  });
}

async function store(ctx: Ctx, resource: Resource): Promise<FhirResponse> {
  const ifMatch = ctx.req.headers['if-match'];
  const opts = ifMatch !== undefined ? { ifMatch: parseETag(ifMatch, 'If-Match') } : {};
  const { version, created } = await ctx.guard.update(resource, opts);
  return writeResponse(ctx, version, created ? 201 : 200, `${created ? 'Created' : 'Updated'} ${resource.resourceType}/${version.id}`);
}
