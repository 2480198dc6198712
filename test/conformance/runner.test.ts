// The runner against a real Envelope, with small suites written for the purpose: what passes, what
// fails and why, what is skipped after a failure, setup and teardown, autocreate and autodelete,
// variables from responses, and $validate for a profile the runner cannot check itself.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite } from '../../scripts/conformance/load-suite.js';
import { runSuite } from '../../scripts/conformance/runner.js';
import type { ScriptAction, SuiteResult } from '../../scripts/conformance/types.js';
import { startListeningEnvelope, type ListeningEnvelope } from './envelope-server.js';

const OPS = 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
type Json = Record<string, unknown>;

const operation = (code: string, extra: Json = {}): ScriptAction => ({ operation: { type: { system: OPS, code }, encodeRequestUrl: true, ...extra } });
const asserting = (extra: Json): ScriptAction => ({ assert: { warningOnly: false, ...extra } });
const estateAuth = [{ field: 'Authorization', value: 'Bearer ${estateToken}' }];

describe('conformance: runner against Envelope', function () {
  this.timeout(120_000);
  let server: ListeningEnvelope;
  let dir: string;

  before(async () => {
    server = await startListeningEnvelope();
    dir = mkdtempSync(join(tmpdir(), 'conformance-runner-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function suite(name: string, script: Json, files: Record<string, unknown> = {}) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, `TestScript-${name}.json`), JSON.stringify({ resourceType: 'TestScript', url: `urn:test:${name}`, name, status: 'draft', ...script }));
    for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, name, f), JSON.stringify(body));
    return loadSuite(name, dir);
  }
  const run = (name: string, script: Json, files: Record<string, unknown> = {}, vars: Record<string, string> = server.tokens): Promise<SuiteResult> =>
    runSuite(suite(name, script, files), { base: server.base, vars, builtins: { runId: `t${Date.now().toString(36)}`, runStart: new Date().toISOString() } });

  const org = { resourceType: 'Organization', id: 'runner-${runId}', name: 'Runner test trust', identifier: [{ system: ODS, value: 'RUN${runId}' }] };

  it('runs operations and asserts, with variables taken from a response', async () => {
    const r = await run('pass', {
      fixture: [{ id: 'org', autocreate: false, autodelete: false, resource: { reference: 'Organization-org.json' } }],
      variable: [{ name: 'orgVersion', expression: 'meta.versionId', sourceId: 'created' }, { name: 'etag', headerField: 'ETag', sourceId: 'created' }],
      test: [{
        name: 'create, read back, search', action: [
          operation('update', { resource: 'Organization', sourceId: 'org', responseId: 'created', requestHeader: estateAuth }),
          asserting({ responseCode: '201' }),
          asserting({ minimumId: 'org' }),
          operation('read', { resource: 'Organization', targetId: 'created', requestHeader: estateAuth }),
          asserting({ response: 'okay' }),
          asserting({ expression: 'Organization.meta.versionId', value: '${orgVersion}' }),
          asserting({ headerField: 'ETag', value: '${etag}' }),
          operation('search', { resource: 'Organization', params: `?identifier=${ODS}|RUN\${runId}`, requestHeader: estateAuth }),
          asserting({ expression: "Bundle.entry.where(search.mode = 'match').resource.id", value: 'runner-${runId}' }),
        ],
      }],
    }, { 'Organization-org.json': org });
    assert.equal(r.result, 'pass', JSON.stringify(r.tests, null, 1));
    assert.deepEqual(r.tests[0]!.actions.map((a) => a.result), Array(9).fill('pass'));
    assert.match(r.tests[0]!.actions[0]!.title, /^PUT Organization\/runner-t/);
  });

  it('a failed assert fails its test with the reason; its sibling asserts still run; later operations are skipped', async () => {
    const r = await run('fail', {
      test: [
        {
          name: 'expects the wrong thing', action: [
            operation('read', { resource: 'Patient', params: '/no-such-patient', requestHeader: [{ field: 'Authorization', value: 'Bearer ${gpToken}' }] }),
            asserting({ responseCode: '200' }),
            asserting({ resource: 'OperationOutcome' }),
            operation('capabilities'),
            asserting({ response: 'okay' }),
          ],
        },
        { name: 'the next test runs', action: [operation('capabilities'), asserting({ resource: 'CapabilityStatement' })] },
      ],
    });
    assert.equal(r.result, 'fail');
    const [first, second] = r.tests;
    assert.equal(first!.result, 'fail');
    assert.deepEqual(first!.actions.map((a) => a.result), ['pass', 'fail', 'pass', 'skip', 'skip']);
    assert.match(first!.actions[1]!.message, /expected equals '200', found '403' \[response 403: OperationOutcome error\/forbidden/);
    assert.equal(second!.result, 'pass');
  });

  it('a failed setup skips every test, and teardown still runs', async () => {
    const r = await run('setup', {
      fixture: [{ id: 'org', autocreate: false, autodelete: false, resource: { reference: 'Organization-org.json' } }],
      // The estate token is not given, so the step falls back to no Authorization: 401.
      setup: { action: [operation('create', { sourceId: 'org', requestHeader: estateAuth }), asserting({ responseCode: '201' })] },
      test: [{ name: 'never runs', action: [operation('capabilities'), asserting({ response: 'okay' })] }],
      teardown: { action: [{ operation: { type: { system: OPS, code: 'capabilities' }, encodeRequestUrl: true } }, { operation: { type: { system: OPS, code: 'delete' }, resource: 'Organization', targetId: 'never-made', encodeRequestUrl: true } }] },
    }, { 'Organization-org.json': org }, {});
    assert.equal(r.result, 'fail');
    assert.deepEqual(r.setup.map((a) => a.result), ['pass', 'fail']);
    assert.match(r.setup[1]!.message, /found '401'/);
    assert.equal(r.tests[0]!.result, 'skip');
    assert.deepEqual(r.tests[0]!.actions.map((a) => a.message), ['skipped: setup failed', 'skipped: setup failed']);
    assert.deepEqual(r.teardown.map((a) => a.result), ['pass', 'skip'], 'a teardown step for something never made is skipped, not failed');
    assert.match(r.notes[0] ?? '', /not set: estateToken/);
  });

  it('a variable without a value stops the step that needs it, naming the variable', async () => {
    const r = await run('unset', {
      test: [{ name: 'needs a version', action: [operation('read', { resource: 'Patient', params: '/${patientId}' }), asserting({ response: 'okay' })] }],
    });
    assert.equal(r.tests[0]!.actions[0]!.result, 'error');
    assert.match(r.tests[0]!.actions[0]!.message, /variable patientId is not set \(pass --var patientId=\.\.\.\)/);
    assert.equal(r.tests[0]!.actions[1]!.result, 'skip');
  });

  it('autocreate and autodelete: created before setup, visible to the tests, deleted after teardown', async () => {
    // autocreate and autodelete use the default token.
    const s = suite('auto2', {
      fixture: [{ id: 'org', autocreate: true, autodelete: true, resource: { reference: '#o' } }],
      contained: [{ resourceType: 'Organization', id: 'o', name: 'Autocreated' }],
      test: [{ name: 'reads it', action: [operation('read', { resource: 'Organization', targetId: 'org' }), asserting({ expression: "name = 'Autocreated'" })] }],
    });
    const ok = await runSuite(s, { base: server.base, token: server.tokens.estateToken! });
    assert.equal(ok.result, 'pass', JSON.stringify(ok, null, 1));
    assert.match(ok.setup[0]!.title, /^autocreate org: POST Organization$/);
    const del = ok.teardown.find((a) => a.title.startsWith('autodelete org'))!;
    assert.match(del.message, /^204/);
  });

  it('validateProfileId with a profile that is not a base one asks the server ($validate)', async () => {
    const r = await run('profile', {
      profile: [{ id: 'uk', reference: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient' }],
      test: [{ name: 'validates remotely', action: [operation('capabilities'), asserting({ sourceId: 'cs', validateProfileId: 'uk' })] }],
    });
    // no 'cs' source: an error, not a pass
    assert.equal(r.tests[0]!.actions[1]!.result, 'error');
    const s = suite('profile2', {
      profile: [{ id: 'uk', reference: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization' }],
      fixture: [{ id: 'org', autocreate: false, autodelete: false, resource: { reference: 'Organization-org.json' } }],
      test: [{ name: 'validates remotely', action: [operation('capabilities'), asserting({ sourceId: 'org', validateProfileId: 'uk' })] }],
    }, { 'Organization-org.json': org });
    const remote = await runSuite(s, { base: server.base, token: server.tokens.estateToken! });
    const a = remote.tests[0]!.actions[1]!;
    // Envelope has no $validate: the assert fails saying so, rather than passing unchecked.
    assert.equal(a.result, 'fail');
    assert.match(a.message, /valid against https:\/\/fhir\.hl7\.org\.uk\/StructureDefinition\/UKCore-Organization: 1 error\(s\): /);
  });
});
