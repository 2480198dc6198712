// Envelope as operators run it: `node dist/src/main.js` in a child process on a data folder, with
// the development token issuer (its key in DATA_DIR/dev-issuer, which the test signs with too).
// The environment is built from scratch, so a MONGODB_URI or PORT of the CI machine cannot leak in.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/bench/targets.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const AUDIT_VERIFY = fileURLToPath(new URL('../../scripts/audit-verify.js', import.meta.url));

export interface ChildServer {
  readonly base: string;
  readonly proc: ChildProcess;
  /** Milliseconds from spawning the process to the first answered GET /fhir/metadata. */
  readonly readyMs: number;
  /** What the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends the signal and waits for the process to end; resolves with its exit code or signal. */
  stop(signal: NodeJS.Signals): Promise<string>;
}

/** A free TCP port on 127.0.0.1 (the benchmark's helper: the kernel picks, the child binds it). */
export { freePort };

/** The child's environment: only what it needs, plus `extra`. */
export function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NODE_ENV: 'development', DATA_DIR: dataDir, ...extra };
}

function exited(proc: ChildProcess): Promise<string> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(String(proc.exitCode ?? proc.signalCode));
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve(String(code ?? signal))));
}

/** Starts the server on a free port and waits until it answers (at most `timeoutMs`). */
export async function startChildServer(dataDir: string, extra: Record<string, string> = {}, timeoutMs = 20_000): Promise<ChildServer> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, [MAIN], {
    env: childEnv(dataDir, { HOST: '127.0.0.1', PORT: String(port), ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const base = `http://127.0.0.1:${port}`;
  const deadline = started + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`envelope exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`${base}/fhir/metadata`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`envelope was not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  return {
    base,
    proc,
    readyMs,
    output: () => out,
    async stop(signal) {
      const done = exited(proc);
      proc.kill(signal);
      return done;
    },
  };
}

/** Runs `node dist/scripts/audit-verify.js` for the data folder; its exit code and output. */
export async function auditVerify(dataDir: string): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, [AUDIT_VERIFY], { env: childEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => { output += d.toString('utf8'); });
  proc.stderr!.on('data', (d: Buffer) => { output += d.toString('utf8'); });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  return { code, output };
}
