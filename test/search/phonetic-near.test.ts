// The two parameters with their own matching: `phonetic` (Soundex keys of name words) and Location
// `near` (bounding box of a circle): keys, parser Cond shapes, indexer entries, and end to end through
// the evaluator (the oracle the store parity suite also uses).
import type { Resource } from '../../src/domain/fhir.js';
import type { IndexValue } from '../../src/domain/search-types.js';
import { createIndexer } from '../../src/search/indexer.js';
import { phoneticKeys, phoneticWords, soundexWord } from '../../src/search/phonetic.js';
import { DEFAULT_NEAR_KM, EARTH_RADIUS_KM, nearBox, parseNear } from '../../src/search/query/near.js';
import { fails } from './support/assert.js';
import { expect } from './support/chai.js';
import { filter, type EvalWorld } from './support/evaluator.js';
import { BASE, example, parse, STRICT, where } from './support/fixtures.js';
import { registry } from './support/fixtures.js';

const index = createIndexer(registry, { baseUrl: BASE });
const of = (entries: IndexValue[], p: string) => entries.filter((e) => e.p === p);

/** Great-circle distance in km on the same sphere as near.ts. */
function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

describe('search: phonetic keys (American Soundex)', () => {
  it('gives the standard keys', () => {
    const table: [string, string][] = [
      ['Robert', 'R163'], ['Rupert', 'R163'], ['Ashcraft', 'A261'], ['Ashcroft', 'A261'], ['Tymczak', 'T522'],
      ['Pfister', 'P236'], ['Honeyman', 'H555'], ['Rubin', 'R150'], ['Lee', 'L000'], ['Gutierrez', 'G362'],
      ['Jackson', 'J250'], ['Smith', 'S530'], ['Smyth', 'S530'], ['Smythe', 'S530'], ['Schmidt', 'S530'],
    ];
    for (const [name, key] of table) expect(phoneticKeys(name), name).to.deep.equal([key]);
    expect(soundexWord('a')).to.equal('A000');
  });
  it('ignores case and accents, spells out special letters, drops apostrophes', () => {
    expect(phoneticKeys('MÜLLER')).to.deep.equal(phoneticKeys('muller'));
    expect(phoneticKeys('Zoë')).to.deep.equal(phoneticKeys('Zoe'));
    expect(phoneticKeys('ｚｅｎ')).to.deep.equal(['Z500']); // full-width letters
    expect(phoneticWords('Straße')).to.deep.equal(['strasse']);
    expect(phoneticWords("O'Brien")).to.deep.equal(['obrien']);
    expect(phoneticWords('O\u2019Brien')).to.deep.equal(['obrien']);
  });
  it('splits on everything else; words without Latin letters have no key', () => {
    expect(phoneticKeys('Smith-Jones')).to.deep.equal(['S530', 'J520']);
    expect(phoneticKeys('van der Berg 3rd')).to.deep.equal(['V500', 'D600', 'B620', 'R300']);
    expect(phoneticKeys('Smith Smyth')).to.deep.equal(['S530']);
    expect(phoneticKeys('123 -- ')).to.deep.equal([]);
    expect(phoneticKeys('王')).to.deep.equal([]);
  });
});

describe('search/parse: phonetic', () => {
  it('one word: the key as a code', () => {
    expect(where('Patient', 'phonetic=Smyth')).to.deep.equal({ k: 'idx', p: 'phonetic', tests: [{ f: 'code', op: 'eq', v: 'S530' }] });
    expect(where('Practitioner', 'phonetic=CAREFULL')).to.deep.equal({ k: 'idx', p: 'phonetic', tests: [{ f: 'code', op: 'eq', v: 'C614' }] });
  });
  it('several words: AND; comma: OR (merged into `in`)', () => {
    expect(where('Patient', 'phonetic=Peter Chalmers')).to.deep.equal({
      k: 'and',
      of: [
        { k: 'idx', p: 'phonetic', tests: [{ f: 'code', op: 'eq', v: 'P360' }] },
        { k: 'idx', p: 'phonetic', tests: [{ f: 'code', op: 'eq', v: 'C456' }] },
      ],
    });
    expect(where('Patient', 'phonetic=smith,jones')).to.deep.equal({ k: 'idx', p: 'phonetic', tests: [{ f: 'code', op: 'in', v: ['S530', 'J520'] }] });
  });
  it(':missing works; other modifiers, sorting and values without letters are 400s', () => {
    expect(where('Patient', 'phonetic:missing=true')).to.deep.equal({ k: 'not', of: { k: 'idx', p: 'phonetic', tests: [] } });
    fails('Patient', 'phonetic:exact=Smith', /not supported on phonetic/, 'phonetic:exact');
    fails('Patient', 'phonetic=1234', /no letters/, 'phonetic');
    fails('Patient', '_sort=phonetic', /Cannot sort by phonetic/, '_sort');
  });
});

