// Command-line options shared by the estate CLI and the benchmark: sizes, seed, data folder.
import { resolve } from 'node:path';
import { checkSpec, DEFAULT_SPEC, specKey, type EstateSpec } from './spec.js';

/** Resources per store transaction when seeding (the brief's 2,000–5,000 range; see BENCHMARKS.md). */
export const DEFAULT_BATCH = 5_000;

/** `.bench/estate-<spec>`: one folder per spec and generator version, so sizes never overwrite each other. */
export function defaultDataDir(spec: EstateSpec): string {
  return resolve('.bench', `estate-${specKey(spec)}`);
}

export function specFrom(values: { slots?: string | undefined; patients?: string | undefined; seed?: string | undefined }): EstateSpec {
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v.replace(/[_,]/g, '')));
  const spec: EstateSpec = {
    ...DEFAULT_SPEC,
    slots: num(values.slots, DEFAULT_SPEC.slots),
    patients: num(values.patients, DEFAULT_SPEC.patients),
    seed: num(values.seed, DEFAULT_SPEC.seed),
  };
  checkSpec(spec);
  return spec;
}
