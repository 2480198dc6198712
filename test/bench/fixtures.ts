// Figures for the benchmark report tests: runner results built by hand, shaped as the runner makes them.
import type { Manifest } from '../../scripts/estate/dataset.js';
import { DEFAULT_SPEC } from '../../scripts/estate/spec.js';
import type { LoadResult } from '../../scripts/bench/load.js';
import type { Memory } from '../../scripts/bench/proc.js';
import type { ScenarioResult, SuiteResult } from '../../scripts/bench/runner.js';
import type { Scenario } from '../../scripts/bench/scenario.js';
import type { LatencySummary } from '../../scripts/bench/stats.js';

export const MiB = 2 ** 20;

export function latency(p50: number, p95: number, p99: number): LatencySummary {
  return { count: 1000, mean: p50, p50, p95, p99, max: p99 * 1.5 };
}

export function scenario(id: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    id, title: `the ${id} scenario`, target: id === 'baseline' ? 'baseline' : 'envelope', example: `GET /${id}`,
    ...(id === 'baseline' ? {} : { role: 'gp-clinician' }),
    create: () => { throw new Error('not used'); },
    ...extra,
  };
}

export function load(connections: number, rps: number, p: [number, number, number], o: { ratio?: number; peakRss?: number; statusCodes?: Record<string, number>; bytes?: number } = {}): LoadResult & { memory: Memory; ratio?: number } {
  const statusCodes = o.statusCodes ?? { 200: Math.round(rps * 20) };
  const non2xx = Object.entries(statusCodes).filter(([c]) => !c.startsWith('2')).reduce((n, [, k]) => n + k, 0);
  return {
    connections, seconds: 20, ok: Math.round(rps * 20), non2xx, errors: 0, timeouts: 0, rps,
    latency: latency(...p), meanBytes: o.bytes ?? 2048, statusCodes,
    memory: o.peakRss === undefined ? {} : { peakRssBytes: o.peakRss, rssBytes: o.peakRss },
    ...(o.ratio === undefined ? {} : { ratio: o.ratio }),
  };
}

export function suite(results: ScenarioResult[], o: { connections?: number[]; peaks?: SuiteResult['envelopePeaks']; idleRss?: number } = {}): SuiteResult {
  return {
    startedAt: '2026-11-21T10:00:00.000Z', finishedAt: '2026-11-21T10:05:00.000Z', envelopeStartMs: 650,
    envelopeIdleMemory: o.idleRss === undefined ? {} : { rssBytes: o.idleRss },
    ...(o.peaks ? { envelopePeaks: o.peaks } : {}),
    results,
    options: { connections: o.connections ?? [16, 32], durationS: 20, warmupS: 3, singleRequests: 500, singleMaxS: 60, preflight: 20, seed: 1, logDir: '/tmp' },
  };
}

export function manifest(): Manifest {
  return {
    generatorVersion: 2, store: 'sqlite-test', spec: DEFAULT_SPEC,
    counts: { Slot: 1_000_000, ServiceRequest: 190_000, Appointment: 150_000, Patient: 100_000 },
    resources: 1_440_000,
    seed: { ms: 150_000, rate: 9_600, transactions: 288, batchSize: 5000, generateMs: 6000, closeMs: 1000 },
    dbBytes: 3_600 * MiB, createdAt: '2026-11-21T09:00:00.000Z', node: 'v20', code: 'commit abc',
    samples: { services: [], requesters: [], appointments: [], firstDay: '2026-01-05', lastDay: '2027-01-03' },
  };
}
