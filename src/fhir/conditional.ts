// Conditional create/update/delete/patch: find what a search in a header or URL matches, through the
// guard, so a principal can only ever match what it may see.
import type { ReleasedVersion } from '../access/guard.js';
import { errors } from '../domain/errors.js';
import type { Ctx } from './context.js';

/** Up to two matches: enough to tell none, one and several apart. */
export async function conditionalMatches(ctx: Ctx, type: string, params: [string, string][], what: string): Promise<ReleasedVersion[]> {
  const criteria = params.filter(([k]) => !['_format', '_pretty'].includes(k));
  if (criteria.length === 0) throw errors.badRequest(`${what} needs search criteria`);
  // Conditional operations must not silently ignore a parameter: that would widen the match.
  const parsed = ctx.deps.parser.parse([type], criteria, { strict: true });
  const req = { ...parsed.request, count: 2, total: 'none' as const, sort: [] };
  delete req.cursor;
  const page = await ctx.guard.search(req, 'search-type');
  return page.matches;
}

export function queryPairs(qs: string): [string, string][] {
  return [...new URLSearchParams(qs.startsWith('?') ? qs.slice(1) : qs)];
}
