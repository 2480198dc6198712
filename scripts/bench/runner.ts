// The shared runner. For one suite of scenarios over one seeded data folder:
//   1. start Envelope (a child process on the data folder) and check a sample of each scenario's
//      responses: the right status and a correct, non-empty answer;
//   2. measure each scenario's latency on a single connection (sequential requests);
//   3. start the bare Node baseline, replaying a captured Envelope response;
//   4. for each connection count: load the baseline, then each scenario, with autocannon,
//      reading the server's peak RSS after each run;
//   5. let the scenarios that write check the data (e.g. no slot booked twice).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { storeFingerprint, type Manifest } from '../estate/dataset.js';
import { hash32, Rng } from '../estate/prng.js';
import { Client, type Exchange } from './client.js';
import { drive, type LoadResult } from './load.js';
import { cpuPerRequest, threadCpuOf, watchMemory, type Memory, type MemoryPeaks, type ThreadCpu } from './proc.js';
import type { ResponseShape, Scenario, ScenarioContext, ScenarioInstance, Verification } from './scenario.js';
import { baseline as baselineScenario } from './scenarios/baseline.js';
import { summarise, type LatencySummary } from './stats.js';
import { DIST, startBaseline, startEnvelope, type Target } from './targets.js';
import { bearerFor } from './token.js';
import { practiceIndex, type PracticeIndex } from './practices.js';

/** What the scenarios run against: a data folder, and what they draw their requests from. */
export interface Workload {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The seeded estate (its samples, its practices); absent on a scenario's own pool. */
  manifest?: Manifest;
  /** Practices tokens are minted for; rebuilt from the manifest when absent. */
  practices?: PracticeIndex;
  /** Part of the log file names, e.g. `booking`. */
  label?: string;
}

export interface RunOptions {
  connections: number[];
  durationS: number;
  warmupS: number;
  /** Sequential requests per scenario for the single-connection latency (also bounded by singleMaxS). */
  singleRequests: number;
  singleMaxS: number;
  /** Requests per scenario in the pre-flight check. */
  preflight: number;
  /** Seed of the request draws (the same seed replays the same requests). */
  seed: number;
  logDir: string;
  /** Write a CPU profile of the Envelope process into this folder (figures are then distorted). */
  profileDir?: string;
  log: (line: string) => void;
}

export interface Preflight {
  requests: number;
  meanMatches: number;
  meanIncluded: number;
  meanBytes: number;
}

export interface SingleResult {
  latency: LatencySummary;
  non2xx: number;
  /** Responses by status (absent in results recorded before it existed). */
  statusCodes?: Record<string, number>;
  /** Sequential requests per second (1 / mean latency, including client overhead). */
  rps: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  preflight?: Preflight;
  single?: SingleResult;
  load: (LoadResult & { memory: Memory; ratio?: number; cpuPerRequest?: ThreadCpu })[];
  /** The scenario's own check of the data after the load, if it has one. */
  verification?: Verification;
}

export interface SuiteResult {
  startedAt: string;
  finishedAt: string;
  envelopeStartMs: number;
  envelopeIdleMemory: Memory;
  /** Envelope's memory over the whole run, sampled (absent in results recorded before it existed). */
  envelopePeaks?: MemoryPeaks;
  results: ScenarioResult[];
  options: Omit<RunOptions, 'log'>;
}

interface Minted {
  practices: PracticeIndex;
  /** role → ODS code → Authorization header. */
  byOrg: Map<string, Map<string, string>>;
}

function contextOf(s: Scenario, w: Workload, seed: number, phase: number, minted: Minted): ScenarioContext {
  let h = 0;
  for (const ch of s.id) h = hash32(h, ch.charCodeAt(0));
  const authFor = (ods: string) => {
    const header = minted.byOrg.get(s.role ?? '')?.get(ods);
    if (header === undefined) throw new Error(`no token minted for ${s.role} at ${ods}`);
    return header;
  };
  return { ...(w.manifest ? { manifest: w.manifest } : {}), rng: new Rng(hash32(seed, h, phase)), practices: minted.practices, authFor };
}

function instanceOf(s: Scenario, w: Workload, seed: number, phase: number, minted: Minted): ScenarioInstance {
  return s.create(contextOf(s, w, seed, phase, minted));
}

