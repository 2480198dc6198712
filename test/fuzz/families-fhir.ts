// Case families for the FHIR REST API: create/update with mutated resources, search (including
// MongoDB operator injection in names and values), history and vread, JSON Patch, transaction and
// batch Bundles, and the operations ($hold, $find, $claim-relationship).
import { acceptHeader, authHeader, badQueryValue, contentType, encodeComponent, FHIR_JSON, queryString, rawTarget, type Credentials, type FuzzCase } from './case.js';
import { encodeBody } from './encode.js';
import { BAD_PERCENT, HOSTILE_KEYS, HOSTILE_STRINGS, hostileValue, withKey, type Json } from './hostile.js';
import { mutate } from './mutate.js';
import type { Random } from './random.js';
import { someId, TEMPLATES, TYPES, WORLD } from './resources.js';

type Make = (rnd: Random, creds: Credentials) => FuzzCase;

const COMMON_PARAMS = ['_id', '_lastUpdated', '_count', '_sort', '_include', '_revinclude', '_elements', '_summary', '_total', '_cursor', '_has:Appointment:patient:status', '_security', '_tag', '_profile', '_text', '_content', '_filter', '_type', '_since'];
const PARAMS: Record<string, string[]> = {
  Patient: ['name', 'family', 'given', 'identifier', 'birthdate', 'gender', 'general-practitioner', 'organization', 'phonetic', 'address'],
  Slot: ['schedule', 'start', 'status', 'service-type', 'identifier', 'schedule.actor', 'schedule:Schedule.actor'],
  Appointment: ['patient', 'slot', 'status', 'date', 'based-on', 'actor', 'practitioner', 'service-type', 'slot.schedule', 'patient.name'],
  ServiceRequest: ['subject', 'patient', 'status', 'code', 'performer', 'authored', 'subject:Patient.name', 'patient.general-practitioner.name'],
  Schedule: ['actor', 'active', 'service-type', 'date'],
  Organization: ['name', 'identifier', 'partof'],
  Consent: ['patient', 'status', 'category', 'actor'],
  AuditEvent: ['date', 'agent', 'entity', 'patient', 'type', 'subtype', 'outcome', 'action'],
  HealthcareService: ['name', 'organization', 'service-type', 'location'],
  Location: ['name', 'organization'],
  Practitioner: ['name', 'identifier'],
  PractitionerRole: ['practitioner', 'organization'],
};
const MODIFIERS = ['', '', '', ':exact', ':contains', ':missing', ':not', ':text', ':above', ':below', ':identifier', ':of-type', ':Patient', ':in', ':iterate', ':$gt', ':__proto__'];

function paramName(rnd: Random, type: string): string {
  return rnd.weighted<() => string>([
    [8, () => `${rnd.pick(PARAMS[type] ?? ['name'])}${rnd.pick(MODIFIERS)}`],
    [3, () => rnd.pick(COMMON_PARAMS)],
    [2, () => `${rnd.pick(PARAMS[type] ?? ['name'])}[${rnd.pick(['$gt', '$ne', '$regex', '$where', '__proto__', 'constructor'])}]`],
    [1, () => rnd.pick(['__proto__[polluted]', 'constructor[prototype][polluted]', '$where', '$or', 'idx.p', '_has', '_has:', ':', '=', '', 'a'.repeat(500)])],
  ])();
}

