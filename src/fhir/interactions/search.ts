// search: type level, system level (?_type=) and compartment; GET or POST _search. The guard narrows
// the query before the store runs it, so totals, pages and includes only ever cover visible data.
import { requireAuditWindow } from '../audit-search.js';
import { releaseBundle, releaseOutcome, type ReleasableBundle, type ReleasedVersion } from '../../access/guard.js';
import type { Released } from '../../access/released.js';
import { subset } from '../../access/shape.js';
import { errors, operationOutcome } from '../../domain/errors.js';
import type { Resource } from '../../domain/fhir.js';
import type { Cond } from '../../domain/search-types.js';
import type { Ctx } from '../context.js';
import { preferStrict } from '../headers.js';
import { confidentialityIssues } from '../confidentiality-notes.js';
import { resolveIncludes } from '../includes.js';
import { pageUrl, pathOf } from '../links.js';
import { pageLinks } from '../paging.js';
import type { ParsedSearch } from '../search-parser.js';
import type { FhirResponse } from '../types.js';

export async function search(ctx: Ctx, types: string[], params: [string, string][], path = pathOf(ctx.req), extra?: Cond): Promise<FhirResponse> {
  const tokens = params.filter(([k]) => k === '_cursor');
  if (tokens.length > 1) throw errors.badRequest('_cursor may be given only once', '_cursor');
  const paging = pageLinks(tokens[0]?.[1]);
  const criteria = params.filter(([k]) => k !== '_cursor');
  // Only for a principal who may search the whole trail (auditors): a patient listing the accesses
  // to their own record needs no window, and everyone else gets the 403 the guard gives.
  if (ctx.guard.mayAll(types.length > 1 ? 'search-system' : 'search-type', 'AuditEvent')) requireAuditWindow(types, criteria);
  const parsed = ctx.deps.parser.parse(types, criteria, { strict: preferStrict(ctx.req.headers.prefer) });
  if (paging.storeCursor !== undefined) parsed.request.cursor = paging.storeCursor;
  if (extra) parsed.request.where.push(extra);
  const page = await ctx.guard.search(parsed.request);
  const included = parsed.request.count > 0 ? await resolveIncludes(ctx, page.matches, parsed.include, parsed.revinclude) : [];
  const linkReq = { ...ctx.req, query: criteria };
  const bundle: ReleasableBundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: pageUrl(linkReq, path, paging.self) }],
    entry: [
      ...page.matches.map((v) => entry(ctx, v, 'match', parsed)),
      ...included.map((v) => entry(ctx, v, 'include', parsed)),
    ],
  };
  if (page.total !== undefined) bundle.total = page.total;
  if (page.next) bundle.link!.push({ relation: 'next', url: pageUrl(linkReq, path, paging.next(page.next)) });
  if (paging.previous !== undefined) {
    bundle.link!.push({ relation: 'previous', url: pageUrl(linkReq, path, paging.previous || undefined) });
  }
  const issues = [...parsed.issues, ...confidentialityIssues(ctx.guard)];
  if (issues.length > 0) {
    bundle.entry!.push({ resource: releaseOutcome(operationOutcome(issues)), search: { mode: 'outcome' } });
  }
  return { status: 200, headers: {}, body: releaseBundle(bundle) };
}

/** GET [base]?_type=A,B and GET [base] : a system-level search over the listed (or all) types. */
export async function searchSystem(ctx: Ctx, params: [string, string][]): Promise<FhirResponse> {
  const typeParam = params.filter(([k]) => k === '_type').flatMap(([, v]) => v.split(','));
  const unknown = typeParam.filter((t) => !ctx.deps.resourceTypes.includes(t));
  if (unknown.length) throw errors.badRequest(`Unknown resource type in _type: ${unknown.join(', ')}`, '_type');
  const types = typeParam.length ? [...new Set(typeParam)] : ctx.deps.resourceTypes.filter((t) => ctx.guard.may('search-system', t));
  if (types.length === 0) throw errors.forbidden('No resource type may be searched');
  return search(ctx, types, params.filter(([k]) => k !== '_type'));
}

/** GET [base]/Patient/[id]/[type]: a search of `type` narrowed to the members of one compartment. */
export async function searchCompartment(ctx: Ctx, ownerType: string, id: string, memberType: string): Promise<FhirResponse> {
  if (!ctx.deps.parser.compartmentTypes().includes(ownerType)) throw errors.notFound(`There is no ${ownerType} compartment`);
  const membership = ctx.deps.parser.compartment(ownerType, id, memberType);
  if (!membership) throw errors.notFound(`${memberType} is not part of the ${ownerType} compartment`);
  return search(ctx, [memberType], ctx.req.query, pathOf(ctx.req), membership);
}

function entry(ctx: Ctx, v: ReleasedVersion, mode: 'match' | 'include', parsed: ParsedSearch): NonNullable<ReleasableBundle['entry']>[number] {
  return {
    fullUrl: `${ctx.req.baseUrl}/${v.resourceType}/${v.id}`,
    resource: shape(ctx, v.resource!, parsed),
    search: { mode },
  };
}

function shape(ctx: Ctx, r: Released<Resource>, parsed: ParsedSearch): Released<Resource> {
  if (parsed.elements?.length) {
    const keep = new Set(parsed.elements);
    return subset(r, (e) => keep.has(e));
  }
  switch (parsed.summary) {
    case 'true': {
      const keep = new Set(ctx.deps.summaryElementsOf(r.resourceType));
      return subset(r, (e) => keep.has(e));
    }
    case 'text':
      return subset(r, (e) => e === 'text');
    case 'data':
      return subset(r, (e) => e !== 'text');
    default:
      return r;
  }
}
