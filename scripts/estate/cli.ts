// `node dist/scripts/estate/cli.js [--slots N] [--patients N] [--data-dir DIR] [--fresh] [--batch N]`
//   seeds a synthetic estate into DIR (default .bench/estate-<spec>) through the server's own Store.
// `node dist/scripts/estate/cli.js --check [--slots N] [--patients N]`
//   generates the estate without writing anything and checks it (R4 validation of a sample, ids,
//   references, NHS number check digits, appointments on their slots).
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { checkEstate } from './check.js';
import { ensureEstate } from './dataset.js';
import { DEFAULT_BATCH, defaultDataDir, specFrom } from './options.js';
import { createEstate } from './stream.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      slots: { type: 'string' }, patients: { type: 'string' }, seed: { type: 'string' },
      'data-dir': { type: 'string' }, fresh: { type: 'boolean' }, batch: { type: 'string' },
      check: { type: 'boolean' }, every: { type: 'string' },
    },
    strict: true,
  });
  const spec = specFrom(values);
  const log = (s: string) => process.stderr.write(s + '\n');

  if (values.check) {
    const t0 = performance.now();
    const estate = createEstate(spec);
    const report = checkEstate(estate.resources(), { firstPerType: 200, every: Number(values.every ?? 500) });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`checked ${report.resources.toLocaleString('en-GB')} resources (${report.validated.toLocaleString('en-GB')} validated against R4) in ${s} s`);
    console.log(`counts: ${JSON.stringify(estate.counts)}`);
    for (const [w, n] of report.warnings) console.log(`warning ×${n}: ${w}`);
    for (const p of report.problems) console.log(`PROBLEM: ${p}`);
    console.log(report.problems.length === 0 ? 'check: OK' : `check: ${report.problems.length} problem(s)`);
    process.exitCode = report.problems.length === 0 ? 0 : 1;
    return;
  }

  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(spec));
  const batchSize = Number(values.batch ?? DEFAULT_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch must be a positive integer');
  const { manifest } = await ensureEstate({ spec, dataDir, fresh: values.fresh ?? false, batchSize, log });
  console.log(JSON.stringify({ dataDir, resources: manifest.resources, seedMs: Math.round(manifest.seed.ms), rate: Math.round(manifest.seed.rate), dbBytes: manifest.dbBytes, counts: manifest.counts }));
}

main().catch((e: unknown) => {
  process.stderr.write(`estate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
