// From a TestScript operation to the HTTP request: the RESTful URL of each operation type, the
// explicit url, bodies and content types, headers with variables, and query encoding.
import assert from 'node:assert/strict';
import { buildRequest, encodeQuery, OperationError, type OperationContext } from '../../scripts/conformance/operations.js';
import type { ScriptOperation } from '../../scripts/conformance/types.js';
import { UnresolvedVariableError, Variables, type Source } from '../../scripts/conformance/variables.js';

const BASE = 'http://fhir.test/r4';
const OPS = 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes';

const sources: Record<string, Source> = {
  patient: { body: { resourceType: 'Patient', id: 'p1', name: [{ family: '${family}' }] } },
  newPatient: { body: { resourceType: 'Patient', name: [{ family: 'X' }] } },
  created: { status: 201, headers: { location: 'http://fhir.test/r4/Appointment/a7/_history/3' } },
  read: { status: 200, headers: { etag: 'W/"4"' }, body: { resourceType: 'Slot', id: 's1', meta: { versionId: '4' } } },
  patch: { body: [{ op: 'replace', path: '/status', value: 'cancelled' }] },
  bundle: { body: { resourceType: 'Bundle', type: 'transaction', entry: [] } },
  params: { body: { resourceType: 'Parameters' } },
};

function ctx(token?: string, given: Record<string, string> = {}): OperationContext {
  const variables = new Variables([{ name: 'family', defaultValue: 'Smith' }], given, { runId: 'r1' }, {
    source: (id) => (id === undefined ? undefined : sources[id]),
  });
  const c: OperationContext = {
    base: BASE,
    variables,
    // Fixtures reach an operation with their variables filled in, as the runner passes them.
    source: (id) => {
      const s = sources[id];
      return s?.body !== undefined ? { ...s, body: variables.substituteJson(s.body) } : s;
    },
  };
  if (token) c.token = token;
  return c;
}

const op = (code: string, extra: Partial<ScriptOperation> = {}): ScriptOperation => ({ type: { system: OPS, code }, encodeRequestUrl: true, ...extra });
const url = (o: ScriptOperation, c = ctx()) => {
  const r = buildRequest(o, c);
  return `${r.method} ${r.url.slice(BASE.length)}`;
};