function paramValue(rnd: Random, name: string): string {
  if (rnd.chance(0.5)) return badQueryValue(rnd);
  if (name.startsWith('_count')) return rnd.pick(['0', '1', '-1', '10001', '1e3', 'abc', '99999999999999999999', '5']);
  if (name.startsWith('_sort')) return rnd.pick(['name', '-_lastUpdated', 'start,-date', '__proto__', '$natural', '-', ',,', 'x'.repeat(100)]);
  if (name.startsWith('_include') || name.startsWith('_revinclude')) return rnd.pick(['*', 'Appointment:slot', 'Slot:schedule:Schedule', 'Patient:*', ':::', 'Appointment:patient:iterate']);
  if (name.startsWith('_cursor')) return rnd.pick(['', 'x', 'eyJ4IjoxfQ', Buffer.from('{"$gt":""}').toString('base64url'), 'A'.repeat(400)]);
  if (name.startsWith('_summary')) return rnd.pick(['true', 'count', 'data', 'text', 'false', 'maybe']);
  if (name.startsWith('_elements')) return rnd.pick(['id,name', '__proto__', 'meta.security', '*', '']);
  if (/date|start|_lastUpdated|authored|birthdate|_since/.test(name)) return rnd.pick(['2031-06-01', 'ge2031-01-01', 'lt2020', 'eq2031-06-01T09:00:00Z', 'sa2031', 'ap2031-06', '2031-02-30', 'ge', '9999-12-31T23:59:59.999Z']);
  if (/patient|subject|slot|schedule|based-on|actor|performer|organization|general-practitioner|practitioner|partof|location/.test(name)) {
    return rnd.pick([`Patient/${WORLD.patients[0]}`, `Slot/${WORLD.slots[0]}`, WORLD.patients[1]!, 'Patient/../../x', 'http://evil/fhir/Patient/1', `Schedule/${WORLD.schedule}`, 'Patient/', '/']);
  }
  return rnd.pick(['Smith', 'free', 'booked', 'active', `https://fhir.nhs.uk/Id/nhs-number|9000000001`, 'true', '394579002', 'http://snomed.info/sct|394579002']);
}

function searchPairs(rnd: Random, type: string): [string, string][] {
  const n = rnd.weighted([[6, rnd.between(0, 3)], [3, rnd.between(4, 10)], [1, rnd.pick([50, 300])]] as const);
  return Array.from({ length: n }, () => {
    const name = paramName(rnd, type);
    return [name, paramValue(rnd, name)] as [string, string];
  });
}

const search: Make = (rnd, creds) => {
  const type = rnd.pick(TYPES);
  const pairs = searchPairs(rnd, type);
  const asPost = rnd.chance(0.2);
  const where = rnd.weighted<() => string>([
    [8, () => `/fhir/${type}`],
    [1, () => '/fhir'],
    [1, () => `/fhir/Patient/${rnd.pick(WORLD.patients)}/${rnd.pick(['Appointment', 'ServiceRequest', 'Consent', 'Slot', 'Patient', 'AuditEvent'])}`],
  ])();
  if (asPost) {
    const body = Buffer.from(pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&'), 'utf8');
    return {
      family: 'search', method: 'POST', target: `${where === '/fhir' ? '/fhir/_search' : `${where}/_search`}${queryString(rnd, rnd.chance(0.3) ? searchPairs(rnd, type) : [])}`,
      headers: [...authHeader(rnd, creds), ...contentType(rnd, 'application/x-www-form-urlencoded'), ...acceptHeader(rnd)], body, format: 'fhir',
    };
  }
  return { family: 'search', method: rnd.chance(0.1) ? 'HEAD' : 'GET', target: `${where}${queryString(rnd, pairs)}`, headers: [...authHeader(rnd, creds), ...acceptHeader(rnd)], format: 'fhir' };
};

const write: Make = (rnd, creds) => {
  const type = rnd.pick(TYPES);
  let doc: Json = TEMPLATES[type]!(rnd);
  const rounds = rnd.weighted([[2, 0], [5, 1], [2, 2], [1, 4]] as const);
  doc = mutate(rnd, doc, rounds);
  const kind = rnd.weighted([[5, 'create'], [4, 'update'], [1, 'conditional']] as const);
  let target: string;
  let method: string;
  if (kind === 'create') {
    method = 'POST';
    target = `/fhir/${rnd.chance(0.9) ? type : rnd.pick(TYPES)}`;
  } else if (kind === 'update') {
    method = 'PUT';
    const id = rnd.chance(0.7) && typeof doc === 'object' && doc !== null && !Array.isArray(doc) && typeof doc['id'] === 'string' ? (doc['id'] as string) : someId(rnd);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && !('id' in doc) && rnd.chance(0.8)) doc = withKey(doc, 'id', id);
    target = `/fhir/${type}/${rawTarget(id)}`;
  } else {
    method = 'PUT';
    target = `/fhir/${type}${queryString(rnd, searchPairs(rnd, type).slice(0, 3))}`;
  }
  const writer = creds.writerOf[type];
  const auth: [string, string][] = writer !== undefined && rnd.chance(0.6) ? [['Authorization', writer]] : authHeader(rnd, creds);
  const headers: [string, string][] = [...auth, ...contentType(rnd), ...acceptHeader(rnd)];
  if (rnd.chance(0.15)) headers.push(['If-Match', rnd.pick(['W/"1"', '"1"', 'W/"abc"', '*', 'W/"99999999999999999999"', 'W/', ''])]);
  if (rnd.chance(0.1)) headers.push(['If-None-Exist', `identifier=${rnd.pick(HOSTILE_STRINGS).replace(/[^\x21-\x7e]/g, '')}`]);
  if (rnd.chance(0.1)) headers.push(['Prefer', rnd.pick(['return=representation', 'return=minimal', 'return=OperationOutcome', 'handling=strict', 'respond-async', 'x'])]);
  if (rnd.chance(0.05)) headers.push(['X-Request-ID', rnd.pick(['fuzz-retry-1', 'a'.repeat(200), '../x', '$gt'])]);
  return { family: 'write', method, target, headers, body: encodeBody(rnd, doc), format: 'fhir' };
};

