// The grammar of a search parameter name, compiled recursively into one Cond:
//   name      := has | chain | leaf
//   has       := `_has:` Type `:` refParam `:` name       (Type's refParam points at this resource)
//   chain     := refParam [`:` Type] `.` name             (refParam points at a resource matching name)
//   leaf      := param [`:` modifier]
import type { Cond } from '../../domain/search-types.js';
import { or } from '../../domain/search-types.js';
import type { SearchParamDef } from '../registry.js';
import { bad, UnknownParameter, type ParseContext } from './context.js';
import { leafCondition } from './leaf.js';
import { checkTargetType, isTypeModifier } from './reference.js';

/** The parameter `code` as searched on `types` (several types: only the common parameters). */
export function resolveParam(types: readonly string[], code: string, param: string, ctx: ParseContext): SearchParamDef {
  const def = types.length === 1 ? ctx.registry.param(types[0]!, code) : ctx.registry.param('Resource', code);
  const where = types.length === 1 ? types[0]! : `a search across ${types.join(', ')}`;
  if (!def) throw new UnknownParameter(param, `Unknown search parameter '${code}' for ${where}`);
  if (!def.supported) throw new UnknownParameter(param, `Search parameter '${code}' is not supported: ${def.unsupported}`);
  return def;
}

function splitModifier(s: string): [string, string | undefined] {
  const i = s.indexOf(':');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function hasCondition(types: readonly string[], name: string, value: string, param: string, ctx: ParseContext): Cond {
  const m = /^_has:([^:]+):([^:]+):(.+)$/s.exec(name);
  if (!m) throw bad(param, `_has needs the form _has:Type:parameter:search, got '${name}'`);
  const [, type, refCode, inner] = m as unknown as [string, string, string, string];
  if (!ctx.registry.isType(type)) throw bad(param, `_has: '${type}' is not a resource type served here`);
  const ref = resolveParam([type], refCode, param, ctx);
  if (ref.type !== 'reference') throw bad(param, `_has: '${refCode}' is not a reference parameter of ${type}`);
  if (ref.targets.length > 0 && !types.some((t) => ref.targets.includes(t))) {
    throw bad(param, `_has: ${type}.${refCode} cannot refer to ${types.join(' or ')}`);
  }
  return { k: 'has', type, p: refCode, where: criterion([type], inner, value, param, ctx) };
}

function chainCondition(types: readonly string[], head: string, rest: string, value: string, param: string, ctx: ParseContext): Cond {
  const [code, modifier] = splitModifier(head);
  const def = resolveParam(types, code, param, ctx);
  if (def.type !== 'reference') throw bad(param, `'${code}' is not a reference parameter and cannot be chained`);
  let targets: string[];
  if (modifier !== undefined) {
    if (!isTypeModifier(modifier)) throw bad(param, `A chained parameter takes only a resource type modifier, got ':${modifier}'`);
    checkTargetType(def, modifier, param);
    if (!ctx.registry.isType(modifier)) throw bad(param, `Cannot chain into ${modifier}: not a resource type served here`);
    targets = [modifier];
  } else {
    targets = def.targets.filter((t) => ctx.registry.isType(t));
  }
  // The rest is parsed for each target type that has it; types whose parse is identical share one
  // chain, so `actor.name=x` on Appointment is one chain over Practitioner, HealthcareService, ….
  const groups = new Map<string, { types: string[]; where: Cond }>();
  let unknown: UnknownParameter | undefined;
  for (const t of targets) {
    let where: Cond;
    try {
      where = criterion([t], rest, value, param, ctx);
    } catch (e) {
      if (e instanceof UnknownParameter) {
        unknown = e;
        continue;
      }
      throw e;
    }
    const key = JSON.stringify(where);
    const g = groups.get(key);
    if (g) g.types.push(t);
    else groups.set(key, { types: [t], where });
  }
  if (groups.size === 0) {
    throw unknown ?? new UnknownParameter(param, `'${code}' refers to no resource type served here`);
  }
  return or(...[...groups.values()].map((g): Cond => ({ k: 'chain', p: code, types: g.types, where: g.where })));
}

/**
 * The condition for `name=value` searched on `types`. `param` is the full parameter as the client
 * wrote it, used in error messages. Throws UnknownParameter or a 400 FhirError.
 */
export function criterion(types: readonly string[], name: string, value: string, param: string, ctx: ParseContext): Cond {
  if (name.startsWith('_has:')) return hasCondition(types, name, value, param, ctx);
  const dot = name.indexOf('.');
  if (dot >= 0) return chainCondition(types, name.slice(0, dot), name.slice(dot + 1), value, param, ctx);
  const [code, modifier] = splitModifier(name);
  if (code === '') throw bad(param, `Missing parameter name in '${name}'`);
  return leafCondition(resolveParam(types, code, param, ctx), modifier, value, param, ctx);
}
