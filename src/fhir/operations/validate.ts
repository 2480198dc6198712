// POST [base]/[type]/$validate and POST [base]/[type]/[id]/$validate: checks a resource as a write
// would (R4 definitions, invariants, bindings, the profiles it claims or the deployment makes
// mandatory), adds the best-practice recommendations a write does not evaluate (dom-6), and answers
// 200 with an OperationOutcome. Nothing is stored.
//
// Body: the resource itself, or a Parameters with `resource`, `mode` (create | update | delete) and
// `profile` (a canonical URL to check against as well). `mode` and `profile` may also be in the URL.
// Modes update and delete concern a stored resource: it is read through the guard, so a principal
// who may not read it gets exactly the answer a read would give (403/404/410).
//
// The workflow rules (slot availability, status transitions, referral checks) run inside a write's
// transaction and are not part of $validate: it answers whether the content conforms.
import { releaseOutcome } from '../../access/guard.js';
import { errors, operationOutcome, type Issue } from '../../domain/errors.js';
import { isPlainObject } from '../../domain/fhir.js';
import type { Ctx } from '../context.js';
import type { FhirResponse } from '../types.js';
import { bestPracticeIssues, validateAgainstProfile } from '../validation/index.js';

const MODES = ['create', 'update', 'delete'] as const;
type Mode = (typeof MODES)[number];

interface Inputs {
  resource?: unknown;
  mode?: Mode;
  profile?: string;
}

/** `appendOnly`: types whose resources are never updated or deleted (the router's APPEND_ONLY_TYPES). */
export async function validateOperation(ctx: Ctx, type: string, id: string | undefined, appendOnly: (type: string) => boolean): Promise<FhirResponse> {
  // Whoever may write the type may ask whether a write would be accepted; others get the 403 a create would.
  if (!ctx.guard.may('create', type) && !ctx.guard.may('update', type)) ctx.guard.authorize('create', type);
  const inputs = readInputs(ctx);
  const mode = inputs.mode;
  const targetId = id ?? (mode === 'update' && isPlainObject(inputs.resource) && typeof inputs.resource.id === 'string' ? inputs.resource.id : undefined);

  const issues: Issue[] = [];
  if (mode === 'delete') {
    if (!id) throw errors.badRequest('mode delete validates deleting a stored resource: use POST [base]/[type]/[id]/$validate', 'mode');
    await ctx.guard.read(type, id);
    issues.push(...deleteIssues(ctx, type, appendOnly(type)));
  } else {
    if (inputs.resource === undefined) throw errors.badRequest('A resource to validate is required (the body, or the Parameters input "resource")', 'resource');
    if (mode === 'update') {
      if (targetId === undefined) {
        issues.push({ severity: 'error', code: 'required', diagnostics: 'An update needs the resource\'s id', expression: [`${type}.id`] });
      } else {
        const current = await ctx.guard.read(type, targetId);
        issues.push(...updateIssues(type, targetId, current.versionId, inputs.resource, appendOnly(type)));
      }
    }
    issues.push(...ctx.deps.validate(inputs.resource, type), ...bestPracticeIssues(inputs.resource, type));
    if (inputs.profile !== undefined) issues.push(...validateAgainstProfile(inputs.resource, inputs.profile));
  }
  return { status: 200, headers: {}, body: releaseOutcome(operationOutcome(withVerdict(distinct(issues)))) };
}

/** The inputs from the URL and the body, each at most once; an unknown input is a 400. */
function readInputs(ctx: Ctx): Inputs {
  const found: Inputs = {};
  const set = (name: string, value: unknown, at: string) => {
    if (name !== 'resource' && name !== 'mode' && name !== 'profile') {
      throw errors.badRequest(`Unknown parameter '${name}' ($validate takes 'resource', 'mode' and 'profile')`, at);
    }
    if (found[name] !== undefined) throw errors.badRequest(`'${name}' may be given once`, at);
    if (name === 'resource') {
      found.resource = value;
      return;
    }
    if (typeof value !== 'string' || value === '') throw errors.badRequest(`'${name}' needs a value`, at);
    if (name === 'mode') {
      if (!(MODES as readonly string[]).includes(value)) throw errors.badRequest(`mode must be one of ${MODES.join(', ')}`, at);
      found.mode = value as Mode;
    } else {
      found.profile = value;
    }
  };
  for (const [name, value] of ctx.req.query) set(name, value, name);
  const body = ctx.req.body;
  if (isPlainObject(body) && body.resourceType === 'Parameters') {
    const list = body.parameter ?? [];
    if (!Array.isArray(list)) throw errors.badRequest('Parameters.parameter must be an array', 'Parameters.parameter');
    list.forEach((p, i) => {
      const at = `Parameters.parameter[${i}]`;
      if (!isPlainObject(p) || typeof p.name !== 'string') throw errors.badRequest('Each parameter needs a name', `${at}.name`);
      set(p.name, p.name === 'resource' ? p.resource : (p.valueCode ?? p.valueUri ?? p.valueCanonical ?? p.valueString), at);
    });
  } else if (body !== undefined) {
    set('resource', body, 'resource');
  }
  return found;
}

function updateIssues(type: string, id: string, currentVersion: number, resource: unknown, appendOnly: boolean): Issue[] {
  const out: Issue[] = [];
  if (appendOnly) {
    out.push({ severity: 'error', code: 'not-supported', diagnostics: `${type} resources cannot be updated: the audit trail is append-only` });
  }
  if (!isPlainObject(resource)) return out;
  if (resource.id !== id) {
    out.push({ severity: 'error', code: 'invalid', diagnostics: `The resource's id must be ${id}, the id being validated`, expression: [`${type}.id`] });
  }
  const versionId = isPlainObject(resource.meta) ? resource.meta.versionId : undefined;
  if (typeof versionId === 'string' && versionId !== String(currentVersion)) {
    out.push({
      severity: 'warning', code: 'conflict', expression: [`${type}.meta.versionId`],
      diagnostics: `meta.versionId ${versionId} is not the current version: an update made with If-Match on it would be refused`,
    });
  }
  return out;
}

function deleteIssues(ctx: Ctx, type: string, appendOnly: boolean): Issue[] {
  if (appendOnly) {
    return [{ severity: 'error', code: 'not-supported', diagnostics: `${type} resources cannot be deleted: the audit trail is append-only` }];
  }
  if (!ctx.guard.may('delete', type)) {
    return [{ severity: 'error', code: 'forbidden', diagnostics: `You may not delete ${type} resources` }];
  }
  return [];
}

/** A profile named both in meta.profile and as the `profile` input is reported once. */
function distinct(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = JSON.stringify([i.severity, i.code, i.diagnostics, i.expression]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** An outcome always says something: without errors, an informational issue says so. */
function withVerdict(issues: Issue[]): Issue[] {
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) return issues;
  const warnings = issues.filter((i) => i.severity === 'warning').length;
  const text = warnings === 0 ? 'All OK: the resource is valid' : `Valid: no errors, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return [{ severity: 'information', code: 'informational', diagnostics: text }, ...issues];
}
