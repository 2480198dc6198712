// The date prefixes end to end: a stored value is indexed, a query parsed, and the oracle evaluator
// says whether the resource matches. Each table was worked out by hand from the FHIR definitions
// (see src/search/query/date.ts), for date, dateTime, instant and Period values. Note what the
// definitions imply at the edges: a period ending on the 16th is not `ge2024-03-16` (nothing of it lies
// after the 16th, and the 16th does not contain it), and an open-ended period is `eq` no finite range.
import type { Resource } from '../../src/domain/fhir.js';
import { createIndexer } from '../../src/search/indexer.js';
import { expect } from './support/chai.js';
import { matches } from './support/evaluator.js';
import { BASE, parse, registry } from './support/fixtures.js';

const index = createIndexer(registry, { baseUrl: BASE });

function check(resource: Resource, param: string, table: [string, boolean][]): void {
  const r = { type: resource.resourceType, id: resource.id ?? 'x', index: index(resource) };
  for (const [value, expected] of table) {
    const cond = parse(resource.resourceType, `${param}=${encodeURIComponent(value)}`).request.where[0]!;
    expect(matches(cond, r), `${param}=${value}`).to.equal(expected);
  }
}

describe('search: date prefix semantics, end to end', () => {
  it('date (Patient.birthDate 2024-03-15 = the whole day)', () => {
    check({ resourceType: 'Patient', birthDate: '2024-03-15' } as Resource, 'birthdate', [
      ['2024-03-15', true], ['eq2024-03', true], ['eq2024', true], ['eq2024-03-15T10:00', false], ['eq2024-03-16', false],
      ['ne2024-03-15', false], ['ne2024-03-16', true], ['ne2024-03-15T10:00', true], ['ne2024', false],
      ['gt2024-03-14', true], ['gt2024-03-15', false], ['gt2024-03-15T10:00', true], ['gt2024-03', false],
      ['lt2024-03-16', true], ['lt2024-03-15', false], ['lt2024-03-15T10:00', true], ['lt2024', false],
      ['ge2024-03-15', true], ['ge2024-03-16', false], ['ge2024-03', true], ['ge2024-03-15T10:00', true], ['ge2024-03-14', true],
      ['le2024-03-15', true], ['le2024-03-14', false], ['le2024-03-15T10:00', true], ['le2024', true],
      ['sa2024-03-14', true], ['sa2024-03-15', false], ['sa2024-03-15T10:00', false],
      ['eb2024-03-16', true], ['eb2024-03-15', false], ['eb2024-03-15T10:00', false],
      ['ap2024-03-15', true], ['ap2024-03-20', true], ['ap2024-06-01', false], ['ap2023-12-01', false],
    ]);
  });

  it('dateTime with a zone (Consent.dateTime 2024-03-15T10:30:00+01:00 = one second, 09:30:00Z)', () => {
    check({ resourceType: 'Consent', dateTime: '2024-03-15T10:30:00+01:00' } as Resource, 'date', [
      ['2024-03-15', true], ['2024-03-15T09:30Z', true], ['2024-03-15T10:30+01:00', true], ['2024-03-15T10:30Z', false],
      ['2024-03-15T09:30:00Z', true], ['2024-03-15T09:30:00.500Z', false],
      ['ne2024-03-15T09:30Z', false], ['ne2024-03-15T09:31Z', true],
      ['gt2024-03-15T09:29Z', true], ['gt2024-03-15T09:30Z', false], ['gt2024-03-15T09:30:00.500Z', true],
      ['lt2024-03-15T09:31Z', true], ['lt2024-03-15T09:30Z', false], ['lt2024-03-15T09:30:00.500Z', true],
      ['ge2024-03-15T09:30Z', true], ['ge2024-03-15T09:31Z', false], ['le2024-03-15T09:30Z', true], ['le2024-03-15T09:29Z', false],
      ['sa2024-03-15T09:29Z', true], ['sa2024-03-15T09:30Z', false], ['eb2024-03-15T09:31Z', true], ['eb2024-03-15', false],
    ]);
  });

  it('instant (Slot.start 2024-03-15T09:30:00.123Z = one millisecond)', () => {
    check({ resourceType: 'Slot', start: '2024-03-15T09:30:00.123Z' } as Resource, 'start', [
      ['2024-03-15T09:30:00Z', true], ['2024-03-15T09:30:00.123Z', true], ['2024-03-15T09:30:00.124Z', false], ['2024-03-15T09:30:00.12Z', true],
      ['gt2024-03-15T09:30:00.122Z', true], ['gt2024-03-15T09:30:00.123Z', false], ['gt2024-03-15T09:30:00Z', false],
      ['lt2024-03-15T09:30:00.124Z', true], ['lt2024-03-15T09:30:00.123Z', false], ['lt2024-03-15T09:30:00Z', false],
      ['ge2024-03-15T09:30:00.123Z', true], ['ge2024-03-15T09:30:00Z', true], ['ge2024-03-15T09:30:00.124Z', false],
      ['le2024-03-15T09:30:00.123Z', true], ['le2024-03-15T09:30:00.122Z', false],
      ['sa2024-03-15T09:30:00.122Z', true], ['sa2024-03-15T09:30:00Z', false],
      ['eb2024-03-15T09:31Z', true], ['eb2024-03-15T09:30Z', false],
      ['ne2024-03-15T09:30:00.123Z', false], ['ne2024-03-15T09:30:00.124Z', true],
    ]);
  });

  it('Period (Schedule.planningHorizon 2024-03-14 .. 2024-03-16)', () => {
    check({ resourceType: 'Schedule', planningHorizon: { start: '2024-03-14', end: '2024-03-16' } } as Resource, 'date', [
      ['2024-03-15', false], ['eq2024-03', true], ['eq2024', true], ['eq2024-03-14', false],
      ['ne2024-03-15', true], ['ne2024-03', false],
      ['gt2024-03-15', true], ['gt2024-03-16', false], ['lt2024-03-15', true], ['lt2024-03-14', false],
      ['ge2024-03-15', true], ['ge2024-03-16', false], ['ge2024-03-17', false], ['ge2024-03', true],
      ['le2024-03-15', true], ['le2024-03-14', false], ['le2024-03-13', false], ['le2024-03', true],
      ['sa2024-03-13', true], ['sa2024-03-14', false], ['eb2024-03-17', true], ['eb2024-03-16', false],
      ['ap2024-03-15', true], ['ap2024-03-20', true], ['ap2020-01-01', false],
    ]);
  });

  it('Period open at the end (PractitionerRole.period from 2024-03-15T09:00Z)', () => {
    check({ resourceType: 'PractitionerRole', period: { start: '2024-03-15T09:00:00Z' } } as Resource, 'date', [
      ['gt2030', true], ['lt2024-03-15T09:00:00Z', false], ['lt2024-03-16', true], ['lt2024-03-15', false],
      ['eq2024', false], ['ne2024', true], ['sa2024-03-14', true], ['sa2024-03-15', false], ['eb2099', false],
      ['ge2024-03-15', true], ['le2024-03-15T08:00Z', false], ['le2024-03-15T09:00Z', false], ['le2024-03-16', true],
    ]);
  });

  it('Period open at the start (Consent.provision.period until 2024-03-16)', () => {
    check({ resourceType: 'Consent', provision: { period: { end: '2024-03-16' } } } as Resource, 'period', [
      ['lt1900', true], ['gt2024-03-16', false], ['gt2024-03-15', true], ['eb2024-03-17', true], ['eb2024-03-16', false],
      ['sa1900', false], ['eq2024-03', false], ['le2024-03-16', true], ['ge2024-03-17', false],
    ]);
  });

  it('a resource without the value matches no prefix, not even ne', () => {
    check({ resourceType: 'Slot' } as Resource, 'start', [
      ['2024', false], ['ne2024', false], ['gt2000', false], ['lt2100', false], ['ap2024', false],
    ]);
  });

  it('_lastUpdated on meta.lastUpdated', () => {
    check({ resourceType: 'Slot', meta: { lastUpdated: '2025-01-01T10:00:00.000Z' } } as Resource, '_lastUpdated', [
      ['2025-01-01', true], ['gt2025-01-01T09:59:59Z', true], ['gt2025-01-01T10:00:00Z', false], ['lt2025-01-01T10:00:00.001Z', true],
    ]);
  });
});
