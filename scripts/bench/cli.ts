// `npm run bench:search` / `npm run bench:audit` / `npm run bench`: seed (or reuse) the synthetic
// estate, run a suite of scenarios against Envelope and the bare Node baseline, print the figures and
// record them in docs/BENCHMARKS.md. `--suite all` (npm run bench) is the whole set in one run
// (whole-set.ts). Benchmarks, not tests: nothing here runs in CI.
//
//   node dist/scripts/bench/cli.js --suite search|audit|create|all [--slots N] [--patients N] [--fresh]
//     [--connections 16,32] [--duration 20] [--warmup 3] [--single 500] [--single-max 60]
//     [--scenario ID,ID] [--out docs/BENCHMARKS.md] [--write | --no-write] [--data-dir DIR] [--cold]
//   --suite all also: [--skip startup,booking,audit,size] [--startup-runs 3] [--booking-connections 200]
//     [--booking-slots 60000] [--booking-patients 2000] [--contended 0.2] [--audit-seconds 5] [--audit-appenders 1,16,128]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dbBytes, ensureEstate, estateEnv } from '../estate/dataset.js';
import { warmPageCache } from './page-cache.js';
import { DEFAULT_BATCH, defaultDataDir, specFrom } from '../estate/options.js';
import { DEFAULT_SPEC } from '../estate/spec.js';
import { readProfile, summarise, table } from './cpuprofile.js';
import { codeState, machineFacts } from './machine.js';
import { wholeSetConsole, wholeSetSection, type WholeSetRun, type WholeSetTargets } from './report-all.js';
import { consoleReport, markdownSection, writeSection, type Targets } from './report.js';
import { runSuite, type RunOptions } from './runner.js';
import { BOOKING_DEFAULTS, TARGET_BOOKINGS_PER_S } from './scenarios/booking.js';
import { SUITES } from './suites.js';
import { OPTIONAL_STEPS, runWholeSet, type OptionalStep } from './whole-set.js';

const TARGETS: Targets = {
  freeSlotP95Ms: 20, seedRate: 20_000, freeSlotScenario: 'search.free-slots', auditedReadRatio: 0.5, readScenario: 'read.appointment',
};

/** The issue's targets for the whole set (audited read and memory), with the earlier ones. */
const WHOLE_SET_TARGETS: WholeSetTargets = {
  auditedRead: { scenario: 'read.appointment', connections: 32, ratio: 0.5, p99Ms: 10 },
  memoryBytes: 300e6,
  freeSlot: { scenario: 'search.free-slots', p95Ms: 20 },
  seedRate: 20_000,
  bookingsPerS: TARGET_BOOKINGS_PER_S,
};

const DOC_HEADER = `# Benchmarks

Figures below the line are written by the benchmark itself (\`npm run bench\`, \`npm run bench:search\`).
`;

function count(v: string | undefined, d: number, name: string, min = 1): number {
  if (v === undefined) return d;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new Error(`--${name}: ${v} is not an integer of at least ${min}`);
  return x;
}

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
      'request-seed': { type: 'string' }, profile: { type: 'boolean' }, cold: { type: 'boolean' },
      skip: { type: 'string' }, 'startup-runs': { type: 'string' }, 'booking-connections': { type: 'string' },
      'booking-slots': { type: 'string' }, 'booking-patients': { type: 'string' }, contended: { type: 'string' },
      'audit-seconds': { type: 'string' }, 'audit-appenders': { type: 'string' },
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

  const t0 = performance.now();
  const { manifest } = await ensureEstate({ spec, dataDir, fresh: values.fresh ?? false, batchSize: Number(values.batch ?? DEFAULT_BATCH), log });
  if (!values.cold) {
    const warmed = warmPageCache(dataDir);
    log(`bench: read the database once into the page cache: ${Math.round(warmed.bytes / 2 ** 20).toLocaleString('en-GB')} MiB in ${(warmed.ms / 1000).toFixed(1)} s`);
  }
  const logDir = resolve('.bench', 'logs');
  mkdirSync(logDir, { recursive: true });
  const profileDir = values.profile ? join(logDir, `profile-${Date.now()}`) : undefined;
  const runOptions: RunOptions = {
    connections: list(values.connections, [16, 32]),
    durationS: count(values.duration, 20, 'duration'),
    warmupS: count(values.warmup, 3, 'warmup', 0),
    singleRequests: count(values.single, 500, 'single', 0),
    singleMaxS: count(values['single-max'], 60, 'single-max'),
    preflight: count(values.preflight, 20, 'preflight'),
    seed: Number(values['request-seed'] ?? 1),
    logDir,
    ...(profileDir ? { profileDir } : {}),
    log,
  };
  // The document records the default (full-size) estate; a smaller or profiled run is a local check
  // unless --write.
  const fullSize = spec.slots === DEFAULT_SPEC.slots && spec.patients === DEFAULT_SPEC.patients;
  const write = values['no-write'] ? false : (values.write ?? (fullSize && !profileDir));
  const out = resolve(values.out ?? 'docs/BENCHMARKS.md');
  const notWriting = () => log(`bench: not writing ${out} (${!fullSize ? 'not the default 1,000,000-slot estate' : profileDir ? 'a profiled run' : '--no-write'}; --write records it anyway)`);

  if (suite === 'all') {
    const skip = new Set((values.skip ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''));
    for (const x of skip) if (!(OPTIONAL_STEPS as readonly string[]).includes(x)) throw new Error(`--skip: '${x}' is not a step that can be skipped (${OPTIONAL_STEPS.join(', ')})`);
    const figures = await runWholeSet({
      manifest, dataDir, env: estateEnv(dataDir), scenarios, run: runOptions, skip: skip as Set<OptionalStep>,
      startupRuns: count(values['startup-runs'], 3, 'startup-runs'),
      booking: {
        connections: count(values['booking-connections'], BOOKING_DEFAULTS.connections, 'booking-connections'),
        slots: count(values['booking-slots'], BOOKING_DEFAULTS.slots, 'booking-slots'),
        patients: count(values['booking-patients'], BOOKING_DEFAULTS.patients, 'booking-patients'),
        contended: contendedShare(values.contended),
      },
      audit: { seconds: count(values['audit-seconds'], 5, 'audit-seconds'), appenders: list(values['audit-appenders'], [1, 16, 128]) },
    });
    const run: WholeSetRun = {
      ...figures, command, machine: machineFacts(), code: codeState(), targets: WHOLE_SET_TARGETS,
      finishedAt: new Date().toISOString(), wallMs: performance.now() - t0,
    };
    console.log(wholeSetConsole(run));
    writeFileSync(join(logDir, `result-all-${run.startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify(run, null, 2));
    if (write) {
      writeSection(out, 'all', wholeSetSection(run), DOC_HEADER);
      log(`bench: wrote the 'all' section of ${out}`);
    } else notWriting();
    const double = run.booking?.result.results.find((r) => r.verification && !r.verification.ok);
    if (double) process.exitCode = 1;
    return;
  }

  const result = await runSuite(scenarios, { dataDir, env: estateEnv(dataDir), manifest, label: suite }, runOptions);
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

  if (write) {
    writeSection(out, suite, markdownSection(input), DOC_HEADER);
    log(`bench: wrote the '${suite}' section of ${out}`);
  } else notWriting();
}

function contendedShare(v: string | undefined): number {
  const x = v === undefined ? BOOKING_DEFAULTS.contended : Number(v);
  if (!(x >= 0 && x < 1)) throw new Error(`--contended: ${v} is not a share in [0, 1)`);
  return x;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
