// The direct JSON walker must give exactly what fhirpath.js gives: checked on every official example
// of the served types (and of Observation, for quantities), and on hand-made edge cases.
import { readdirSync } from 'node:fs';
import type { Resource } from '../../src/domain/fhir.js';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import type { IndexValue } from '../../src/domain/search-types.js';
import { createIndexer } from '../../src/search/indexer.js';
import { compileTrivialPath } from '../../src/search/paths.js';
import { expect } from './support/chai.js';
import { BASE, EXAMPLES_DIR, example, registry, wideRegistry } from './support/fixtures.js';

const sorted = (e: IndexValue[]) => e.map((x) => JSON.stringify(x)).sort();

describe('search/paths: fast path agrees with fhirpath.js', () => {
  const fast = createIndexer(wideRegistry, { baseUrl: BASE });
  const slow = createIndexer(wideRegistry, { baseUrl: BASE, fastPath: false });
  const types = new Set<string>([...RESOURCE_TYPES, 'Observation']);
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && types.has(f.slice(0, f.indexOf('-'))));

  it(`covers the official examples (${files.length} files)`, () => {
    expect(files.length).to.be.greaterThan(100);
    let entries = 0;
    for (const f of files) {
      const r = example(f.replace(/\.json$/, ''));
      const a = fast(r);
      entries += a.length;
      expect(sorted(a), f).to.deep.equal(sorted(slow(r)));
    }
    expect(entries).to.be.greaterThan(1000);
  });

  it('agrees on edge cases: extension-only primitives, choices, type-only references, empty arrays', () => {
    const cases = [
      { resourceType: 'Patient', name: [{ given: [null, 'B'], _given: [{ id: 'x' }, null] }], deceasedBoolean: false, telecom: [{ system: 'email' }, { value: 'x' }] },
      { resourceType: 'Patient', _birthDate: { extension: [{ url: 'u', valueString: 'v' }] }, deceasedDateTime: '2001' },
      { resourceType: 'ServiceRequest', _occurrenceDateTime: { id: 'q' }, occurrencePeriod: { start: '2020' } },
      { resourceType: 'ServiceRequest', occurrenceTiming: { event: ['2020-01-01'] }, subject: { type: 'Patient' } },
      { resourceType: 'Appointment', participant: [{ actor: { reference: 'PatientX/1' } }, { actor: { type: 'Location', reference: 'Patient/1' } }, {}] },
      { resourceType: 'AuditEvent', agent: [{ who: { reference: 'Patient/1' } }], entity: [{ what: { reference: 'http://o.org/Patient/2/_history/1' } }] },
      { resourceType: 'Location', name: 'A', alias: ['A', 'a', 'B'], address: { line: [] } },
      { resourceType: 'Slot', meta: { tag: [], profile: ['p1', 'p1'] }, identifier: [] },
      { resourceType: 'Consent', provision: { provision: [{ actor: [{ reference: { reference: 'Practitioner/1' } }] }], actor: [{ reference: { reference: 'Patient/1' } }] } },
    ] as unknown as Resource[];
    for (const r of cases) expect(sorted(fast(r)), JSON.stringify(r)).to.deep.equal(sorted(slow(r)));
  });

  it('compiles every served parameter except the non-path ones', () => {
    const notTrivial: string[] = [];
    for (const t of registry.types) {
      for (const d of registry.paramsFor(t)) if (d.base === t && !compileTrivialPath(d.expression)) notTrivial.push(`${t}.${d.code}`);
    }
    expect(notTrivial).to.deep.equal(['Patient.deceased']);
  });

  it('declines what it cannot do', () => {
    expect(compileTrivialPath('Patient.name.first()')).to.equal(undefined);
    expect(compileTrivialPath("Patient.telecom.where(system='email' and use='home')")).to.equal(undefined);
    expect(compileTrivialPath('Patient.nope')).to.equal(undefined);
    expect(compileTrivialPath('Patient.deceased.exists()')).to.equal(undefined);
    expect(compileTrivialPath('Patient.deceased.given')).to.equal(undefined); // below a choice without ofType
  });
});