export async function runSuite(scenarios: readonly Scenario[], w: Workload, o: RunOptions): Promise<SuiteResult> {
  const { dataDir, env } = w;
  const startedAt = new Date().toISOString();
  const stamp = `${w.label ? `${w.label}-` : ''}${startedAt.replace(/[:.]/g, '-')}`;
  const tokens = new Map<string, string>();
  for (const s of scenarios) if (s.role && !tokens.has(s.role)) tokens.set(s.role, await bearerFor(s.role, dataDir, env));
  const practices = w.practices ?? (w.manifest ? practiceIndex(w.manifest) : undefined);
  if (!practices) throw new Error('runSuite: a workload needs a manifest or its practices');
  // Per-practice tokens: a GP sees a patient's data only for patients related to its practice.
  const minted: Minted = { practices, byOrg: new Map() };
  for (const role of tokens.keys()) {
    const byOds = new Map<string, string>();
    for (const ods of minted.practices.codes) byOds.set(ods, await bearerFor(role, dataDir, env, undefined, ods));
    minted.byOrg.set(role, byOds);
  }
  const headersFor = (s: Scenario): Record<string, string> => ({
    accept: 'application/fhir+json',
    ...(s.role ? { authorization: tokens.get(s.role)! } : {}),
  });

  // dist/ is shared: another engineer's build may have changed the store since this process loaded
  // it and seeded. The server would then meet a database of another schema; say so plainly.
  // A pool seeded by this process was written by the code this process loaded.
  const seededUnder = w.manifest?.store ?? storeFingerprint();
  const built = builtStoreFingerprint();
  if (built !== seededUnder) {
    throw new Error(`dist/ now holds store ${built}, but the data was seeded under ${seededUnder}: dist/ was rebuilt during the run; run the benchmark again`);
  }
  o.log(`bench: starting Envelope on ${dataDir}`);
  const envelopeLog = join(o.logDir, `envelope-${stamp}.log`);
  const envelope = await startEnvelope(env, envelopeLog, o.profileDir ? { profileDir: o.profileDir } : {});
  const memoryWatch = watchMemory(envelope.pid);
  let baselineTarget: Target | undefined;
  try {
    o.log(`bench: Envelope answered /healthz after ${Math.round(envelope.startMs)} ms (pid ${envelope.pid})`);
    const envelopeIdleMemory = envelope.memory();
    const results: ScenarioResult[] = scenarios.map((scenario) => ({ scenario, load: [] }));
    let capture: Exchange | undefined;

    for (const r of results) {
      const s = r.scenario;
      const client = new Client(envelope.port, headersFor(s));
      try {
        // 1. Pre-flight: every sampled response must be a correct answer.
        const inst = instanceOf(s, w, o.seed, 1, minted);
        const exchanges: Exchange[] = [];
        const shapes: ResponseShape[] = [];
        for (let i = 0; i < o.preflight; i++) {
          const req = inst.next();
          const ex = await client.send(req);
          try {
            shapes.push(inst.check(ex.status, ex.body));
          } catch (e) {
            const fault = lastFault(envelopeLog);
            throw new Error(`${s.id}: pre-flight ${req.method} ${req.path} → ${(e as Error).message}${fault ? `\nserver log (${envelopeLog}): ${fault}` : ''}`);
          }
          exchanges.push(ex);
        }
        r.preflight = {
          requests: exchanges.length,
          meanMatches: mean(shapes.map((x) => x.matches)),
          meanIncluded: mean(shapes.map((x) => x.included)),
          meanBytes: mean(exchanges.map((x) => Buffer.byteLength(x.body))),
        };
        // The baseline replays a typical response of the first scenario (the free-slot search in
        // the search suite): the successful one of median size.
        const ok = exchanges.filter((x) => x.status >= 200 && x.status < 300).sort((a, b) => a.body.length - b.body.length);
        if (!capture && ok.length > 0) capture = ok[Math.floor(ok.length / 2)];
        o.log(`bench: ${s.id}: pre-flight OK (${r.preflight.meanMatches.toFixed(1)} matches + ${r.preflight.meanIncluded.toFixed(1)} included per response, ${(r.preflight.meanBytes / 1024).toFixed(1)} KiB)`);

        // 2. Single connection, sequential.
        r.single = await single(client, instanceOf(s, w, o.seed, 2, minted), o);
        o.log(`bench: ${s.id}: 1 connection: p50 ${r.single.latency.p50.toFixed(1)} ms, p95 ${r.single.latency.p95.toFixed(1)} ms, p99 ${r.single.latency.p99.toFixed(1)} ms over ${r.single.latency.count} requests`);
      } finally {
        client.close();
      }
    }

    // 3. The baseline replays the captured bytes.
    const captureFile = join(o.logDir, `baseline-capture-${stamp}.json`);
    writeFileSync(captureFile, JSON.stringify({ headers: capture?.headers ?? {}, body: capture?.body ?? '{}' }));
    baselineTarget = await startBaseline(captureFile, join(o.logDir, `baseline-${stamp}.log`));
    const base: ScenarioResult = { scenario: baselineScenario, load: [] };

    // 4. Load, connection count by connection count, the baseline first each time.
    for (const c of o.connections) {
      const b = baselineScenario.create({ rng: new Rng(1) });
      const bl = await drive({ port: baselineTarget.port, headers: {}, next: b.next, connections: c, durationS: o.durationS, warmupS: o.warmupS });
      base.load.push({ ...bl, memory: baselineTarget.memory(), ratio: 1 });
      o.log(`bench: baseline ×${c}: ${Math.round(bl.rps)} req/s, p95 ${bl.latency.p95.toFixed(1)} ms`);
      for (const r of results) {
        const s = r.scenario;
        const inst = instanceOf(s, w, o.seed, 10 + c, minted);
        let cpuBefore: ThreadCpu | undefined;
        const res = await drive({ port: envelope.port, headers: headersFor(s), next: inst.next, connections: c, durationS: o.durationS, warmupS: o.warmupS }, () => {
          cpuBefore = threadCpuOf(envelope.pid);
        });
        const cpu = cpuPerRequest(cpuBefore, threadCpuOf(envelope.pid), res.ok + res.non2xx);
        r.load.push({ ...res, memory: envelope.memory(), ratio: bl.rps > 0 ? res.rps / bl.rps : undefined, ...(cpu ? { cpuPerRequest: cpu } : {}) });
        const cpuNote = cpu ? `, CPU per request ${cpu.mainMs.toFixed(2)} ms main thread + ${cpu.otherMs.toFixed(2)} ms other threads` : '';
        o.log(`bench: ${s.id} ×${c}: ${Math.round(res.rps)} req/s, p50 ${res.latency.p50.toFixed(1)} ms, p95 ${res.latency.p95.toFixed(1)} ms, non-2xx ${res.non2xx}, errors ${res.errors}${cpuNote}`);
      }
    }

    // 5. The scenarios' own checks of what the load left behind.
    for (const r of results) {
      const s = r.scenario;
      if (!s.verify) continue;
      const client = new Client(envelope.port, headersFor(s));
      try {
        r.verification = await s.verify((req) => client.send(req), contextOf(s, w, o.seed, 99, minted));
      } finally {
        client.close();
      }
      o.log(`bench: ${s.id}: after the load: ${r.verification.facts.map((f) => `${f.what} ${f.value}${f.ok ? '' : ' (WRONG)'}`).join('; ')}`);
    }
    const { log: _log, ...options } = o;
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      envelopeStartMs: envelope.startMs,
      envelopeIdleMemory,
      envelopePeaks: memoryWatch.stop(),
      results: [base, ...results],
      options,
    };
  } finally {
    memoryWatch.stop();
    await envelope.stop();
    await baselineTarget?.stop();
  }
}

