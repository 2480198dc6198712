// GET or POST [base]/Appointment/$find: the bookable options for a referral or a service over a date
// range, the way a patient choosing a hospital, a date and a time needs them. Answers a searchset
// of free future slots (mode match, earliest first) with their Schedule and, as includes, the
// HealthcareService, Location, Practitioner and Organization behind each. Everything goes through the
// guard's search, so a principal sees only options it may see, and pages like any search.
//
// Inputs: referral (ServiceRequest reference) and/or service (HealthcareService reference, may
// repeat); start and end (date or dateTime, both required: slots starting within [start, end]);
// _count; _cursor (from a next link).
import { releaseBundle, type ReleasableBundle, type ReleasedVersion } from '../../access/guard.js';
import { errors } from '../../domain/errors.js';
import type { r4 } from '../../domain/fhir.js';
import type { Ctx } from '../context.js';
import { resolveIncludes } from '../includes.js';
import type { IncludeSpec } from '../search-parser.js';
import type { FhirResponse } from '../types.js';
import { operationInputs } from './parameters.js';

const INPUTS = ['referral', 'service', 'start', 'end', '_count', '_cursor'] as const;
const PATH = '/Appointment/$find';
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Slot → Schedule → its actors → their locations and organisations. */
const INCLUDES: IncludeSpec[] = [
  ['Slot', 'schedule'], ['Schedule', 'actor'], ['HealthcareService', 'location'], ['HealthcareService', 'organization'],
  ['Location', 'organization'], ['PractitionerRole', 'location'], ['PractitionerRole', 'organization'],
].map(([sourceType, param]) => ({ sourceType: sourceType!, param: param!, iterate: true, wildcard: false }));

export async function findAppointments(ctx: Ctx): Promise<FhirResponse> {
  const inputs = operationInputs(ctx.req, INPUTS);
  const one = (name: string) => {
    const values = inputs.filter(([k]) => k === name).map(([, v]) => v);
    if (values.length > 1) throw errors.badRequest(`'${name}' may be given once`, name);
    return values[0];
  };
  const start = dateInput(one('start'), 'start');
  const end = dateInput(one('end'), 'end');
  const referral = one('referral');
  const services = inputs.filter(([k]) => k === 'service').map(([, v]) => reference(v, 'HealthcareService', 'service'));
  if (referral === undefined && services.length === 0) throw errors.badRequest('$find needs a referral or a service', 'referral');

  const criteria: [string, string][] = [];
  if (referral !== undefined) criteria.push(...(await referralCriteria(ctx, reference(referral, 'ServiceRequest', 'referral'))));
  if (services.length > 0) criteria.push(['schedule.actor', services.join(',')]);

  const params: [string, string][] = [
    ['status', 'free'],
    ['start', `ge${start}`],
    ['start', `le${end}`],
    // Only what can still be booked: a slot that has started is not an option.
    ['start', `gt${new Date().toISOString()}`],
    ...criteria,
    ['_sort', 'start'],
  ];
  for (const name of ['_count', '_cursor']) {
    const v = one(name);
    if (v !== undefined) params.push([name, v]);
  }
  const parsed = ctx.deps.parser.parse(['Slot'], params, { strict: true });
  const page = await ctx.guard.search(parsed.request, 'search-type');
  const included = await resolveIncludes(ctx, page.matches, INCLUDES, []);
  const bundle: ReleasableBundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: link(ctx, inputs) }],
    entry: [...page.matches.map((v) => entry(ctx, v, 'match')), ...included.map((v) => entry(ctx, v, 'include'))],
  };
  if (page.next) bundle.link!.push({ relation: 'next', url: link(ctx, [...inputs.filter(([k]) => k !== '_cursor'), ['_cursor', page.next]]) });
  return { status: 200, headers: {}, body: releaseBundle(bundle) };
}

/**
 * The services a referral is for: the HealthcareServices it names as performer, or else the service
 * types of its code. Only an active referral can be booked against, so only it has options.
 */
async function referralCriteria(ctx: Ctx, ref: string): Promise<[string, string][]> {
  const v = await ctx.guard.read('ServiceRequest', ref.slice('ServiceRequest/'.length));
  const sr = v.resource as unknown as r4.ServiceRequest;
  if (sr.status !== 'active') throw errors.invalid(`${ref} is not active: only an active referral has bookable options`, 'referral', 'business-rule');
  const performers = (sr.performer ?? []).map((p) => p.reference).filter((r): r is string => !!r && /^HealthcareService\/[^/]+$/.test(r));
  if (performers.length > 0) return [['schedule.actor', performers.join(',')]];
  const codes = (sr.code?.coding ?? []).filter((c) => c.code).map((c) => `${c.system ?? ''}|${c.code}`.replace(/,/g, '\\,'));
  if (codes.length > 0) return [['service-type', codes.join(',')]];
  throw errors.invalid(`${ref} names no service: give it a performer (HealthcareService) or a code, or pass 'service'`, 'referral', 'business-rule');
}

function dateInput(v: string | undefined, name: string): string {
  if (v === undefined) throw errors.badRequest(`$find needs '${name}' (a date or dateTime)`, name);
  if (!DATE.test(v)) throw errors.badRequest(`'${name}' must be a date (2030-03-01) or a dateTime with offset`, name);
  return v;
}

/** `Type/id` or a bare id, as the `Type/id` reference. */
function reference(v: string, type: string, name: string): string {
  const m = new RegExp(`^(?:${type}/)?([A-Za-z0-9\\-.]{1,64})$`).exec(v);
  if (!m) throw errors.badRequest(`'${name}' must be ${type}/[id]`, name);
  return `${type}/${m[1]}`;
}

function link(ctx: Ctx, inputs: [string, string][]): string {
  const qs = new URLSearchParams(inputs).toString();
  return `${ctx.req.baseUrl}${PATH}${qs ? `?${qs}` : ''}`;
}

function entry(ctx: Ctx, v: ReleasedVersion, mode: 'match' | 'include'): NonNullable<ReleasableBundle['entry']>[number] {
  return { fullUrl: `${ctx.req.baseUrl}/${v.resourceType}/${v.id}`, resource: v.resource!, search: { mode } };
}
