// The servers under test, each a child process of the benchmark (so the baseline and Envelope run in
// the same process tree, under the same conditions): Envelope as `node dist/src/main.js` on the
// seeded data folder, and the bare Node baseline. Both listen on loopback on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryOf, type Memory } from './proc.js';

/** dist/ root of the compiled project (this file is dist/scripts/bench/targets.js). */
export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Target {
  name: string;
  port: number;
  pid: number;
  /** Milliseconds from spawn until the health check answered. */
  startMs: number;
  /** performance.now() when the process was spawned (for timing later first answers from spawn). */
  spawnedAt: number;
  memory(): Memory;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port: number, path: string, child: ChildProcess, timeoutMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  for (;;) {
    if (exited) throw new Error(`server ${exited} before answering ${path}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer ${path} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

interface SpawnOptions {
  name: string;
  script: string;
  /** Options for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  args?: string[];
  env: NodeJS.ProcessEnv;
  healthPath: string;
  logFile: string;
  /** How often the health check is tried while the server starts (ms); the start-up time's resolution. */
  pollMs?: number;
}

async function spawnTarget(o: SpawnOptions): Promise<Target> {
  const port = await freePort();
  mkdirSync(dirname(o.logFile), { recursive: true });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const started = performance.now();
  // Only what the server needs from our environment: PATH and HOME, never the caller's secrets or a
  // MONGODB_URI that would silently switch the store.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...o.env, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.script, ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  try {
    await waitHealthy(port, o.healthPath, child, 120_000, o.pollMs ?? 100);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${o.name}: ${(e as Error).message} (log: ${o.logFile})`);
  }
  const startMs = performance.now() - started;
  const pid = child.pid!;
  return {
    name: o.name,
    port,
    pid,
    startMs,
    spawnedAt: started,
    memory: () => memoryOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface EnvelopeOptions {
  /** node writes a CPU profile here when the server exits (after stop()). */
  profileDir?: string;
  /** Health-check polling interval while it starts (default 100 ms). */
  pollMs?: number;
}

/**
 * What the benchmark's Envelope runs with besides the data folder: per-client rate limiting off. The
 * load comes from a handful of tokens, so `npm start`'s default limit would measure the throttle
 * (429s), not the server. Everything else (logging included) is as `npm start` has it.
 */
export const BENCH_SERVER_ENV: Readonly<Record<string, string>> = { RATE_LIMIT_PER_SECOND: '0' };

/** Envelope on a seeded data folder (`env` as for the seeder: DATA_DIR, SQLITE_FILE). */
export function startEnvelope(env: NodeJS.ProcessEnv, logFile: string, o: EnvelopeOptions = {}): Promise<Target> {
  const nodeArgs = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  return spawnTarget({
    name: 'envelope', script: join(DIST, 'src', 'main.js'), nodeArgs, env: { ...BENCH_SERVER_ENV, ...env }, healthPath: '/healthz', logFile,
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
  });
}

/** The bare Node baseline, answering every request with the bytes in `bodyFile`. */
export function startBaseline(bodyFile: string, logFile: string, extraArgs: string[] = []): Promise<Target> {
  return spawnTarget({
    name: 'baseline',
    script: join(DIST, 'scripts', 'bench', 'baseline-server.js'),
    args: [bodyFile, ...extraArgs],
    env: {},
    healthPath: '/healthz',
    logFile,
  });
}