describe('conformance: operations', () => {
  it('builds the RESTful URL and method of each operation type', () => {
    assert.equal(url(op('read', { resource: 'Patient', targetId: 'patient' })), 'GET /Patient/p1');
    assert.equal(url(op('read', { resource: 'Patient', params: '/p9' })), 'GET /Patient/p9');
    assert.equal(url(op('vread', { resource: 'Slot', targetId: 'read' })), 'GET /Slot/s1/_history/4');
    assert.equal(url(op('vread', { resource: 'Appointment', targetId: 'created' })), 'GET /Appointment/a7/_history/3');
    assert.equal(url(op('search', { resource: 'Slot', params: '?status=free' })), 'GET /Slot?status=free');
    assert.equal(url(op('search', { params: '?_type=Slot' })), 'GET ?_type=Slot');
    assert.equal(url(op('create', { sourceId: 'newPatient' })), 'POST /Patient');
    assert.equal(url(op('update', { sourceId: 'patient' })), 'PUT /Patient/p1');
    assert.equal(url(op('update', { resource: 'Slot', sourceId: 'patient', params: '?identifier=a|b' })), 'PUT /Slot?identifier=a|b');
    assert.equal(url(op('patch', { resource: 'Appointment', targetId: 'created', sourceId: 'patch' })), 'PATCH /Appointment/a7');
    assert.equal(url(op('delete', { resource: 'Slot', targetId: 'read' })), 'DELETE /Slot/s1');
    assert.equal(url(op('deleteCondSingle', { resource: 'Slot', params: '?identifier=x' })), 'DELETE /Slot?identifier=x');
    assert.equal(url(op('history', { resource: 'Slot', targetId: 'read' })), 'GET /Slot/s1/_history');
    assert.equal(url(op('history', { resource: 'Slot', params: '?_count=2' })), 'GET /Slot/_history?_count=2');
    assert.equal(url(op('history')), 'GET /_history');
    assert.equal(url(op('transaction', { sourceId: 'bundle' })), 'POST ');
    assert.equal(url(op('batch', { sourceId: 'bundle' })), 'POST ');
    assert.equal(url(op('capabilities')), 'GET /metadata');
  });

  it('a named operation: [type]/[id]/$name, POST with a body, GET without', () => {
    assert.equal(url(op('hold', { resource: 'Slot', targetId: 'read', sourceId: 'params' })), 'POST /Slot/s1/$hold');
    assert.equal(url(op('find', { resource: 'Appointment', params: '?service=HealthcareService/x' })), 'GET /Appointment/$find?service=HealthcareService/x');
    assert.equal(url(op('validate', { resource: 'Patient', sourceId: 'patient', method: 'post' })), 'POST /Patient/$validate');
  });

  it('an explicit url wins, relative to the base or absolute, with variables', () => {
    assert.equal(url({ url: 'Patient/${family}/$everything', encodeRequestUrl: true }), 'GET /Patient/Smith/$everything');
    const r = buildRequest({ url: 'https://elsewhere.test/next?page=2', encodeRequestUrl: true }, ctx());
    assert.equal(r.url, 'https://elsewhere.test/next?page=2');
  });

  it('sends fixtures as FHIR JSON with variables substituted; a JSON array as JSON Patch', () => {
    const put = buildRequest(op('update', { sourceId: 'patient' }), ctx());
    assert.equal(put.headers['content-type'], 'application/fhir+json');
    assert.deepEqual(JSON.parse(put.text!), { resourceType: 'Patient', id: 'p1', name: [{ family: 'Smith' }] });
    const patch = buildRequest(op('patch', { resource: 'Appointment', targetId: 'created', sourceId: 'patch' }), ctx());
    assert.equal(patch.headers['content-type'], 'application/json-patch+json');
    assert.equal(buildRequest(op('read', { resource: 'Patient', params: '/p1' }), ctx()).text, undefined, 'no body on GET');
    assert.equal(buildRequest(op('create', { sourceId: 'newPatient', contentType: 'json', accept: 'xml' }), ctx()).headers['accept'], 'application/fhir+xml');
  });

  it('Authorization: the --token by default, a step header wins, an unset token variable falls back', () => {
    assert.equal(buildRequest(op('capabilities'), ctx()).headers['authorization'], undefined);
    assert.equal(buildRequest(op('capabilities'), ctx('T0')).headers['authorization'], 'Bearer T0');
    const own = op('capabilities', { requestHeader: [{ field: 'Authorization', value: 'Bearer ${gpToken}' }, { field: 'X-Break-Glass-Reason', value: 'for ${family}' }] });
    const r = buildRequest(own, ctx('T0', { gpToken: 'GP' }));
    assert.equal(r.headers['authorization'], 'Bearer GP');
    assert.equal(r.headers['x-break-glass-reason'], 'for Smith');
    assert.equal(buildRequest(own, ctx('T0')).headers['authorization'], 'Bearer T0');
    assert.equal(buildRequest(own, ctx()).headers['authorization'], undefined);
    // Any other header cannot go out half-filled.
    assert.throws(() => buildRequest(op('capabilities', { requestHeader: [{ field: 'If-Match', value: '${version}' }] }), ctx()), UnresolvedVariableError);
  });

  it('encodes what a query must not carry raw, keeps what it may', () => {
    assert.equal(encodeQuery('start=2030-01-01T10:00:00+01:00&x=a b#c'), 'start=2030-01-01T10:00:00%2B01:00&x=a%20b%23c');
    assert.equal(encodeQuery('identifier=https://a.b/c|12&_include=Slot:schedule&q=%2B'), 'identifier=https://a.b/c|12&_include=Slot:schedule&q=%2B');
    assert.equal(encodeQuery('bad=100%'), 'bad=100%25');
    const r = buildRequest(op('search', { resource: 'Slot', params: '?start=ge2030-01-01T10:00:00+01:00' }), ctx());
    assert.equal(r.url, `${BASE}/Slot?start=ge2030-01-01T10:00:00%2B01:00`);
    const raw = buildRequest(op('search', { resource: 'Slot', params: '?start=ge2030-01-01T10:00:00+01:00', encodeRequestUrl: false }), ctx());
    assert.equal(raw.url, `${BASE}/Slot?start=ge2030-01-01T10:00:00+01:00`);
  });

  it('says what is missing instead of guessing', () => {
    assert.throws(() => buildRequest({ encodeRequestUrl: true }, ctx()), /neither a type nor a url/);
    assert.throws(() => buildRequest(op('read', { resource: 'Patient', targetId: 'nothing' }), ctx()), /targetId 'nothing' names no fixture or earlier response/);
    assert.throws(() => buildRequest(op('create', { sourceId: 'nothing' }), ctx()), /sourceId 'nothing'/);
    assert.throws(() => buildRequest(op('update', { resource: 'Patient', sourceId: 'newPatient' }), ctx()), OperationError);
    assert.throws(() => buildRequest(op('vread', { resource: 'Patient', targetId: 'patient' }), ctx()), /has no version/);
    assert.throws(() => buildRequest(op('read', { resource: 'Patient', targetId: 'created' }), ctx()), /has no Patient id/);
  });
});
