// Asserts against a recorded exchange: every kind of check R4 defines, passing and failing, with a
// message that says what was expected and what was found.
import assert from 'node:assert/strict';
import { evaluateAssert, firstDifference, type AssertContext } from '../../scripts/conformance/asserts.js';
import type { HttpRequest, HttpResponse } from '../../scripts/conformance/http.js';
import type { ScriptAssert } from '../../scripts/conformance/types.js';
import { Variables, type Source } from '../../scripts/conformance/variables.js';

const BASE = 'http://fhir.test/r4';
const slot = {
  resourceType: 'Slot', id: 's1', meta: { versionId: '2' }, status: 'busy',
  schedule: { reference: 'Schedule/sch' }, start: '2030-01-01T09:00:00Z', end: '2030-01-01T09:30:00Z',
};
const request: HttpRequest = { method: 'GET', url: `${BASE}/Slot/s1`, headers: { accept: 'application/fhir+json' } };
const response: HttpResponse = {
  status: 200, statusText: 'OK', durationMs: 1, text: JSON.stringify(slot), body: slot,
  headers: { 'content-type': 'application/fhir+json; charset=utf-8', etag: 'W/"2"' },
};
const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'Slot is not free', expression: ['Appointment.slot[0]'] }] };

const sources: Record<string, Source> = {
  fixture: { body: { resourceType: 'Slot', status: 'busy', schedule: { reference: 'Schedule/sch' } } },
  other: { body: { ...slot, status: 'free' } },
  bundle: { body: { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'self', url: 'x' }, { relation: 'next', url: 'y' }] } },
};

function ctx(res: HttpResponse = response): AssertContext {
  const variables = new Variables([], { expected: 'busy' }, {}, { source: (id) => (id === undefined ? { body: res.body, headers: res.headers, status: res.status } : sources[id]) });
  return {
    base: BASE, variables, profiles: new Map([['slot', 'http://hl7.org/fhir/StructureDefinition/Slot'], ['patient', 'http://hl7.org/fhir/StructureDefinition/Patient']]),
    last: { request, response: res },
    source: (id) => sources[id],
    validateRemotely: async () => ['not used here'],
  };
}

async function check(a: Partial<ScriptAssert>, res?: HttpResponse) {
  return evaluateAssert({ warningOnly: false, ...a }, ctx(res));
}