const readish: Make = (rnd, creds) => {
  const type = rnd.pick(TYPES);
  const id = rawTarget(someId(rnd));
  const target = rnd.weighted<() => string>([
    [4, () => `/fhir/${type}/${id}`],
    [2, () => `/fhir/${type}/${id}/_history/${rnd.pick(['1', '2', '0', '-1', 'abc', '1.5', '99999999999999999999', '%00'])}`],
    [2, () => `/fhir/${type}/${id}/_history${queryString(rnd, [['_count', rnd.pick(['1', '-1', '100000', 'x'])], ['_since', rnd.pick(['2020', 'garbage', '2031-01-01T00:00:00Z'])]])}`],
    [1, () => `/fhir/${type}/_history${queryString(rnd, [['_since', badQueryValue(rnd)], ['_cursor', badQueryValue(rnd)]])}`],
    [1, () => `/fhir/_history${queryString(rnd, [['_count', rnd.pick(['5', '0', '10001'])], ['_since', badQueryValue(rnd)], ['_at', '2020']])}`],
  ])();
  const method = rnd.weighted([[8, 'GET'], [1, 'HEAD'], [1, 'DELETE']] as const);
  return { family: 'read', method, target, headers: [...authHeader(rnd, creds), ...acceptHeader(rnd)], format: 'fhir' };
};

function patchOps(rnd: Random): Json {
  const paths = ['/name/0/family', '/name/-', '/id', '/resourceType', '/meta/versionId', '/meta/security/-', '/__proto__/polluted', '/constructor/prototype/polluted',
    '/status', '/a~1b', '/a~2', '', '/', '/-', '/extension/-', '/0', `/${'a/'.repeat(500)}b`, '/generalPractitioner/0/reference', '/slot/0/reference', '/contained'];
  const n = rnd.weighted([[6, rnd.between(1, 3)], [2, 0], [1, rnd.pick([100, 3000])]] as const);
  return Array.from({ length: n }, () => {
    const op: Record<string, Json> = { op: rnd.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'ADD', 'merge', '__proto__']), path: rnd.pick(paths) };
    if (rnd.chance(0.7)) op['value'] = rnd.chance(0.5) ? hostileValue(rnd) : rnd.pick<Json>(['Smith', 'cancelled', { reference: 'Patient/x' }, 'entered-in-error']);
    if (rnd.chance(0.2)) op['from'] = rnd.pick(paths);
    return rnd.chance(0.1) ? withKey(op, rnd.pick(HOSTILE_KEYS), hostileValue(rnd)) : op;
  });
}

