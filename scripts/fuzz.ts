// The long local fuzz run (the CI run is test/fuzz/fuzz.test.ts with 10,000 cases):
//   node dist/scripts/fuzz.js --cases 200000 --seed 7
//   node dist/scripts/fuzz.js --seed 20251121 --case 4711      replay one case, request and answer in full
// Options: --cases N (default 200000), --seed N (default: random, printed), --first N (start at case
// N), --case N (just that case), --store sqlite|mongo-double (default sqlite), --concurrency N
// (default 8), --no-saml (leave /auth/saml unmounted). Exit code 0: every case answered correctly
// and the store scan found nothing; 1: failures (each printed with the command that replays it).
import { parseArgs } from 'node:util';
import { describeCase, generateCase } from '../test/fuzz/generator.js';
import { judge } from '../test/fuzz/oracle.js';
import { RawConnection } from '../test/fuzz/raw-http.js';
import { formatFailures, formatStatuses, runFuzz } from '../test/fuzz/runner.js';
import { scanStore } from '../test/fuzz/store-scan.js';
import { startFuzzWorld, type FuzzStore } from '../test/fuzz/world.js';

function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got ${v})`);
  return n;
}

async function replay(seed: number, index: number, store: FuzzStore, saml: boolean): Promise<number> {
  const world = await startFuzzWorld({ store, saml });
  try {
    const c = generateCase(seed, index, world.creds);
    console.log(`case ${index} of seed ${seed}: ${describeCase(c)}`);
    if (c.body) console.log(`body (${c.body.length} bytes): ${c.body.subarray(0, 4000).toString('latin1')}`);
    const conn = new RawConnection(world.host, world.port);
    try {
      const res = await conn.send({ method: c.method, target: c.target, headers: c.headers, ...(c.body ? { body: c.body } : {}) });
      console.log(`answer: ${res.status} ${JSON.stringify(res.headers)}\n${res.body.subarray(0, 4000).toString('utf8')}`);
      const problem = judge(c, res);
      console.log(problem === undefined ? 'verdict: acceptable' : `verdict: ${problem}`);
      return problem === undefined ? 0 : 1;
    } finally {
      conn.close();
    }
  } finally {
    await world.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' }, seed: { type: 'string' }, first: { type: 'string' }, case: { type: 'string' },
      store: { type: 'string' }, concurrency: { type: 'string' }, 'no-saml': { type: 'boolean' },
    },
    strict: true,
  });
  const seed = int(values.seed, 'seed', Math.floor(Math.random() * 2 ** 31));
  const store = (values.store ?? 'sqlite') as FuzzStore;
  if (store !== 'sqlite' && store !== 'mongo-double') throw new Error('--store must be sqlite or mongo-double');
  const saml = !values['no-saml'];
  if (values.case !== undefined) return replay(seed, int(values.case, 'case', 0), store, saml);

  const count = int(values.cases, 'cases', 200_000);
  const first = int(values.first, 'first', 0);
  console.log(`fuzz: seed ${seed}, cases ${first}..${first + count - 1}, store ${store}`);
  const world = await startFuzzWorld({ store, saml });
  try {
    const report = await runFuzz(world, {
      seed, first, count, concurrency: int(values.concurrency, 'concurrency', 8), progressEvery: 10_000,
      onProgress: (done) => console.log(`  ${done} cases`),
    });
    console.log(`${report.cases} cases in ${Math.round(report.ms / 1000)} s (${Math.round(report.cases / (report.ms / 1000))}/s)`);
    console.log(formatStatuses(report));
    const scan = await scanStore(world.env.store);
    console.log(`store: ${scan.versions} versions, ${scan.problems.length} problem(s)`);
    for (const p of scan.problems.slice(0, 50)) console.log(`  ${p}`);
    if (report.failed > 0) console.log(`\n${report.failed} failing case(s):\n${formatFailures(report, 50)}`);
    return report.failed === 0 && scan.problems.length === 0 ? 0 : 1;
  } finally {
    await world.stop();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