describe('search/parse: near', () => {
  it('parses latitude|longitude|distance|units, with defaults', () => {
    expect(parseNear('42.256500|-83.694710|11.20|km', 'near')).to.deep.equal({ lat: 42.2565, lon: -83.69471, km: 11.2 });
    expect(parseNear('1|2', 'near')).to.deep.equal({ lat: 1, lon: 2, km: DEFAULT_NEAR_KM });
    expect(parseNear('1|2|500', 'near')).to.deep.equal({ lat: 1, lon: 2, km: 500 });
    expect(parseNear('1|2|500|m', 'near')).to.deep.equal({ lat: 1, lon: 2, km: 0.5 });
    expect(parseNear('1|2|10|[mi_i]', 'near').km).to.be.closeTo(16.09344, 1e-9);
    expect(parseNear('1|2|10|mi', 'near').km).to.be.closeTo(16.09344, 1e-9);
  });
  it('compiles to an AND of a latitude range and a longitude range', () => {
    const c = where('Location', 'near=42.256500|-83.694710|11.20|km') as {
      k: string;
      of: { k: string; p: string; tests: { f: string; op: string; v: number | string }[] }[];
    };
    expect(c.k).to.equal('and');
    const [lat, lon] = c.of;
    expect(lat!.p).to.equal('near');
    expect(lat!.tests.map((t) => [t.f, t.op])).to.deep.equal([['code', 'eq'], ['n', 'ge'], ['n', 'le']]);
    expect(lat!.tests[0]!.v).to.equal('lat');
    expect(lon!.tests[0]!.v).to.equal('lon');
    const dLat = (11.2 / EARTH_RADIUS_KM) * (180 / Math.PI); // ≈ 0.1007°
    expect(lat!.tests[1]!.v as number).to.be.closeTo(42.2565 - dLat, 1e-6);
    expect(lat!.tests[2]!.v as number).to.be.closeTo(42.2565 + dLat, 1e-6);
    const dLon = (lon!.tests[2]!.v as number) - -83.69471;
    expect(dLon).to.be.closeTo(dLat / Math.cos((42.2565 * Math.PI) / 180), 1e-4);
  });
  it('the box contains the circle: points at the distance in every direction are inside', () => {
    for (const [lat, lon, km] of [[42.2565, -83.69471, 11.2], [60, 10, 300], [-33.9, 151.2, 1000], [0, 0, 5000]] as const) {
      const box = nearBox({ lat, lon, km });
      for (let b = 0; b < 360; b += 5) {
        // destination point at `km` on bearing b
        const r = Math.PI / 180;
        const d = km / EARTH_RADIUS_KM;
        const la = Math.asin(Math.sin(lat * r) * Math.cos(d) + Math.cos(lat * r) * Math.sin(d) * Math.cos(b * r));
        const lo = lon * r + Math.atan2(Math.sin(b * r) * Math.sin(d) * Math.cos(lat * r), Math.cos(d) - Math.sin(lat * r) * Math.sin(la));
        const pLat = la / r;
        let pLon = lo / r;
        pLon = ((pLon + 540) % 360) - 180;
        expect(haversineKm(lat, lon, pLat, pLon)).to.be.closeTo(km, 1e-6 * km);
        expect(pLat >= box.lat[0] && pLat <= box.lat[1], `${lat},${lon},${km} bearing ${b}`).to.equal(true);
        expect(box.lon === undefined || box.lon.some(([a, z]) => pLon >= a && pLon <= z), `${lat},${lon},${km} bearing ${b} lon`).to.equal(true);
      }
    }
  });
  it('near a pole: every longitude; across the antimeridian: two longitude ranges', () => {
    const polar = nearBox({ lat: 89.5, lon: 0, km: 100 });
    expect(polar.lon).to.equal(undefined);
    expect(polar.lat[1]).to.equal(90);
    const polarCond = where('Location', 'near=89.5|0|100|km') as { of: { tests: unknown[] }[] };
    expect(polarCond.of[1]).to.deep.equal({ k: 'idx', p: 'near', tests: [{ f: 'code', op: 'eq', v: 'lon' }] });
    const fiji = nearBox({ lat: -17.7, lon: 179.9, km: 50 });
    expect(fiji.lon).to.have.length(2);
    expect(fiji.lon![0]![1]).to.equal(180);
    expect(fiji.lon![1]![0]).to.equal(-180);
    const c = where('Location', 'near=-17.7|179.9|50') as { k: string; of: { k: string; of?: unknown[] }[] };
    expect(c.of[1]!.k).to.equal('or');
    expect(c.of[1]!.of).to.have.length(2);
  });
  it('malformed values and unknown units are 400s naming the parameter', () => {
    fails('Location', 'near=42.2', /latitude\|longitude/, 'near');
    fails('Location', 'near=1|2|3|km|x', /latitude\|longitude/, 'near');
    fails('Location', 'near=north|2', /latitude 'north'/, 'near');
    fails('Location', 'near=1|2|far', /distance 'far'/, 'near');
    fails('Location', 'near=91|2', /outside -90..90/, 'near');
    fails('Location', 'near=1|181', /outside -180..180/, 'near');
    fails('Location', 'near=1|2|-5|km', /negative/, 'near');
    fails('Location', 'near=1|2|5|furlong', /unsupported distance unit 'furlong'/, 'near', STRICT);
    fails('Location', 'near:exact=1|2', /not supported/, 'near:exact');
    fails('Location', '_sort=near', /Cannot sort by special/, '_sort');
  });
});