const patch: Make = (rnd, creds) => {
  const type = rnd.pick(['Patient', 'Appointment', 'Slot', 'ServiceRequest', 'Organization', 'Consent']);
  const target = rnd.chance(0.85) ? `/fhir/${type}/${rawTarget(someId(rnd))}` : `/fhir/${type}${queryString(rnd, searchPairs(rnd, type).slice(0, 2))}`;
  const body = rnd.chance(0.8) ? encodeBody(rnd, patchOps(rnd)) : encodeBody(rnd, { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.name' }] }] });
  const headers: [string, string][] = [...authHeader(rnd, creds), ...contentType(rnd, 'application/json-patch+json')];
  if (rnd.chance(0.3)) headers.push(['If-Match', rnd.pick(['W/"1"', 'W/"2"', 'W/"x"'])]);
  return { family: 'patch', method: 'PATCH', target, headers, body, format: 'fhir' };
};

function bundleEntry(rnd: Random, index: number, plain: boolean): Json {
  const type = rnd.pick(TYPES);
  const method = rnd.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', '', '$gt']);
  const url = rnd.pick([type, `${type}/${someId(rnd)}`, `${type}?identifier=x`, '../Patient/x', '/fhir/Patient', 'http://other/fhir/Patient', '', 'metadata',
    `Slot/${rnd.pick(WORLD.slots)}/$hold`, 'Appointment/$find?start=2031', `${type}/${someId(rnd)}/_history/1`, '_history', 'Patient/../../etc', 'Bundle', rnd.pick(HOSTILE_STRINGS),
    `${type}/${rnd.pick(BAD_PERCENT)}`, `${type}?name=${rnd.pick(BAD_PERCENT)}`]);
  const entry: Record<string, Json> = { request: { method, url } };
  if (rnd.chance(0.7)) {
    entry['resource'] = plain ? TEMPLATES[type]!(rnd)
      : rnd.chance(0.8) ? mutate(rnd, TEMPLATES[type]!(rnd), rnd.between(0, 2))
        : { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Patient' }, resource: TEMPLATES['Patient']!(rnd) }] };
  }
  if (rnd.chance(0.5)) entry['fullUrl'] = rnd.pick([`urn:uuid:00000000-0000-4000-8000-${String(index % 3).padStart(12, '0')}`, 'urn:uuid:not-a-uuid', `http://example/fhir/${type}/x`, '', 'urn:oid:1.2']);
  if (rnd.chance(0.1)) (entry['request'] as Record<string, Json>)['ifNoneExist'] = rnd.pick(['identifier=x', '$where=1', '_id=fz-patient-1', '']);
  if (rnd.chance(0.1)) (entry['request'] as Record<string, Json>)['ifMatch'] = rnd.pick(['W/"1"', 'garbage']);
  if (!plain && rnd.chance(0.05)) return mutate(rnd, entry, 1);
  return entry;
}

const bundle: Make = (rnd, creds) => {
  const n = rnd.weighted([[6, rnd.between(1, 4)], [2, 0], [2, rnd.between(5, 30)], [1, rnd.pick([500, 3000])]] as const);
  // Big Bundles test size, not content: their entries are unmutated (cheap to make and to send).
  const entries = Array.from({ length: n }, (_, i) => bundleEntry(rnd, i, n > 100));
  // Entries referring to each other (or to themselves) through urn:uuid.
  if (n > 1 && rnd.chance(0.3)) {
    for (const e of entries) {
      const r = (e as Record<string, Json>)['resource'];
      if (r && typeof r === 'object' && !Array.isArray(r)) (r as Record<string, Json>)['subject'] = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000001' };
    }
  }
  let doc: Json = { resourceType: 'Bundle', type: rnd.pick(['transaction', 'transaction', 'batch', 'batch', 'history', 'searchset', 'document', 'collection', 'TRANSACTION', '']), entry: entries };
  if (n <= 100 && rnd.chance(0.2)) doc = mutate(rnd, doc, 1);
  return { family: 'bundle', method: 'POST', target: rnd.chance(0.95) ? '/fhir' : '/fhir/Bundle', headers: [...authHeader(rnd, creds), ...contentType(rnd), ...acceptHeader(rnd)], body: encodeBody(rnd, doc), format: 'fhir' };
};

function parameters(rnd: Random, names: string[]): Json {
  const n = rnd.between(0, 5);
  const doc: Json = {
    resourceType: 'Parameters',
    parameter: Array.from({ length: n }, () => {
      const p: Record<string, Json> = { name: rnd.pick([...names, '__proto__', '$gt', '']) };
      p[rnd.pick(['valueString', 'valueReference', 'valueDateTime', 'valueCode', 'valueInteger', 'resource', 'part', 'valueBoolean'])] = rnd.chance(0.5) ? hostileValue(rnd) : rnd.pick<Json>(['2031-06-01', `ServiceRequest/${WORLD.referral}`, { reference: `ServiceRequest/${WORLD.referral}` }, 3, true]);
      return p;
    }),
  };
  return rnd.chance(0.2) ? mutate(rnd, doc, 1) : doc;
}

const operation: Make = (rnd, creds) => {
  const pick = rnd.int(5);
  const headers = (): [string, string][] => [...authHeader(rnd, creds), ...contentType(rnd, FHIR_JSON), ...acceptHeader(rnd)];
  if (pick === 0) {
    return { family: 'operation', method: rnd.chance(0.9) ? 'POST' : 'GET', target: `/fhir/Slot/${rawTarget(rnd.chance(0.7) ? rnd.pick(WORLD.slots) : someId(rnd))}/$hold`, headers: headers(), body: encodeBody(rnd, parameters(rnd, ['reason'])), format: 'fhir' };
  }
  if (pick === 1) {
    const pairs: [string, string][] = [['referral', rnd.pick([`ServiceRequest/${WORLD.referral}`, WORLD.referral, badQueryValue(rnd)])], ['start', rnd.pick(['2031-01-01', '2031-06-01T00:00:00Z', badQueryValue(rnd)])], ['end', rnd.pick(['2031-12-31', '2030-01-01', badQueryValue(rnd)])]];
    if (rnd.chance(0.5)) pairs.push(['service', rnd.pick([`HealthcareService/${WORLD.service}`, badQueryValue(rnd)])]);
    if (rnd.chance(0.3)) pairs.push(['_count', rnd.pick(['1', '0', '-5', 'x', '100000'])]);
    if (rnd.chance(0.3)) pairs.splice(rnd.int(pairs.length), 1);
    return rnd.chance(0.7)
      ? { family: 'operation', method: 'GET', target: `/fhir/Appointment/$find${queryString(rnd, pairs)}`, headers: [...authHeader(rnd, creds), ...acceptHeader(rnd)], format: 'fhir' }
      : { family: 'operation', method: 'POST', target: '/fhir/Appointment/$find', headers: headers(), body: encodeBody(rnd, parameters(rnd, ['referral', 'service', 'start', 'end', '_count'])), format: 'fhir' };
  }
  if (pick === 2) {
    return { family: 'operation', method: 'POST', target: `/fhir/Patient/${rawTarget(rnd.chance(0.7) ? rnd.pick(WORLD.patients) : someId(rnd))}/$claim-relationship`, headers: headers(), body: encodeBody(rnd, parameters(rnd, ['reason', 'purpose', 'until'])), format: 'fhir' };
  }
  if (pick === 3) {
    return { family: 'operation', method: rnd.pick(['GET', 'POST']), target: rnd.pick(['/fhir/Patient/$everything', `/fhir/Patient/${WORLD.patients[0]}/$everything`, '/fhir/$export', '/fhir/$meta', '/fhir/Patient/$validate', '/fhir/$hold', '/fhir/Slot/$hold', '/fhir/Appointment/$find/x', '/fhir/$']), headers: headers(), body: encodeBody(rnd, parameters(rnd, ['x'])), format: 'fhir' };
  }
  return { family: 'operation', method: 'GET', target: `/fhir/metadata${queryString(rnd, rnd.chance(0.5) ? [['mode', rnd.pick(['full', 'normative', 'terminology', '$gt'])]] : [['_format', rnd.pick(['json', 'xml', 'application/fhir+json', 'html', '$gt', '', 'constructor', '__proto__'])]])}`, headers: acceptHeader(rnd), format: 'fhir' };
};

export const FHIR_FAMILIES: readonly (readonly [number, Make])[] = [
  [24, write],
  [20, search],
  [12, readish],
  [8, patch],
  [8, bundle],
  [8, operation],
];
