// Bad-input fuzzing in CI: FUZZ_CASES (default 10,000) generated malformed and hostile requests with
// a fixed seed (FUZZ_SEED) against one in-process Envelope — broken and invalid-UTF-8 bodies, deep
// nesting, huge arrays, wrong types, prototype-pollution keys, MongoDB operators in search names,
// values and bodies, path traversal in ids, odd methods and headers, garbage tokens, Bundles, JSON
// Patch, operations, /auth/token and /auth/saml/acs. Then:
//   - no answer is a 5xx, every error is an OperationOutcome (an OAuth error at /auth/token), no
//     answer shows stack traces or file paths or echoes a hostile key;
//   - the process still serves normal requests;
//   - a full scan of the store finds only valid resources and no hostile keys anywhere.
// A failure names its case; `node dist/scripts/fuzz.js --seed <seed> --case <n>` replays it, and
// `--cases 200000` runs the long local version.
import assert from 'node:assert/strict';
import { formatFailures, formatStatuses, runFuzz } from './runner.js';
import { scanStore } from './store-scan.js';
import { startFuzzWorld, type FuzzWorld } from './world.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20251121);
const CASES = Number(process.env['FUZZ_CASES'] ?? 10_000);

describe(`fuzz: ${CASES} malformed and hostile requests against one Envelope (seed ${SEED})`, function () {
  this.timeout(180_000);
  let world: FuzzWorld;
  before(async () => {
    world = await startFuzzWorld();
  });
  after(async () => {
    await world?.stop();
  });

  it('answers every case without a 5xx, with an OperationOutcome for every error, and shows nothing of its insides', async () => {
    const report = await runFuzz(world, { seed: SEED, count: CASES, concurrency: 8 });
    console.log(`      ${report.cases} cases in ${Math.round(report.ms)} ms (${Math.round(report.cases / (report.ms / 1000))}/s)`);
    console.log(formatStatuses(report).replace(/^/gm, '        '));
    assert.equal(report.failed, 0, `${report.failed} failing case(s), seed ${SEED}:\n${formatFailures(report)}`);
    assert.equal(report.cases, CASES);
  });

  it('still serves ordinary requests afterwards', async () => {
    const base = `http://${world.host}:${world.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/fhir/metadata`)).status, 200);
    const created = await fetch(`${base}/fhir/Organization`, {
      method: 'POST', headers: { authorization: world.admin, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Organization', name: 'after the fuzz' }),
    });
    const body = (await created.json()) as { id: string };
    assert.equal(created.status, 201, JSON.stringify(body));
    const read = await fetch(`${base}/fhir/Organization/${body.id}`, { headers: { authorization: world.admin } });
    assert.equal(read.status, 200);
  });

  it('stored nothing but valid resources, and no hostile keys', async () => {
    const scan = await scanStore(world.env.store);
    console.log(`      scanned ${scan.versions} stored versions: ${[...scan.byType].map(([t, n]) => `${n} ${t}`).join(', ')}`);
    assert.deepEqual(scan.problems.slice(0, 20), [], `${scan.problems.length} problem(s) in the store`);
  });
});
