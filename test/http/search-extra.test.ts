// FHIR search over HTTP for the parameters with their own matching: `phonetic` (Soundex) on Patient
// and Practitioner, and `near` on Location (the HL7 example query), plus their CapabilityStatement
// entries and their 400s.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { startEnvelopeWithRoles, type TestEnvelope } from '../helpers/envelope.js';

type SearchBundle = { entry?: { resource: { resourceType: string; id: string }; search?: { mode: string } }[] };

describe('http: search (phonetic, near)', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let loader: string;
  let reader: string;

  async function put(resource: Record<string, unknown>): Promise<void> {
    const res = await request(env.app).put(`/fhir/${resource.resourceType}/${resource.id}`).set('Authorization', loader).send(resource);
    assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
  }
  async function ids(url: string): Promise<string[]> {
    const res = await request(env.app).get(url).set('Authorization', reader).set('Prefer', 'handling=strict');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const b = res.body as SearchBundle;
    return (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  }

  before(async () => {
    env = await startEnvelopeWithRoles({
      loader: { resources: ['*'], permissions: 'cruds', mayChooseIds: true },
      reader: { resources: ['*'], permissions: 'rs' },
    });
    loader = await env.auth('loader');
    reader = await env.auth('reader');
    const location1 = JSON.parse(readFileSync('node_modules/hl7.fhir.r4.examples/Location-1.json', 'utf8')) as Record<string, unknown>;
    await put(location1); // position 42.25475478, -83.6945691 (Ann Arbor)
    await put({ resourceType: 'Location', id: 'london', name: 'London', position: { latitude: 51.5074, longitude: -0.1278 } });
    await put({ resourceType: 'Location', id: 'ypsilanti', name: 'Ypsilanti', position: { latitude: 42.2411, longitude: -83.6130 } }); // ~6.9 km
    await put({ resourceType: 'Location', id: 'detroit', name: 'Detroit', position: { latitude: 42.3314, longitude: -83.0458 } }); // ~54 km
    await put({ resourceType: 'Location', id: 'nowhere', name: 'No position' });
    await put({ resourceType: 'Patient', id: 'smith', name: [{ family: 'Smith', given: ['Zoë'] }] });
    await put({ resourceType: 'Patient', id: 'jones', name: [{ family: 'Jones', given: ['Robert'] }] });
    await put({ resourceType: 'Patient', id: 'muller', name: [{ family: 'Müller', given: ['Anaïs'] }] });
    await put({ resourceType: 'Practitioner', id: 'careful', name: [{ family: 'Careful', given: ['Adam'], prefix: ['Dr'] }] });
  });
  after(() => env.stop());

  it('Patient?phonetic=smyth finds Smith; words AND, case and accents ignored', async () => {
    assert.deepEqual(await ids('/fhir/Patient?phonetic=smyth'), ['Patient/smith']);
    assert.deepEqual(await ids('/fhir/Patient?phonetic=SMYTHE%20Zoe'), ['Patient/smith']);
    assert.deepEqual(await ids('/fhir/Patient?phonetic=smyth%20rupert'), []);
    assert.deepEqual(await ids('/fhir/Patient?phonetic=rupert,mueller'), ['Patient/jones', 'Patient/muller']);
    assert.deepEqual(await ids('/fhir/Practitioner?phonetic=carefull'), ['Practitioner/careful']);
    // Soundex keeps the first letter: a different initial is a different key.
    assert.deepEqual(await ids('/fhir/Practitioner?phonetic=karefull'), []);
  });

  it('Location?near=42.256500|-83.694710|11.20|km finds Location-1 and not a far one', async () => {
    assert.deepEqual(await ids('/fhir/Location?near=42.256500|-83.694710|11.20|km'), ['Location/1', 'Location/ypsilanti']);
    assert.deepEqual(await ids('/fhir/Location?near=42.256500|-83.694710|1|km'), ['Location/1']);
    assert.deepEqual(await ids('/fhir/Location?near=42.256500|-83.694710|100|km'), ['Location/1', 'Location/detroit', 'Location/ypsilanti']);
    assert.deepEqual(await ids('/fhir/Location?near=51.5|-0.13|2|[mi_i]'), ['Location/london']);
    assert.deepEqual(await ids('/fhir/Location?near=42.256500|-83.694710&name=south'), ['Location/1']);
  });

  it('malformed values and unknown units are 400s naming the parameter', async () => {
    for (const q of ['near=42.25', 'near=abc|1|1|km', 'near=42.25|-83.69|5|parsec', 'phonetic=%2E%2E%2E']) {
      const res = await request(env.app).get(`/fhir/${q.startsWith('near') ? 'Location' : 'Patient'}?${q}`).set('Authorization', reader).expect(400);
      assert.deepEqual(res.body.issue[0].expression, [q.split('=')[0]], q);
    }
  });

  it('the CapabilityStatement lists both, documenting the matching', async () => {
    const res = await request(env.app).get('/fhir/metadata').expect(200);
    const resources = res.body.rest[0].resource as { type: string; searchParam: { name: string; type: string; documentation?: string }[] }[];
    const near = resources.find((r) => r.type === 'Location')!.searchParam.find((p) => p.name === 'near');
    assert.equal(near?.type, 'special');
    assert.match(near.documentation ?? '', /over-approximates/);
    for (const t of ['Patient', 'Practitioner', 'Organization']) {
      const ph = resources.find((r) => r.type === t)!.searchParam.find((p) => p.name === 'phonetic');
      assert.match(ph?.documentation ?? '', /Soundex/, t);
    }
  });
});
