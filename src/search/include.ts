// _include and _revinclude: which referenced / referencing resources to add to a page.
import { bad, UnknownParameter, type ParseContext } from './query/context.js';

export interface IncludeSpec {
  /**
   * The type holding the reference. `*` (only in `_revinclude=*`): any type, `param` then `*` too,
   * meaning every reference parameter that can point at the searched types.
   */
  sourceType: string;
  /** The reference parameter, or `*` for all reference parameters of sourceType (`wildcard`). */
  param: string;
  /** Only references to this type. */
  targetType?: string;
  /** `:iterate` (or the older `:recurse`): apply to included resources as well. */
  iterate: boolean;
  wildcard: boolean;
}

export type IncludeKind = '_include' | '_revinclude';

/**
 * One `_include`/`_revinclude` value: `*`, `Source:*`, `Source:param` or `Source:param:Target`.
 * Unknown types or parameters, and a non-iterating include that cannot apply to the searched types,
 * are UnknownParameter (ignored or failed by the caller's policy); a bad target type is a 400.
 */
export function parseInclude(
  kind: IncludeKind,
  modifier: string | undefined,
  value: string,
  types: readonly string[],
  ctx: ParseContext,
): IncludeSpec[] {
  const param = modifier === undefined ? kind : `${kind}:${modifier}`;
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') {
    throw bad(param, `Unknown modifier ':${modifier}' on ${kind} (only :iterate)`);
  }
  const iterate = modifier !== undefined;
  if (value === '*') {
    if (kind === '_revinclude') return [{ sourceType: '*', param: '*', iterate, wildcard: true }];
    return types.map((t) => ({ sourceType: t, param: '*', iterate, wildcard: true }));
  }
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw bad(param, `${kind} needs Type:parameter[:targetType] or *, got '${value}'`);
  }
  const [sourceType, code, targetType] = parts as [string, string, string | undefined];
  if (!ctx.registry.isType(sourceType)) throw new UnknownParameter(param, `${kind}: unknown resource type '${sourceType}'`);
  if (kind === '_include' && !iterate && !types.includes(sourceType)) {
    throw new UnknownParameter(param, `${kind}=${value} cannot apply: ${sourceType} is not the searched type (use :iterate)`);
  }
  if (code === '*') {
    if (targetType !== undefined) throw bad(param, `${kind}: a target type cannot follow '*'`);
    return [{ sourceType, param: '*', iterate, wildcard: true }];
  }
  const def = ctx.registry.param(sourceType, code);
  if (!def || def.type !== 'reference') {
    throw new UnknownParameter(param, `${kind}: '${code}' is not a reference parameter of ${sourceType}`);
  }
  if (targetType !== undefined) {
    if (!ctx.registry.isType(targetType) || (def.targets.length > 0 && !def.targets.includes(targetType))) {
      throw bad(param, `${kind}: ${sourceType}.${code} cannot refer to '${targetType}'`);
    }
  }
  if (kind === '_revinclude' && !iterate) {
    const reachable = targetType !== undefined ? [targetType] : def.targets;
    if (reachable.length > 0 && !types.some((t) => reachable.includes(t))) {
      throw new UnknownParameter(param, `${kind}=${value} cannot apply: it does not refer to ${types.join(' or ')}`);
    }
  }
  const spec: IncludeSpec = { sourceType, param: code, iterate, wildcard: false };
  if (targetType !== undefined) spec.targetType = targetType;
  return [spec];
}
