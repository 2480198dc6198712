// Throughput of the indexer and the parser, printed for the record. The assertions are loose (a
// shared CI box can be slow); the numbers in the report come from this output.
import type { Resource } from '../../src/domain/fhir.js';
import { createIndexer } from '../../src/search/indexer.js';
import { expect } from './support/chai.js';
import { BASE, example, parse, registry } from './support/fixtures.js';

function measure(fn: () => number, minMs = 300): { perOpUs: number; perSecond: number; units: number } {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let ops = 0;
  let units = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 500; i++) units += fn();
    ops += 500;
    elapsed = performance.now() - started;
  }
  return { perOpUs: (elapsed * 1000) / ops, perSecond: (units * 1000) / elapsed, units: units / ops };
}

describe('search: performance (measured)', function () {
  this.timeout(30_000);
  const index = createIndexer(registry, { baseUrl: BASE });
  const meta = { lastUpdated: '2025-01-01T10:00:00.000Z', versionId: '1' };
  const slot = { ...example('Slot-example'), meta } as Resource;
  const appointment = { ...example('Appointment-example'), meta } as Resource;

  for (const [name, r, budgetUs] of [['Slot', slot, 30], ['Appointment', appointment, 80]] as const) {
    it(`indexes a typical ${name}`, () => {
      const m = measure(() => index(r).length);
      // eslint-disable-next-line no-console
      console.log(`      ${name}: ${m.perOpUs.toFixed(2)} µs/resource, ${m.units} entries, ${Math.round(m.perSecond).toLocaleString('en')} entries/s`);
      expect(m.perOpUs).to.be.below(budgetUs * 4);
    });
  }

  it('fhirpath.js for every parameter, for comparison', () => {
    const slow = createIndexer(registry, { baseUrl: BASE, fastPath: false });
    const m = measure(() => slow(slot).length, 200);
    // eslint-disable-next-line no-console
    console.log(`      Slot via fhirpath.js only: ${m.perOpUs.toFixed(2)} µs/resource`);
  });

  it('parses a typical query', () => {
    const q = 'status=free&start=ge2025-01-01T00:00:00Z&start=lt2025-02-01&schedule.actor:HealthcareService.name=physio&_sort=start&_count=50&_include=Slot:schedule';
    const m = measure(() => parse('Slot', q).request.where.length, 200);
    // eslint-disable-next-line no-console
    console.log(`      parse: ${m.perOpUs.toFixed(2)} µs/query`);
    expect(m.perOpUs).to.be.below(2000);
  });
});
