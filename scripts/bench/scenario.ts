// What a benchmark scenario is. One module per scenario (scenarios/*.ts) exports a Scenario; the
// shared runner (runner.ts) starts the target, checks a sample of responses, measures latency on one
// connection, then drives it with autocannon. Later scenarios (read, create, booking, audit) plug in
// the same way: a request generator over the seeded estate and a check of what a good answer is.
// A scenario that writes may also name the refusals that are part of its workload (a contended
// booking's 409) and check the data once the load is over (no slot booked twice).
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
  /** The seeded estate the requests are drawn from; absent on a scenario's own pool (booking). */
  manifest?: Manifest;
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
  /**
   * Non-2xx statuses that are a correct answer in this workload (a booking that lost the race for a
   * slot gets 409): counted and shown, but not reported as failures.
   */
  expectedStatuses?: readonly number[];
  /** Checks the data after the load (the server still running), e.g. that no slot was booked twice. */
  verify?(send: (r: BenchRequest) => Promise<{ status: number; body: string }>, ctx: ScenarioContext): Promise<Verification>;
}

/** What a scenario's check of the data after the load found. */
export interface Verification {
  ok: boolean;
  /** Each fact checked: what, the value found, and whether it is as it must be. */
  facts: { what: string; value: string; ok: boolean }[];
}

/** The estate a scenario draws from; throws when the scenario runs on a pool without one. */
export function estateOf(ctx: ScenarioContext, scenario: string): Manifest {
  if (!ctx.manifest) throw new Error(`${scenario} draws its requests from a seeded estate, and this run has none`);
  return ctx.manifest;
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
