// `npm run bench:search` / `npm run bench`: seed (or reuse) the synthetic estate, run a suite of
// scenarios against Envelope and the bare Node baseline, print the figures and record them in
// docs/BENCHMARKS.md. Benchmarks, not tests: nothing here runs in CI.
//
//   node dist/scripts/bench/cli.js --suite search|all [--slots N] [--patients N] [--fresh]
//     [--connections 16,32] [--duration 20] [--warmup 3] [--single 500] [--single-max 60]
//     [--scenario ID,ID] [--out docs/BENCHMARKS.md] [--write | --no-write] [--data-dir DIR]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dbBytes, ensureEstate, estateEnv } from '../estate/dataset.js';
import { DEFAULT_BATCH, defaultDataDir, specFrom } from '../estate/options.js';
import { DEFAULT_SPEC } from '../estate/spec.js';
import { readProfile, summarise, table } from './cpuprofile.js';
import { codeState, machineFacts } from './machine.js';
import { consoleReport, markdownSection, writeSection, type Targets } from './report.js';
import { runSuite } from './runner.js';
import { SUITES } from './suites.js';

const TARGETS: Targets = {
  freeSlotP95Ms: 20, seedRate: 20_000, freeSlotScenario: 'search.free-slots', auditedReadRatio: 0.5, readScenario: 'read.appointment',
};

const DOC_HEADER = `# Benchmarks

Figures below the line are written by the benchmark itself (\`npm run bench\`, \`npm run bench:search\`).
`;

function list(v: string | undefined, d: number[]): number[] {
  if (v === undefined) return d;
  const xs = v.split(',').map((x) => Number(x.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`not a list of positive integers: ${v}`);
  return xs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      suite: { type: 'string' }, slots: { type: 'string' }, patients: { type: 'string' }, seed: { type: 'string' },
      fresh: { type: 'boolean' }, 'data-dir': { type: 'string' }, batch: { type: 'string' },
      connections: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' },
      single: { type: 'string' }, 'single-max': { type: 'string' }, preflight: { type: 'string' },
      scenario: { type: 'string' }, out: { type: 'string' }, write: { type: 'boolean' }, 'no-write': { type: 'boolean' },
      'request-seed': { type: 'string' }, profile: { type: 'boolean' },
    },
    strict: true,
  });
  const suite = values.suite ?? 'all';
  let scenarios = SUITES[suite];
  if (!scenarios) throw new Error(`unknown suite '${suite}'; one of: ${Object.keys(SUITES).join(', ')}`);
  if (values.scenario) {
    const ids = values.scenario.split(',');
    scenarios = scenarios.filter((s) => ids.includes(s.id));
    if (scenarios.length === 0) throw new Error(`no scenario of suite '${suite}' is named ${values.scenario}`);
  }
  const spec = specFrom(values);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(spec));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const command = `npm run ${suite === 'all' ? 'bench' : `bench:${suite}`}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).filter((a, i, all) => !(a === '--suite' || all[i - 1] === '--suite')).join(' ')}` : ''}`.replace(/ -- $/, '');

  const { manifest } = await ensureEstate({ spec, dataDir, fresh: values.fresh ?? false, batchSize: Number(values.batch ?? DEFAULT_BATCH), log });
  const logDir = resolve('.bench', 'logs');
  mkdirSync(logDir, { recursive: true });
  const profileDir = values.profile ? join(logDir, `profile-${Date.now()}`) : undefined;
  const result = await runSuite(scenarios, manifest, dataDir, estateEnv(dataDir), {
    connections: list(values.connections, [16, 32]),
    durationS: Number(values.duration ?? 20),
    warmupS: Number(values.warmup ?? 3),
    singleRequests: Number(values.single ?? 500),
    singleMaxS: Number(values['single-max'] ?? 60),
    preflight: Number(values.preflight ?? 20),
    seed: Number(values['request-seed'] ?? 1),
    logDir,
    ...(profileDir ? { profileDir } : {}),
    log,
  });
  const input = { suite, command, machine: machineFacts(), code: codeState(), manifest, dbBytes: dbBytes(dataDir), result, targets: TARGETS };
  console.log(consoleReport(input));
  writeFileSync(join(logDir, `result-${suite}-${result.startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify({ ...input, result }, null, 2));

  if (profileDir) {
    for (const f of readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) {
      const { total, byArea, byFunction } = summarise(readProfile(join(profileDir, f)));
      console.log(`\nCPU profile of the server: ${join(profileDir, f)} (${(total / 1e6).toFixed(1)} s sampled)`);
      console.log(table('self time by area', byArea, total, 15));
      console.log(table('self time by function', byFunction, total, 25));
    }
  }

  // The document records the default (full-size) estate; a smaller or profiled run is a local check
  // unless --write.
  const fullSize = spec.slots === DEFAULT_SPEC.slots && spec.patients === DEFAULT_SPEC.patients;
  const write = values['no-write'] ? false : (values.write ?? (fullSize && !profileDir));
  const out = resolve(values.out ?? 'docs/BENCHMARKS.md');
  if (write) {
    writeSection(out, suite, markdownSection(input), DOC_HEADER);
    log(`bench: wrote the '${suite}' section of ${out}`);
  } else {
    log(`bench: not writing ${out} (${!fullSize ? 'not the default 1,000,000-slot estate' : profileDir ? 'a profiled run' : '--no-write'}; --write records it anyway)`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
