// The fuzzer itself: cases are reproducible from (seed, case number), the generator really produces
// every class of bad input the issue lists, and the oracle rejects the answers it must reject (so a
// green fuzz run means something).
import assert from 'node:assert/strict';
import type { Credentials, FuzzCase } from './case.js';
import { FAMILIES, generateCase, HEAD_BUDGET } from './generator.js';
import { judge } from './oracle.js';
import type { RawResponse } from './raw-http.js';
import { TYPES } from './resources.js';

const CREDS: Credentials = {
  valid: ['Bearer valid-1', 'Bearer valid-2'],
  writerOf: Object.fromEntries(TYPES.map((t) => [t, `Bearer writer-${t}`])),
  oddClaims: ['Bearer odd'],
  untrusted: 'Bearer untrusted',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(b: Buffer): boolean {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

describe('fuzz: the generator', () => {
  const cases: FuzzCase[] = Array.from({ length: 3000 }, (_, i) => generateCase(99, i, CREDS));

  it('makes the same case from the same seed and number, and different cases otherwise', () => {
    for (const i of [0, 1, 17, 999, 2999]) assert.deepEqual(generateCase(99, i, CREDS), cases[i]);
    const other = Array.from({ length: 50 }, (_, i) => generateCase(100, i, CREDS));
    assert.ok(other.filter((c, i) => JSON.stringify(c) === JSON.stringify(cases[i])).length < 5, 'another seed gives other cases');
  });

  it('covers every family and every class of bad input the issue names', () => {
    const families = new Set(cases.map((c) => c.family));
    assert.ok(FAMILIES.length >= 10);
    for (const f of ['write', 'search', 'read', 'patch', 'bundle', 'operation', 'paths', 'headers', 'auth-token', 'auth-saml']) assert.ok(families.has(f), `no ${f} case`);
    const body = (c: FuzzCase) => c.body?.toString('latin1') ?? '';
    const some = (what: string, test: (c: FuzzCase) => boolean) => assert.ok(cases.some(test), `no case with ${what}`);
    some('broken JSON', (c) => c.body !== undefined && isUtf8(c.body) && /^\s*[{[]/.test(body(c)) && (() => { try { JSON.parse(body(c)); return false; } catch { return true; } })());
    some('a body that is not UTF-8', (c) => c.body !== undefined && !isUtf8(c.body));
    some('nesting deeper than 10,000', (c) => /\[{10000}/.test(body(c)) || (body(c).match(/\{"resourceType":"Patient","contained":\[/g)?.length ?? 0) > 10_000);
    some('an array of over 100,000 elements', (c) => (c.body?.length ?? 0) > 2_500_000);
    some('a wrong-typed element', (c) => /"(birthDate|status|name|gender|start)":(\d|true|false|null|\{\}|\[\])/.test(body(c)));
    some('a __proto__ key in a body', (c) => body(c).includes('"__proto__":'));
    some('a constructor key in a body', (c) => body(c).includes('"constructor":'));
    some('a MongoDB operator in a body', (c) => /"\$(gt|ne|where|regex|expr|in)":/.test(body(c)));
    some('a MongoDB operator in a search value', (c) => c.family === 'search' && /(%7B%22%24|\{"\$)(gt|ne|where|regex)/.test(c.target));
    some('a MongoDB operator in a search parameter name', (c) => c.family === 'search' && /(\[|%5B)(\$|%24)(gt|ne|where|regex)/.test(c.target));
    some('path traversal in an id', (c) => /\/fhir\/\w+\/(\.\.|%2e%2e|\.\.%2F)/i.test(c.target));
    some('an oversized header (over 8 KiB)', (c) => c.headers.some(([, v]) => v.length > 8 * 1024));
    some('a transaction Bundle', (c) => c.family === 'bundle' && body(c).includes('"transaction"'));
    some('a JSON Patch on __proto__', (c) => c.family === 'patch' && body(c).includes('/__proto__/'));
    some('a garbage client assertion', (c) => c.family === 'auth-token' && body(c).includes('client_assertion='));
    some('a SAMLResponse', (c) => c.family === 'auth-saml' && body(c).includes('SAMLResponse='));
    some('an XML body with an external entity', (c) => body(c).includes('<!ENTITY xxe SYSTEM'));
  });

  it('keeps the request line and headers within what the application (not Node\'s parser) answers', () => {
    for (const c of cases) {
      const head = c.method.length + c.target.length + c.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
      assert.ok(head <= HEAD_BUDGET + 20, `case ${cases.indexOf(c)} has a ${head}-byte head`);
      assert.match(c.target, /^[\x21-\x7e]+$/, `case ${cases.indexOf(c)} has bytes HTTP forbids in its target`);
      for (const [k, v] of c.headers) assert.doesNotMatch(`${k}${v}`, /[\x00-\x08\x0a-\x1f\x7f]/, `case ${cases.indexOf(c)}: header ${k}`);
    }
  });
});

describe('fuzz: the oracle', () => {
  const fhirCase: FuzzCase = { family: 'write', method: 'POST', target: '/fhir/Patient', headers: [], format: 'fhir' };
  const tokenCase: FuzzCase = { family: 'auth-token', method: 'POST', target: '/auth/token', headers: [], format: 'oauth' };
  const answer = (status: number, body: unknown, type = 'application/fhir+json'): RawResponse => ({
    status, headers: type ? { 'content-type': type } : {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'no' }] };

  it('accepts an OperationOutcome for a FHIR error and an OAuth error at the token endpoint', () => {
    assert.equal(judge(fhirCase, answer(400, outcome)), undefined);
    assert.equal(judge(tokenCase, answer(400, { error: 'invalid_request' }, 'application/json')), undefined);
    assert.equal(judge(fhirCase, answer(201, { resourceType: 'Patient', id: 'x' })), undefined);
  });

  it('rejects a 5xx, a bare error, the wrong error format, internals and hostile keys', () => {
    assert.match(judge(fhirCase, answer(500, outcome)) ?? '', /500/);
    assert.match(judge(fhirCase, answer(503, outcome)) ?? '', /503/);
    assert.match(judge(fhirCase, answer(400, '', '')) ?? '', /without a JSON body/);
    assert.match(judge(fhirCase, answer(400, { error: 'invalid_request' })) ?? '', /not an OperationOutcome/);
    assert.match(judge(tokenCase, answer(400, outcome)) ?? '', /not an OAuth error/);
    assert.match(judge(fhirCase, answer(400, '{"resourceType":"OperationOutcome"')) ?? '', /not JSON/);
    assert.match(judge(fhirCase, answer(400, { ...outcome, issue: [{ severity: 'error', code: 'x', diagnostics: 'at run (file:///srv/app/dist/x.js:10:5)' }] })) ?? '', /internals/);
    assert.match(judge(fhirCase, answer(400, { ...outcome, issue: [{ severity: 'error', code: 'x', diagnostics: 'SQLITE_CONSTRAINT: UNIQUE' }] })) ?? '', /internals/);
    assert.match(judge(fhirCase, answer(200, JSON.parse('{"resourceType":"Patient","__proto__":{"x":1}}'))) ?? '', /__proto__/);
    assert.match(judge(fhirCase, answer(200, { resourceType: 'Patient', name: [{ family: { $gt: '' } }] })) ?? '', /\$gt/);
  });
});
