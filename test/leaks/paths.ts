// The read paths, as data: each builds its requests from a target (or its twin, which matches
// nothing) and sends them. A path that follows links (paging) sends several. Paths that write use
// bodies about a scratch patient, so that what they create never shows up in another test's
// searches of pat's data.
import { pathOf, bundleEntries, type Exchange, type Req, type Send } from './raw.js';
import type { Target } from './reasons.js';
import { BASE, hasGrant, ROLE_POLICY } from './world.js';

/** Whether `role` may choose the ids of new resources of `type`: trusted to (mayChooseIds), and granted create and update on it. */
const choosesIdsOf = (role: string, type: string) => ROLE_POLICY.roles[role]?.mayChooseIds === true && hasGrant(role, type, 'cu');

export interface Path {
  name: string;
  applies(t: Target): boolean;
  run(send: Send, t: Target): Promise<Exchange[]>;
  /** Writes (conditional and direct writes, $hold): never cached, and no control run unless `control` asks for one. */
  writes?: boolean;
  /**
   * The request starts from a visible resource that names the target by reference (ptr-appt): the
   * target's id may appear there, so it is checked as "no entry of the answer is the target".
   */
  viaPointer?: boolean;
  /** Whether the control principal is expected to see the target through this path (default: unless it writes). */
  control?(t: Target): boolean;
  /** Further checks on the principal's answers (e.g. paging consistency); returns problems. */
  check?(xs: Exchange[], t: Target): string[];
  /**
   * A known, documented disclosure of existence (no content) by this path to this role: its answer
   * about the hidden target is then not compared with the one about the missing twin, only checked
   * to be a refusal (403 or 404) carrying no marker. Each is listed in docs/sealed-envelopes.md.
   */
  existenceShown?(t: Target, role: string): boolean;
}

const F = '/fhir';
const get = (url: string, headers?: Record<string, string>): Req => (headers ? { method: 'GET', url, headers } : { method: 'GET', url });
const one = (req: Req) => async (send: Send) => [await send(req)];
const about = (t: Target) => t.patient !== undefined;
const isType = (...types: string[]) => (t: Target) => types.includes(t.type);
const allTypes = () => true;
/**
 * A search of AuditEvents must name a time window. This one ends a minute after the world was
 * built: the trail keeps growing with every request of the suite, and a window that moved with it
 * would make totals and pages disagree for reasons that have nothing to do with hiding.
 */
const AUDIT_WINDOW = '&date=ge2031-01-01&date=le2031-01-02T10:01:00Z';
const auditWindow = (t: Target) => (t.type === 'AuditEvent' ? AUDIT_WINDOW : '');
/** The only types the control principals may read without limits: limited access has no type history (docs/policy.md). */
const UNLIMITED_FOR_CONTROLS = new Set(['Slot', 'AuditEvent']);
/** Whether the target's element query asks about sealed content (a marker). */
const asksHidden = (t: Target, q: string | undefined) => q !== undefined && t.markers.some((m) => q.includes(m));

/** The elements masking removes (policy/labelling.json), asked for by name. */
const HIDDEN_ELEMENTS: Record<string, string> = {
  ServiceRequest: 'reasonCode,note,supportingInfo,patientInstruction',
  Appointment: 'reasonCode,comment,description,patientInstruction',
  Slot: 'comment,identifier',
  Consent: 'identifier,provision',
};

/** Valid new resources, about the scratch patient, for the write paths (no identifier: never a match). */
function writeBody(type: string): Record<string, unknown> {
  const scratch = { reference: 'Patient/scratch-pat' };
  switch (type) {
    case 'ServiceRequest':
      return { resourceType: 'ServiceRequest', status: 'draft', intent: 'order', subject: scratch, requester: { reference: 'PractitionerRole/gp-a' } };
    case 'Appointment':
      return { resourceType: 'Appointment', status: 'waitlist', participant: [{ actor: scratch, status: 'needs-action' }] };
    case 'Consent':
      return {
        resourceType: 'Consent', status: 'proposed', patient: scratch,
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
        policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      };
    case 'Slot':
      return { resourceType: 'Slot', schedule: { reference: 'Schedule/clinic-sched' }, status: 'free', start: '2035-01-01T09:00:00Z', end: '2035-01-01T09:15:00Z' };
    case 'AuditEvent':
      return {
        resourceType: 'AuditEvent', recorded: '2031-01-02T10:30:00Z',
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        agent: [{ requestor: true, who: { display: 'leak suite' } }], source: { observer: { display: 'leak suite' } },
      };
    default:
      return { resourceType: type };
  }
}

