// The definitions loader: the per-type byte index must yield exactly what a whole-bundle parse
// yields, and loading must stay cheap enough for the first request to bear.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleIndex } from '../../../src/fhir/validation/bundle-index.js';
import { r4File, readR4Bundle } from '../../../src/fhir/validation/definitions.js';

describe('validation: definitions', () => {
  it('reads every entry of profiles-resources.json through the byte index exactly as a whole parse does', function () {
    this.timeout(60_000);
    const index = BundleIndex.open(r4File('profiles-resources.json'));
    expect(index, 'the pinned package layout should be indexable').to.not.equal(undefined);
    const whole = readR4Bundle('profiles-resources.json').entry as { fullUrl: string; resource: unknown }[];
    expect(index!.size).to.equal(whole.length);
    for (const e of whole) expect(index!.resource(e.fullUrl), e.fullUrl).to.deep.equal(e.resource);
    expect(index!.resource('http://hl7.org/fhir/StructureDefinition/Nope')).to.equal(undefined);
  });

  it('declines a bundle laid out differently, so the loader falls back to a whole parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envelope-bundle-'));
    try {
      const bundle = { resourceType: 'Bundle', entry: [{ fullUrl: 'http://x/1', resource: { resourceType: 'Basic' } }] };
      const file = join(dir, 'b.json');
      writeFileSync(file, JSON.stringify(bundle, null, 2)); // `"fullUrl": "` without the space the index keys on
      expect(BundleIndex.open(file)).to.equal(undefined);
      writeFileSync(file, JSON.stringify(bundle, null, 2).replaceAll('": ', '" : '));
      expect(BundleIndex.open(file)!.resource('http://x/1')).to.deep.equal({ resourceType: 'Basic' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads lazily and validates a typical Appointment quickly (measured in a fresh process)', function () {
    this.timeout(60_000);
    const script = fileURLToPath(new URL('./measure.js', import.meta.url));
    const out = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as {
      importMs: number; firstMs: number; warmUs: number; structureUs: number; profiledUs: number; invariantSites: number;
      errors: number; stats: Record<string, number>;
    };
    console.log(`      load + first Appointment ${out.firstMs.toFixed(0)} ms (import ${out.importMs.toFixed(0)} ms; ` +
      `datatypes ${out.stats.datatypesMs!.toFixed(0)}, resource index ${out.stats.resourceIndexMs!.toFixed(0)}, ` +
      `${out.stats.resourceDefsLoaded} resource definitions ${out.stats.resourceDefsMs!.toFixed(0)}, terminology ${out.stats.terminologyMs!.toFixed(0)} ms); ` +
      `then ${out.warmUs.toFixed(0)} µs per Appointment (structure ${out.structureUs.toFixed(0)} µs, ${out.invariantSites} invariant evaluations), ` +
      `${out.profiledUs.toFixed(0)} µs claiming the booked-appointment profile`);
    expect(out.errors).to.equal(0);
    // Budgets with wide headroom for a loaded CI machine; they catch a regression to whole-file parsing
    // at import time, or per-call work that should be cached.
    expect(out.importMs).to.be.lessThan(300);
    expect(out.firstMs).to.be.lessThan(3000);
    expect(out.warmUs).to.be.lessThan(2000);
    expect(out.profiledUs).to.be.lessThan(3000);
    expect(out.invariantSites).to.be.greaterThan(5);
  });
});
