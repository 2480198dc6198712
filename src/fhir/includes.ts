// _include and _revinclude (with :iterate and *), resolved through the guard so that included
// resources obey the same policy as matches. Resources the principal may not search are skipped.
import type { ReleasedVersion } from '../access/guard.js';
import type { Cond } from '../domain/search-types.js';
import type { Ctx } from './context.js';
import type { IncludeSpec } from './search-parser.js';

/** How far :iterate follows chains of references; a guard against cycles and explosive growth. */
const MAX_ITERATIONS = 4;
const MAX_INCLUDED = 1000;

export async function resolveIncludes(ctx: Ctx, matches: ReleasedVersion[], include: IncludeSpec[], revinclude: IncludeSpec[]): Promise<ReleasedVersion[]> {
  const seen = new Set(matches.map(key));
  const included: ReleasedVersion[] = [];
  let frontier = matches;
  for (let round = 0; round < MAX_ITERATIONS && frontier.length > 0 && included.length < MAX_INCLUDED; round++) {
    const specsInc = include.filter((s) => round === 0 || s.iterate);
    const specsRev = revinclude.filter((s) => round === 0 || s.iterate);
    if (specsInc.length === 0 && specsRev.length === 0) break;
    const found = [...(await forward(ctx, frontier, specsInc)), ...(await reverse(ctx, frontier, specsRev))];
    const fresh = found.filter((v) => !seen.has(key(v)));
    fresh.forEach((v) => seen.add(key(v)));
    included.push(...fresh);
    frontier = fresh;
  }
  return included.slice(0, MAX_INCLUDED);
}

function key(v: { resourceType: string; id: string }): string {
  return `${v.resourceType}/${v.id}`;
}

function paramsOf(ctx: Ctx, spec: IncludeSpec): string[] {
  return spec.wildcard ? ctx.deps.parser.referenceParams(spec.sourceType).map((p) => p.code) : [spec.param];
}

async function forward(ctx: Ctx, from: ReleasedVersion[], specs: IncludeSpec[]): Promise<ReleasedVersion[]> {
  const wanted = new Map<string, Set<string>>();
  for (const spec of specs) {
    const params = new Set(paramsOf(ctx, spec));
    for (const v of from) {
      if (v.resourceType !== spec.sourceType || !v.resource) continue;
      for (const iv of ctx.deps.indexer(v.resource)) {
        if (!params.has(iv.p) || !iv.s || !iv.rt) continue;
        if (spec.targetType && iv.rt !== spec.targetType) continue;
        const id = iv.s.slice(iv.rt.length + 1);
        if (!iv.s.startsWith(`${iv.rt}/`) || id.includes('/')) continue;
        if (!wanted.has(iv.rt)) wanted.set(iv.rt, new Set());
        wanted.get(iv.rt)!.add(id);
      }
    }
  }
  const out: ReleasedVersion[] = [];
  for (const [type, ids] of wanted) {
    if (!ctx.deps.resourceTypes.includes(type) || !ctx.guard.may('search-type', type)) continue;
    out.push(...(await fetch(ctx, type, { k: 'id', ids: [...ids] }, ids.size)));
  }
  return out;
}

/** `_revinclude=*` means every reference parameter of every type. */
function expandWildcardSources(ctx: Ctx, specs: IncludeSpec[]): IncludeSpec[] {
  return specs.flatMap((s) => (s.sourceType === '*' ? ctx.deps.resourceTypes.map((t) => ({ ...s, sourceType: t, param: '*', wildcard: true })) : [s]));
}

async function reverse(ctx: Ctx, to: ReleasedVersion[], specs: IncludeSpec[]): Promise<ReleasedVersion[]> {
  const out: ReleasedVersion[] = [];
  const refs = to.map(key);
  if (refs.length === 0) return out;
  for (const spec of expandWildcardSources(ctx, specs)) {
    if (!ctx.deps.resourceTypes.includes(spec.sourceType) || !ctx.guard.may('search-type', spec.sourceType)) continue;
    const params = paramsOf(ctx, spec);
    if (params.length === 0) continue;
    const conds: Cond[] = params.map((p) => ({ k: 'idx', p, tests: [{ f: 's', op: 'in', v: refs }] }));
    out.push(...(await fetch(ctx, spec.sourceType, conds.length === 1 ? conds[0]! : { k: 'or', of: conds }, MAX_INCLUDED)));
  }
  return out;
}

async function fetch(ctx: Ctx, type: string, where: Cond, count: number): Promise<ReleasedVersion[]> {
  const page = await ctx.guard.search({ types: [type], where: [where], sort: [], count, total: 'none' }, 'search-type');
  return page.matches;
}