describe('search: phonetic and near end to end', () => {
  const far: Resource = { resourceType: 'Location', id: 'far', position: { latitude: 51.5074, longitude: -0.1278 } } as Resource;
  // 15 km east of Location-1: outside 11.2 km, inside 20 km.
  const east: Resource = { resourceType: 'Location', id: 'east', position: { latitude: 42.25475478, longitude: -83.6945691 + 15 / (111.195 * Math.cos((42.2548 * Math.PI) / 180)) } } as Resource;
  const antimeridian: Resource = { resourceType: 'Location', id: 'fiji', position: { latitude: -17.7, longitude: -179.95 } } as Resource;
  const resources: Resource[] = [
    example('Location-1'), example('Location-hl7'), example('Location-2'), far, east, antimeridian,
    example('Patient-example'), example('Practitioner-example'), example('Organization-1'),
    { resourceType: 'Patient', id: 'smith', name: [{ family: 'Smith', given: ['Zoë'] }] } as Resource,
    { resourceType: 'Patient', id: 'muller', name: [{ family: 'Müller', given: ['Anaïs'] }] } as Resource,
    { resourceType: 'Patient', id: 'jones', name: [{ family: 'Jones', given: ['Robert'] }] } as Resource,
  ];
  const world: EvalWorld = { resources: resources.map((r) => ({ type: r.resourceType, id: r.id!, index: index(r) })) };
  const ids = (type: string, q: string) => filter(parse(type, q, STRICT).request, world).map((r) => r.id).sort();

  it('indexes phonetic keys of the name words (not prefixes), and of an organization name', () => {
    expect(of(index(example('Practitioner-example')), 'phonetic')).to.deep.equal([
      { p: 'phonetic', code: 'C614' }, { p: 'phonetic', code: 'A350' },
    ]);
    expect(of(index(example('Organization-1')), 'phonetic')).to.deep.equal([{ p: 'phonetic', code: 'G236' }]);
    expect(of(index(example('Location-2')), 'near')).to.deep.equal([]);
  });
  it('phonetic', () => {
    expect(ids('Patient', 'phonetic=smyth')).to.deep.equal(['smith']);
    expect(ids('Patient', 'phonetic=SMYTHE ZOE')).to.deep.equal(['smith']);
    expect(ids('Patient', 'phonetic=zoe jonez')).to.deep.equal([]);
    expect(ids('Patient', 'phonetic=mueller')).to.deep.equal(['muller']); // both M460
    expect(ids('Patient', 'phonetic=Rupert')).to.deep.equal(['jones']);
    expect(ids('Patient', 'phonetic=chalmerz')).to.deep.equal(['example']);
    expect(ids('Practitioner', 'phonetic=carefull')).to.deep.equal(['example']);
    expect(ids('Practitioner', 'phonetic=dr')).to.deep.equal([]);
  });
  it('near', () => {
    expect(ids('Location', 'near=42.256500|-83.694710|11.20|km')).to.deep.equal(['1']);
    expect(ids('Location', 'near=42.256500|-83.694710|20|km')).to.deep.equal(['1', 'east']);
    expect(ids('Location', 'near=42.256500|-83.694710|7|[mi_i]')).to.deep.equal(['1']);
    expect(ids('Location', 'near=42.256500|-83.694710|300|m')).to.deep.equal(['1']);
    expect(ids('Location', 'near=42.256500|-83.694710|100|m')).to.deep.equal([]);
    expect(ids('Location', 'near=42.256500|-83.694710')).to.deep.equal(['1', 'east']); // 50 km default
    expect(ids('Location', 'near=51.5|-0.12|5|km,42.2565|-83.69471|1|km')).to.deep.equal(['1', 'far']);
    expect(ids('Location', 'near=-17.7|179.95|20|km')).to.deep.equal(['fiji']);
    expect(ids('Location', 'near:missing=true')).to.deep.equal(['2']);
  });
});