/** What a search of `type` "about the same patient / place" as the target looks like. */
function neighbourhood(t: Target): string {
  if (t.type === 'Slot') return `${F}/Slot?schedule=Schedule/clinic-sched`;
  return `${F}/${t.type}?patient=Patient/${t.patient}${auditWindow(t)}`;
}

export const PATHS: Path[] = [
  { name: 'read', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}/${t.id}`))(s) },
  {
    name: 'read with If-None-Match',
    applies: allTypes,
    // A masked resource answers 304 to whoever has its version: nothing to see either way.
    control: (t) => !t.idVisible,
    run: (s, t) => one(get(`${F}/${t.type}/${t.id}`, { 'If-None-Match': `W/"${t.versions}"` }))(s),
  },
  {
    name: 'vread of each version',
    applies: allTypes,
    async run(s, t) {
      const out: Exchange[] = [];
      for (let v = 1; v <= t.versions; v++) out.push(await s(get(`${F}/${t.type}/${t.id}/_history/${v}`)));
      return out;
    },
  },
  { name: 'instance history', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}/${t.id}/_history`))(s) },
  { name: 'type history', applies: allTypes, control: (t) => UNLIMITED_FOR_CONTROLS.has(t.type), run: (s, t) => one(get(`${F}/${t.type}/_history`))(s) },
  // No default role may search every type, so this is 403 for all: kept so that a policy change is caught.
  { name: 'system history', applies: allTypes, control: () => false, run: (s) => one(get(`${F}/_history`))(s) },
  { name: 'search by _id', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}?_id=${t.id}${auditWindow(t)}`))(s) },
  {
    name: 'search by _id asking for the hidden elements (_elements, _summary=data)',
    applies: allTypes,
    async run(s, t) {
      return [
        await s(get(`${F}/${t.type}?_id=${t.id}&_elements=${HIDDEN_ELEMENTS[t.type] ?? 'id'}${auditWindow(t)}`)),
        await s(get(`${F}/${t.type}?_id=${t.id}&_summary=data${auditWindow(t)}`)),
      ];
    },
  },
  { name: 'search by a hidden element', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}?${t.elementQuery}`))(s) },
  { name: 'search by label or tag', applies: (t) => t.labelQuery !== undefined, run: (s, t) => one(get(`${F}/${t.type}?${t.labelQuery}`))(s) },
  { name: 'search by seal team', applies: (t) => t.teamQuery !== undefined, run: (s, t) => one(get(`${F}/${t.type}?${t.teamQuery}`))(s) },
  { name: '_total=accurate', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}?${t.elementQuery}&_total=accurate`))(s) },
  { name: '_summary=count', applies: allTypes, run: (s, t) => one(get(`${F}/${t.type}?${t.elementQuery}&_summary=count`))(s) },
  {
    name: '_count=1 paging (every next link) with _total=accurate',
    applies: (t) => about(t) || t.type === 'Slot',
    async run(s, t) {
      const out: Exchange[] = [];
      let next: string | undefined = `${neighbourhood(t)}&_count=1&_total=accurate`;
      while (next !== undefined && out.length < 60) {
        const x = await s(get(next));
        out.push(x);
        next = nextLink(x);
      }
      return out;
    },
    check(xs) {
      // A hidden match filtered after the query would leave a page short (or empty) or the total off.
      const problems: string[] = [];
      if (xs.length === 0 || xs[0]!.status !== 200) return problems;
      const total = (JSON.parse(xs[0]!.text) as { total?: number }).total;
      const matches = xs.map((x) => bundleEntries(x).filter((e) => e.mode === 'match').length);
      const sum = matches.reduce((a, b) => a + b, 0);
      if (total !== sum) problems.push(`_total=${total} but the pages hold ${sum} matches (${matches.join(', ')})`);
      matches.forEach((n, i) => {
        if (n !== 1 && !(total === 0 && i === 0)) problems.push(`page ${i + 1} holds ${n} matches, not 1`);
      });
      if (xs.length >= 60) problems.push('more than 60 pages');
      return problems;
    },
  },
  {
    name: '_include from it',
    applies: allTypes,
    run: (s, t) => one(get(`${F}/${t.type}?_id=${t.id}&_include=${t.type === 'Slot' ? 'Slot:schedule' : `${t.type}:patient`}${auditWindow(t)}`))(s),
  },
  {
    name: '_include into it (from a visible appointment that references it)',
    applies: isType('ServiceRequest', 'Slot'),
    viaPointer: true,
    async run(s, t) {
      return [
        await s(get(`${F}/Appointment?_id=ptr-appt&_include=${t.type === 'Slot' ? 'Appointment:slot' : 'Appointment:based-on'}`)),
        await s(get(`${F}/Appointment?_id=ptr-appt&_include=*`)),
      ];
    },
  },
  {
    name: '_revinclude',
    applies: (t) => (about(t) && t.type !== 'AuditEvent') || t.type === 'Slot',
    run: (s, t) => one(get(t.type === 'Slot'
      ? `${F}/Schedule?_id=clinic-sched&_revinclude=Slot:schedule`
      : `${F}/Patient?_id=${t.patient}&_revinclude=${t.type}:patient`))(s),
  },
  {
    name: '_revinclude=*',
    applies: (t) => about(t) && t.type !== 'AuditEvent',
    // Everything that points at the patient comes back, ptr-appt included (which names the target).
    viaPointer: true,
    run: (s, t) => one(get(`${F}/Patient?_id=${t.patient}&_revinclude=*`))(s),
  },
  {
    name: '_include:iterate / _revinclude:iterate',
    applies: isType('ServiceRequest', 'Appointment', 'Consent', 'Slot'),
    run(s, t) {
      switch (t.type) {
        case 'ServiceRequest':
          // The requester's referrals, then (iterate) their patients.
          return one(get(`${F}/PractitionerRole?_id=${t.requester}&_revinclude=ServiceRequest:requester&_include:iterate=ServiceRequest:patient`))(s);
        case 'Slot':
          return one(get(`${F}/HealthcareService?_id=clinic&_revinclude=Schedule:actor&_revinclude:iterate=Slot:schedule`))(s);
        default:
          // A visible referral, its patient, then (iterate) everything of this type about the patient.
          return one(get(`${F}/ServiceRequest?_id=sr-open&_include=ServiceRequest:patient&_revinclude:iterate=${t.type}:patient`))(s);
      }
    },
  },
  {
    name: 'chain',
    applies: isType('ServiceRequest', 'Appointment', 'Consent', 'Slot'),
    run: (s, t) => one(get(t.type === 'Slot' ? `${F}/Slot?schedule.actor=HealthcareService/clinic` : `${F}/${t.type}?patient.name=${t.family}`))(s),
  },
  {
    name: 'chain through it (from a visible appointment)',
    applies: isType('ServiceRequest', 'Slot'),
    run: (s, t) => one(get(`${F}/Appointment?${t.type === 'Slot' ? 'slot' : 'based-on'}:${t.type}.${t.elementQuery}`))(s),
  },
  {
    name: '_has',
    applies: isType('ServiceRequest', 'Appointment', 'Consent', 'Slot'),
    run: (s, t) => one(get(t.type === 'Slot' ? `${F}/Schedule?_has:Slot:schedule:${t.elementQuery}` : `${F}/Patient?_has:${t.type}:patient:${t.elementQuery}`))(s),
  },
  {
    name: 'Patient compartment search',
    applies: isType('ServiceRequest', 'Appointment', 'Consent'),
    run: (s, t) => one(get(`${F}/Patient/${t.patient}/${t.type}`))(s),
  },
  { name: 'system search (_type)', applies: allTypes, run: (s, t) => one(get(`${F}?_type=${t.type}&_id=${t.id}${auditWindow(t)}`))(s) },
  { name: 'POST _search', applies: allTypes, run: (s, t) => one({ method: 'POST', url: `${F}/${t.type}/_search`, form: t.elementQuery })(s) },
  {
    name: 'conditional create (If-None-Exist)',
    applies: allTypes,
    writes: true,
    // Safe for a control that may create the type: a match is answered, not written.
    control: (t) => t.type === 'ServiceRequest' || t.type === 'Consent',
    run: (s, t) => one({ method: 'POST', url: `${F}/${t.type}`, headers: { 'If-None-Exist': t.elementQuery }, body: writeBody(t.type) })(s),
  },
  {
    name: 'conditional update',
    applies: allTypes,
    writes: true,
    run: (s, t) => one({ method: 'PUT', url: `${F}/${t.type}?${t.elementQuery}`, body: writeBody(t.type) })(s),
  },
  {
    name: 'conditional patch',
    applies: allTypes,
    writes: true,
    // A patch that changes nothing if it ever applied: the answer is what is compared.
    run: (s, t) => one({ method: 'PATCH', url: `${F}/${t.type}?${t.elementQuery}`, headers: { 'Content-Type': 'application/json-patch+json' }, body: [{ op: 'test', path: '/resourceType', value: t.type }] })(s),
  },
  {
    name: 'conditional delete',
    applies: allTypes,
    writes: true,
    run: (s, t) => one({ method: 'DELETE', url: `${F}/${t.type}?${t.elementQuery}` })(s),
  },
  {
    name: 'patch by id',
    applies: allTypes,
    writes: true,
    run: (s, t) => one({ method: 'PATCH', url: `${F}/${t.type}/${t.id}`, headers: { 'Content-Type': 'application/json-patch+json' }, body: [{ op: 'test', path: '/resourceType', value: t.type }] })(s),
  },
  {
    name: 'delete by id',
    applies: allTypes,
    writes: true,
    run: (s, t) => one({ method: 'DELETE', url: `${F}/${t.type}/${t.id}` })(s),
  },
  {
    name: 'batch: read, vread and history of it',
    applies: allTypes,
    run: (s, t) => one({ method: 'POST', url: F, body: bundle('batch', byId(t)) })(s),
  },
  {
    name: 'batch: searches of it',
    applies: allTypes,
    run: (s, t) => one({ method: 'POST', url: F, body: bundle('batch', searches(t)) })(s),
  },
  {
    // A transaction fails as a whole when one entry fails, so it is compared as a whole: for
    // masked data it holds only the searches by hidden content.
    name: 'transaction: reads and searches of it',
    applies: (t) => !t.idVisible || searches(t).every((u) => asksHidden(t, u)),
    run: (s, t) => one({ method: 'POST', url: F, body: bundle('transaction', t.idVisible ? searches(t) : [...byId(t), ...searches(t)]) })(s),
  },
  {
    name: '$find',
    applies: isType('ServiceRequest', 'Slot'),
    // The options for a masked referral are the referral's (skeleton) services: nothing sealed in them.
    control: (t) => !t.idVisible,
    run: (s, t) => one(get(t.type === 'Slot'
      ? `${F}/Appointment/$find?service=HealthcareService/clinic&start=2031-02-01&end=2031-02-28`
      : `${F}/Appointment/$find?referral=ServiceRequest/${t.id}&start=2031-02-01&end=2031-02-28`))(s),
  },
  {
    name: '$hold',
    applies: isType('Slot'),
    writes: true,
    run: (s, t) => one({ method: 'POST', url: `${F}/Slot/${t.id}/$hold`, body: { resourceType: 'Parameters' } })(s),
  },
  {
    // Last: where PUT may create, it creates the twin, which the paths above must still find missing.
    name: 'update by id (PUT)',
    applies: allTypes,
    writes: true,
    // A role trusted to choose ids (mayChooseIds) creates at a free id, so it can tell one a hidden
    // resource holds from it (docs/sealed-envelopes.md, "What PUT reveals").
    existenceShown: (t, role) => choosesIdsOf(role, t.type),
    run: (s, t) => one({ method: 'PUT', url: `${F}/${t.type}/${t.id}`, body: { ...writeBody(t.type), id: t.id } })(s),
  },
];

function byId(t: Target): string[] {
  return [`${t.type}/${t.id}`, `${t.type}/${t.id}/_history/1`, `${t.type}/${t.id}/_history`];
}

/** Searches that select the target: by what is hidden of it, and (where its existence is hidden) by id. */
function searches(t: Target): string[] {
  const queries = [t.elementQuery, t.labelQuery, t.teamQuery].filter((q): q is string => q !== undefined);
  if (!t.idVisible) queries.push(`_id=${t.id}${auditWindow(t)}`);
  return queries.filter((q) => !t.idVisible || asksHidden(t, q)).map((q) => `${t.type}?${q}`);
}

function bundle(type: 'batch' | 'transaction', urls: string[]) {
  return { resourceType: 'Bundle', type, entry: urls.map((url) => ({ request: { method: 'GET', url } })) };
}

function nextLink(x: Exchange): string | undefined {
  if (x.status !== 200) return undefined;
  try {
    const body = JSON.parse(x.text) as { link?: { relation: string; url: string }[] };
    const url = body.link?.find((l) => l.relation === 'next')?.url;
    return url === undefined ? undefined : pathOf(url.startsWith('http') ? url : `${BASE}${url}`);
  } catch {
    return undefined;
  }
}
