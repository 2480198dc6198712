// What a benchmark scenario is. One module per scenario (scenarios/*.ts) exports a Scenario; the
// shared runner (runner.ts) starts the target, checks a sample of responses, measures latency on one
// connection, then drives it with autocannon. Later scenarios (read, create, booking, audit) plug in
// the same way: a request generator over the seeded estate and a check of what a good answer is.
import type { Rng } from '../estate/prng.js';
import type { Manifest } from '../estate/dataset.js';
import type { PracticeIndex } from './practices.js';

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /fhir/Slot?status=free&… */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a correct response looked like, measured in the pre-flight check. */
export interface ResponseShape {
  /** Bundle entries with search.mode = match (or 1 for a single resource). */
  matches: number;
  /** Bundle entries with search.mode = include. */
  included: number;
}

export interface ScenarioContext {
  manifest: Manifest;
  /** Seeded generator for this scenario: the same run draws the same requests. */
  rng: Rng;
  /** The GP practice of a sampled patient or referrer (rebuilt from the estate's spec). */
  practices?: PracticeIndex;
  /**
   * An Authorization header for the scenario's role acting for organisation `ods` (minted before the
   * run for every practice): patient data is answered only to an organisation related to the patient.
   */
  authFor?(ods: string): string;
}

export interface ScenarioInstance {
  /** The next request; called once per request, so every request can differ. */
  next(): BenchRequest;
  /** Throws when a (2xx) response body is not a correct answer; returns its shape otherwise. */
  check(status: number, body: string): ResponseShape;
}

export interface Scenario {
  /** Stable id, used on the command line and in the report: e.g. `search.free-slots`. */
  id: string;
  /** One line for the report: what is asked, as a client would ask it. */
  title: string;
  /** Which server answers: Envelope, or the bare Node baseline. */
  target: 'envelope' | 'baseline';
  /** Role of the bearer token (see policy/roles.json); absent for the baseline. */
  role?: string;
  /** An example request for the report (with the estate's ids elided). */
  example: string;
  create(ctx: ScenarioContext): ScenarioInstance;
}

/** Parses a searchset Bundle and counts its entries; throws on anything else. */
export function bundleShape(status: number, body: string, minMatches = 0): ResponseShape {
  if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
  const b = JSON.parse(body) as { resourceType?: string; type?: string; entry?: { search?: { mode?: string } }[] };
  if (b.resourceType !== 'Bundle' || b.type !== 'searchset') throw new Error(`not a searchset Bundle: ${body.slice(0, 200)}`);
  let matches = 0;
  let included = 0;
  for (const e of b.entry ?? []) {
    if (e.search?.mode === 'match') matches++;
    else if (e.search?.mode === 'include') included++;
    else if (e.search?.mode === 'outcome') throw new Error(`the search reported an issue: ${JSON.stringify(e).slice(0, 300)}`);
  }
  if (matches < minMatches) throw new Error(`expected at least ${minMatches} matches, got ${matches}`);
  return { matches, included };
}