describe('conformance: asserts', () => {
  it('response and responseCode, with in-lists', async () => {
    assert.equal((await check({ response: 'okay' })).result, 'pass');
    const bad = await check({ response: 'created' });
    assert.equal(bad.result, 'fail');
    assert.match(bad.message, /expected equals '201', found '200'/);
    assert.equal((await check({ responseCode: '200,201' })).result, 'pass');
    assert.equal((await check({ responseCode: '200', operator: 'notEquals' })).result, 'fail');
    assert.equal((await check({ response: 'teapot' })).result, 'error');
  });

  it('a failure on an error response quotes its OperationOutcome', async () => {
    const res: HttpResponse = { ...response, status: 409, statusText: 'Conflict', body: outcome, text: JSON.stringify(outcome) };
    const r = await check({ responseCode: '201' }, res);
    assert.equal(r.result, 'fail');
    assert.match(r.message, /\[response 409: OperationOutcome error\/business-rule at Appointment\.slot\[0\]: Slot is not free\]/);
  });

  it('headers and content type', async () => {
    assert.equal((await check({ headerField: 'ETag', value: 'W/"2"' })).result, 'pass');
    assert.equal((await check({ headerField: 'etag', operator: 'notEmpty' })).result, 'pass');
    assert.equal((await check({ headerField: 'Location' })).result, 'fail', 'a header named without value must be present');
    assert.equal((await check({ headerField: 'Location', operator: 'empty' })).result, 'pass');
    assert.equal((await check({ contentType: 'json' })).result, 'pass');
    assert.equal((await check({ contentType: 'xml' })).result, 'fail');
  });

  it('resource type', async () => {
    assert.equal((await check({ resource: 'Slot' })).result, 'pass');
    assert.match((await check({ resource: 'Appointment' })).message, /expected equals 'Appointment', found 'Slot'/);
  });

  it('FHIRPath: true by itself, or compared with a value (with variables) by any operator', async () => {
    assert.equal((await check({ expression: "Slot.status = 'busy'" })).result, 'pass');
    const f = await check({ expression: "Slot.status = 'free'" });
    assert.equal(f.result, 'fail');
    assert.match(f.message, /expected true, found 'false'/);
    assert.equal((await check({ expression: 'Slot.status', value: '${expected}' })).result, 'pass');
    assert.equal((await check({ expression: 'Slot.status', operator: 'in', value: 'busy,busy-tentative' })).result, 'pass');
    assert.equal((await check({ expression: 'Slot.comment', operator: 'empty' })).result, 'pass');
    assert.equal((await check({ expression: 'Slot.start', operator: 'lessThan', value: '2030-01-01T10:00:00Z' })).result, 'pass');
    assert.equal((await check({ expression: 'Slot.status', operator: 'eval' })).result, 'fail', 'eval needs a boolean true');
    assert.equal((await check({ expression: 'Slot.(' })).result, 'error');
    assert.equal((await check({ expression: 'Slot.status', operator: 'sameAs', value: 'x' })).result, 'error');
  });

  it('JSON path', async () => {
    assert.equal((await check({ path: '$.schedule.reference', value: 'Schedule/sch' })).result, 'pass');
    assert.equal((await check({ path: '$.comment' })).result, 'fail');
  });

  it('minimumId: every element of the fixture, arrays by matching items', async () => {
    assert.equal((await check({ minimumId: 'fixture' })).result, 'pass');
    const r = await check({ minimumId: 'other' });
    assert.equal(r.result, 'fail');
    assert.match(r.message, /Slot\.status expected "free", found "busy"/);
    assert.equal(firstDifference({ a: [{ x: 1 }, { x: 2 }] }, { a: [{ x: 2, y: 0 }, { x: 1 }] }, '$'), undefined);
    assert.equal(firstDifference({ a: [{ x: 3 }] }, { a: [{ x: 2 }] }, '$'), '$.a[0] {"x":3} not found');
  });

  it('compareToSourceId: by expression, or the whole resource apart from meta', async () => {
    assert.equal((await check({ compareToSourceId: 'other', compareToSourceExpression: 'Slot.start' })).result, 'pass');
    const r = await check({ compareToSourceId: 'other', compareToSourceExpression: 'Slot.status' });
    assert.match(r.message, /expected equals 'free', found 'busy'/);
    assert.equal((await check({ compareToSourceId: 'other', compareToSourcePath: 'schedule.reference' })).result, 'pass');
    assert.equal((await check({ compareToSourceId: 'other' })).result, 'fail');
    sources['same'] = { body: { ...slot, meta: { versionId: '9' } } };
    assert.equal((await check({ compareToSourceId: 'same' })).result, 'pass');
  });

  it('validateProfileId against base R4 profiles, locally', async () => {
    assert.equal((await check({ validateProfileId: 'slot' })).result, 'pass');
    const invalid = { ...slot, status: 'maybe', colour: 'red' };
    const r = await check({ validateProfileId: 'slot' }, { ...response, body: invalid });
    assert.equal(r.result, 'fail');
    assert.match(r.message, /Slot\.colour/);
    assert.match((await check({ validateProfileId: 'patient' })).message, /expected a Patient, found Slot/);
    assert.equal((await check({ validateProfileId: 'nope' })).result, 'error');
  });

  it('navigation links, request method and URL, the request direction', async () => {
    assert.equal((await check({ sourceId: 'bundle', navigationLinks: true })).result, 'pass');
    assert.equal((await check({ sourceId: 'bundle', navigationLinks: false })).result, 'fail');
    assert.equal((await check({ requestMethod: 'get' })).result, 'pass');
    assert.equal((await check({ requestURL: 'Slot/s1' })).result, 'pass');
    assert.equal((await check({ requestURL: `${BASE}/Slot/s1` })).result, 'pass');
    assert.equal((await check({ direction: 'request', headerField: 'Accept', value: 'application/fhir+json' })).result, 'pass');
  });

  it('warningOnly turns a failure into a warning; an assert with nothing to check is an error', async () => {
    assert.equal((await check({ response: 'created', warningOnly: true })).result, 'warning');
    assert.equal((await check({ description: 'nothing' })).result, 'error');
  });

  it('states every element it checked, failing if any fails', async () => {
    const r = await check({ resource: 'Slot', expression: "status = 'free'" });
    assert.equal(r.result, 'fail');
    assert.doesNotMatch(r.message, /resource type/, 'only the failed checks are in the failure message');
  });
});
