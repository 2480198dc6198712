// CI: every fixture suite, run by the conformance runner over HTTP against a real Envelope listening
// on an ephemeral port, with a token per role. All must pass; run twice against the same server, they
// must pass again (the suites are repeatable), and each run leaves a valid TestReport and JUnit file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { validateResource } from '../../src/fhir/validation/index.js';
import { runConformance, type ConformanceRun } from '../../scripts/conformance/index.js';
import { listSuites } from '../../scripts/conformance/load-suite.js';
import { formatSuite } from '../../scripts/conformance/report.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { MongoDouble } from '../store/mongo-double/index.js';
import { startListeningEnvelope, type ListeningEnvelope } from './envelope-server.js';

describe('conformance: every suite against Envelope', function () {
  this.timeout(300_000);
  let server: ListeningEnvelope;
  let out: string;
  const runs: ConformanceRun[] = [];

  before(async () => {
    server = await startListeningEnvelope();
    out = mkdtempSync(join(tmpdir(), 'conformance-out-'));
  });
  after(async () => {
    await server.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const failures = (run: ConformanceRun) => run.results.filter((r) => r.result !== 'pass').map((r) => formatSuite(r)).join('\n');

  it('every suite passes', async () => {
    const run = await runConformance({ base: server.base, vars: server.tokens, outDir: join(out, 'first') });
    runs.push(run);
    assert.deepEqual(run.results.map((r) => r.suite), listSuites());
    assert.ok(run.passed, failures(run));
    for (const r of run.results) {
      assert.ok(r.tests.length > 0 && r.tests.every((t) => t.result === 'pass'), `${r.suite}: ${formatSuite(r)}`);
      assert.deepEqual(r.notes, [], `${r.suite} was given every variable it needs`);
    }
  });

  it('every suite passes again on the same server', async () => {
    const run = await runConformance({ base: server.base, vars: server.tokens, outDir: join(out, 'second') });
    runs.push(run);
    assert.ok(run.passed, failures(run));
    assert.notEqual(run.results[0]!.runId, runs[0]!.results[0]!.runId);
  });

  it('each run wrote a valid TestReport and a JUnit file per suite', () => {
    for (const [i, run] of runs.entries()) {
      assert.equal(run.files.length, 2 * run.results.length);
      for (const r of run.results) {
        const report = JSON.parse(readFileSync(join(out, i === 0 ? 'first' : 'second', `TestReport-${r.suite}.json`), 'utf8'));
        const errors = validateResource(report).filter((x) => x.severity === 'error' || x.severity === 'fatal');
        assert.deepEqual(errors, [], `${r.suite}: ${JSON.stringify(errors)}`);
        assert.equal(report.result, 'pass');
        assert.equal(report.score, 100);
        assert.equal(report.test.length, r.tests.length);
        const xml = readFileSync(join(out, i === 0 ? 'first' : 'second', `junit-${r.suite}.xml`), 'utf8');
        const doc = new DOMParser().parseFromString(xml, 'text/xml');
        const suite = doc.getElementsByTagName('testsuite')[0]!;
        assert.equal(suite.getAttribute('tests'), String(r.tests.length));
        assert.equal(suite.getAttribute('failures'), '0');
      }
    }
  });

  it('every suite passes on the MongoDB store too (the in-memory double)', async () => {
    const client = new MongoDouble({ topology: 'replicaSet' });
    const mongo = await startListeningEnvelope({}, { openStore: (indexer) => openMongoStore({ client, indexer }) });
    try {
      const run = await runConformance({ base: mongo.base, vars: mongo.tokens });
      assert.ok(run.passed, failures(run));
    } finally {
      await mongo.stop();
    }
  });
});
