// The small value helpers shared by the indexer and the parser.
import { MAX_INSTANT, MIN_INSTANT, parseDateRange } from '../../src/search/dates.js';
import { splitEscaped, splitFirst, unescapeValue } from '../../src/search/escape.js';
import { narrowExpression, rewriteResolve, splitUnion, stripOuterParens } from '../../src/search/expression.js';
import { normalizeString } from '../../src/search/normalize.js';
import { parseDecimalRange, storedNumberRange } from '../../src/search/numbers.js';
import { parseReference, referenceIs } from '../../src/search/references.js';
import { expect } from './support/chai.js';

describe('search/dates: parseDateRange', () => {
  const cases: [string, string, string][] = [
    ['2024', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2023-02', '2023-02-01T00:00:00.000Z', '2023-02-28T23:59:59.999Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    ['2024-03-15', '2024-03-15T00:00:00.000Z', '2024-03-15T23:59:59.999Z'],
    ['2024-03-15T10:30', '2024-03-15T10:30:00.000Z', '2024-03-15T10:30:59.999Z'],
    ['2024-03-15T10:30Z', '2024-03-15T10:30:00.000Z', '2024-03-15T10:30:59.999Z'],
    ['2024-03-15T10:30:05Z', '2024-03-15T10:30:05.000Z', '2024-03-15T10:30:05.999Z'],
    ['2024-03-15T10:30:05.1Z', '2024-03-15T10:30:05.100Z', '2024-03-15T10:30:05.199Z'],
    ['2024-03-15T10:30:05.12Z', '2024-03-15T10:30:05.120Z', '2024-03-15T10:30:05.129Z'],
    ['2024-03-15T10:30:05.123Z', '2024-03-15T10:30:05.123Z', '2024-03-15T10:30:05.123Z'],
    ['2024-03-15T10:30:05.123456Z', '2024-03-15T10:30:05.123Z', '2024-03-15T10:30:05.123Z'],
    ['2024-03-15T10:30:05+02:00', '2024-03-15T08:30:05.000Z', '2024-03-15T08:30:05.999Z'],
    ['2024-03-15T00:30:00-05:30', '2024-03-15T06:00:00.000Z', '2024-03-15T06:00:00.999Z'],
    ['2024-01-01T00:00:00+01:00', '2023-12-31T23:00:00.000Z', '2023-12-31T23:00:00.999Z'],
    ['2024-03-15T10:30:05', '2024-03-15T10:30:05.000Z', '2024-03-15T10:30:05.999Z'], // no zone: UTC
    ['0001', MIN_INSTANT, '0001-12-31T23:59:59.999Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z', '0050-06-01T23:59:59.999Z'],
    ['9999', '9999-01-01T00:00:00.000Z', MAX_INSTANT],
    ['9999-12-31T23:59:59-01:00', MAX_INSTANT, MAX_INSTANT], // clamped
  ];
  for (const [text, lo, hi] of cases) {
    it(`${text} → [${lo}, ${hi}]`, () => expect(parseDateRange(text)).to.deep.equal({ lo, hi }));
  }
  for (const badValue of ['', '24', '2024-1', '2024-13', '2024-02-30', '2023-02-29', '2024-01-01T25:00', '2024-01-01T10:60',
    '2024-01-01T10:00:61', '2024-01-01T10', '2024-01-01 10:00', '2024-01-01T10:00:00+15:00', 'today', '2024-01-01Z']) {
    it(`rejects '${badValue}'`, () => expect(parseDateRange(badValue)).to.equal(undefined));
  }
});

describe('search/numbers', () => {
  it('derives the implied range from the written precision', () => {
    expect(parseDecimalRange('100')).to.deep.equal({ n: 100, lo: 99.5, hi: 100.5 });
    expect(parseDecimalRange('100.00')).to.deep.equal({ n: 100, lo: 99.995, hi: 100.005 });
    expect(parseDecimalRange('1e2')).to.deep.equal({ n: 100, lo: 50, hi: 150 });
    expect(parseDecimalRange('1.5e2')).to.deep.equal({ n: 150, lo: 145, hi: 155 });
    expect(parseDecimalRange('-0.25')).to.deep.equal({ n: -0.25, lo: -0.255, hi: -0.245 });
    expect(parseDecimalRange('.5')).to.deep.equal({ n: 0.5, lo: 0.45, hi: 0.55 });
    expect(parseDecimalRange('+7')).to.deep.equal({ n: 7, lo: 6.5, hi: 7.5 });
  });
  it('rejects malformed numbers', () => {
    for (const v of ['', 'abc', '1.2.3', '1e', '--1', '.', '1,5', 'NaN', 'Infinity']) expect(parseDecimalRange(v), v).to.equal(undefined);
  });
  it('keeps stored integers exact and reads decimals at their shortest precision', () => {
    expect(storedNumberRange(3, true)).to.deep.equal({ n: 3, lo: 3, hi: 3 });
    expect(storedNumberRange(1.5, false)).to.deep.equal({ n: 1.5, lo: 1.45, hi: 1.55 });
    expect(storedNumberRange(NaN, false)).to.equal(undefined);
  });
});

describe('search/normalize', () => {
  it('folds case and accents and collapses white space', () => {
    expect(normalizeString('Peter')).to.equal('peter');
    expect(normalizeString('  Zoë   Åsa\tMüller ')).to.equal('zoe asa muller');
    expect(normalizeString('Ÿvès-Ñoël')).to.equal('yves-noel');
    expect(normalizeString('İstanbul')).to.equal('istanbul');
    expect(normalizeString('François')).to.equal(normalizeString('FRANÇOIS'));
    expect(normalizeString('e\u0301')).to.equal('e'); // already decomposed input
  });
});

describe('search/references', () => {
  const base = 'https://envelope.example.org/fhir';
  it('reads relative, local absolute, foreign absolute and other references', () => {
    expect(parseReference('Patient/1', base)).to.deep.equal({ s: 'Patient/1', rt: 'Patient', local: true });
    expect(parseReference('Patient/1/_history/3', base)).to.deep.equal({ s: 'Patient/1', rt: 'Patient', local: true });
    expect(parseReference(`${base}/Patient/1`, base)).to.deep.equal({ s: 'Patient/1', rt: 'Patient', local: true });
    expect(parseReference(`${base}/Patient/1/_history/2`, base)).to.deep.equal({ s: 'Patient/1', rt: 'Patient', local: true });
    expect(parseReference('http://other.org/fhir/Patient/1/_history/2', base)).to.deep.equal({ s: 'http://other.org/fhir/Patient/1', rt: 'Patient', local: false });
    expect(parseReference('urn:uuid:1f7d0c52-7a4e-4f50-9c5a-4a2f3f0e2a11', base)).to.deep.equal({ s: 'urn:uuid:1f7d0c52-7a4e-4f50-9c5a-4a2f3f0e2a11', local: false });
    expect(parseReference('#contained', base)).to.equal(undefined);
    expect(parseReference(`${base}/Patient/1`, undefined)).to.deep.equal({ s: `${base}/Patient/1`, rt: 'Patient', local: false });
  });
  it('judges a reference target type the way the rewritten resolve() does', () => {
    expect(referenceIs({ reference: 'Patient/1' }, 'Patient')).to.equal(true);
    expect(referenceIs({ reference: 'http://x.org/fhir/Patient/1/_history/1' }, 'Patient')).to.equal(true);
    expect(referenceIs({ reference: 'Practitioner/1' }, 'Patient')).to.equal(false);
    expect(referenceIs({ reference: 'PatientX/1' }, 'Patient')).to.equal(false);
    expect(referenceIs({ type: 'Patient', identifier: { value: '1' } }, 'Patient')).to.equal(true);
    expect(referenceIs('Patient/1', 'Patient')).to.equal(false);
  });
});

describe('search/escape', () => {
  it('splits on unescaped separators and unescapes afterwards', () => {
    expect(splitEscaped('a,b\\,c,d', ',')).to.deep.equal(['a', 'b\\,c', 'd']);
    expect(splitEscaped('a\\\\,b', ',')).to.deep.equal(['a\\\\', 'b']);
    expect(splitFirst('s\\|x|c|d', '|')).to.deep.equal(['s\\|x', 'c|d']);
    expect(splitFirst('abc', '|')).to.deep.equal(['abc']);
    expect(unescapeValue('b\\,c\\$d\\|e\\\\f')).to.equal('b,c$d|e\\f');
  });
});

describe('search/expression', () => {
  it('splits unions outside parentheses and quotes', () => {
    expect(splitUnion("A.b | (C.d.where(x = 'p|q')) | E.f")).to.deep.equal(['A.b', "(C.d.where(x = 'p|q'))", 'E.f']);
    expect(stripOuterParens('((Patient.deceased.ofType(dateTime)))')).to.equal('Patient.deceased.ofType(dateTime)');
    expect(stripOuterParens('(A.b) | (C.d)')).to.equal('(A.b) | (C.d)');
  });
  it('narrows to one base type', () => {
    const e = 'AllergyIntolerance.code | (DeviceRequest.code.ofType(CodeableConcept)) | ServiceRequest.code';
    expect(narrowExpression(e, 'ServiceRequest')).to.equal('ServiceRequest.code');
    expect(narrowExpression(e, 'DeviceRequest')).to.equal('DeviceRequest.code.ofType(CodeableConcept)');
    expect(narrowExpression(e, 'Slot')).to.equal(undefined);
    expect(narrowExpression('Resource.meta.tag', 'Resource')).to.equal('Resource.meta.tag');
  });
  it('rewrites resolve() is Type into a synchronous test', () => {
    expect(rewriteResolve('Appointment.participant.actor.where(resolve() is Patient)')).to.equal(
      "Appointment.participant.actor.where((type = 'Patient' or reference.matches('^(.*/)?Patient/[A-Za-z0-9.-]{1,64}(/_history/[A-Za-z0-9.-]{1,64})?$')))",
    );
  });
});