async function single(client: Client, inst: ScenarioInstance, o: RunOptions): Promise<SingleResult> {
  for (let i = 0; i < Math.min(20, o.singleRequests); i++) await client.send(inst.next()); // warm-up
  const ms: number[] = [];
  let non2xx = 0;
  const statusCodes: Record<string, number> = {};
  const deadline = performance.now() + o.singleMaxS * 1000;
  const t0 = performance.now();
  while (ms.length + non2xx < o.singleRequests && performance.now() < deadline) {
    const ex = await client.send(inst.next());
    statusCodes[ex.status] = (statusCodes[ex.status] ?? 0) + 1;
    if (ex.status >= 200 && ex.status < 300) ms.push(ex.ms);
    else non2xx++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { latency: summarise(ms), non2xx, statusCodes, rps: (ms.length + non2xx) / seconds };
}

/** The store fingerprint of the code in dist/ now, read by a fresh node process (ours is cached). */
function builtStoreFingerprint(): string {
  const dataset = join(DIST, 'scripts', 'estate', 'dataset.js');
  return execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(pathToFileURL(dataset).href)}).then((m) => process.stdout.write(m.storeFingerprint()))`], { encoding: 'utf8' }).trim();
}

/** The last "unhandled server fault" line of the server's log, if any. */
function lastFault(logFile: string): string | undefined {
  try {
    return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('server fault')).pop()?.slice(0, 600);
  } catch {
    return undefined;
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
