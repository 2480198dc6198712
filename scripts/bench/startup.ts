// Start-up time on the seeded estate: spawn `node dist/src/main.js`, time until /healthz answers
// (polled every few milliseconds) and until the first FHIR read answers (sent the moment /healthz
// did), and split the first figure with the server's own account: main.ts logs
// `{"msg":"envelope listening", …, "startupMs": N}`, the time from its first line to listening, so the
// rest is node itself and loading the modules. Repeated a few times; the page cache is warm after the
// first (the runs that follow measure a restart, not a cold boot of the machine).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from './client.js';
import type { BenchRequest } from './scenario.js';
import { startEnvelope } from './targets.js';

/** One start of the server. */
export interface StartupSample {
  /** Spawn to the first 200 from /healthz. */
  healthzMs: number;
  /** Spawn to the first FHIR read's complete answer (sent once /healthz answered). */
  firstReadMs: number;
  /** What main.ts reports: its own start (configuration, composition, opening the store) to listening. */
  serverReportedMs?: number;
  /** Resident set just after the first read. */
  rssBytes?: number;
}

export interface StartupSummary {
  runs: number;
  healthzMs: { median: number; min: number; max: number };
  firstReadMs: { median: number; min: number; max: number };
  /** Median of the server's own figure, when it logged one. */
  serverReportedMs?: number;
  /** Median rss after the first read. */
  rssBytes?: number;
}

/**
 * The server's own start-up figure from its log: the `startupMs` of the last "envelope listening"
 * line. Lines that are not JSON (or are another message) are skipped, so a log with other output, or
 * a structured logger that adds fields (level, time), still parses.
 */
export function parseStartupMs(log: string): number | undefined {
  let found: number | undefined;
  for (const line of log.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{') || !t.includes('envelope listening')) continue;
    try {
      const o = JSON.parse(t) as { msg?: unknown; startupMs?: unknown };
      if (o.msg === 'envelope listening' && typeof o.startupMs === 'number' && Number.isFinite(o.startupMs) && o.startupMs >= 0) found = o.startupMs;
    } catch {
      // not a JSON line after all
    }
  }
  return found;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const spread = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

export function summariseStartup(samples: readonly StartupSample[]): StartupSummary {
  if (samples.length === 0) throw new Error('no start-up samples');
  const reported = samples.map((s) => s.serverReportedMs).filter((x): x is number => x !== undefined);
  const rss = samples.map((s) => s.rssBytes).filter((x): x is number => x !== undefined);
  return {
    runs: samples.length,
    healthzMs: spread(samples.map((s) => s.healthzMs)),
    firstReadMs: spread(samples.map((s) => s.firstReadMs)),
    ...(reported.length ? { serverReportedMs: median(reported) } : {}),
    ...(rss.length ? { rssBytes: median(rss) } : {}),
  };
}

export interface StartupOptions {
  env: NodeJS.ProcessEnv;
  logDir: string;
  runs: number;
  /** The first FHIR read, with its Authorization header; must answer 200. */
  firstRead: BenchRequest;
  log: (line: string) => void;
}

async function logText(file: string, waitMs: number): Promise<string> {
  // The child's stdout reaches the file through a pipe: give it a moment after the exit.
  const deadline = Date.now() + waitMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not created yet
    }
    if (parseStartupMs(text) !== undefined || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function measureStartup(o: StartupOptions): Promise<StartupSample[]> {
  const samples: StartupSample[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let i = 0; i < o.runs; i++) {
    const logFile = join(o.logDir, `envelope-startup-${stamp}-${i + 1}.log`);
    const envelope = await startEnvelope(o.env, logFile, { pollMs: 5 });
    let sample: StartupSample;
    try {
      const client = new Client(envelope.port, { accept: 'application/fhir+json' });
      try {
        const ex = await client.send(o.firstRead);
        const firstReadMs = performance.now() - envelope.spawnedAt;
        if (ex.status !== 200) throw new Error(`start-up: the first read ${o.firstRead.method} ${o.firstRead.path} answered ${ex.status}: ${ex.body.slice(0, 200)}`);
        const rss = envelope.memory().rssBytes;
        sample = { healthzMs: envelope.startMs, firstReadMs, ...(rss !== undefined ? { rssBytes: rss } : {}) };
      } finally {
        client.close();
      }
    } finally {
      await envelope.stop();
    }
    const reported = parseStartupMs(await logText(logFile, 1_000));
    if (reported !== undefined) sample.serverReportedMs = reported;
    samples.push(sample);
    o.log(`bench: start-up ${i + 1}/${o.runs}: /healthz after ${sample.healthzMs.toFixed(0)} ms, first read after ${sample.firstReadMs.toFixed(0)} ms${reported !== undefined ? ` (server reports ${reported} ms from main() to listening)` : ''}`);
  }
  return samples;
}
