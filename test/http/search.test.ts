// FHIR search over HTTP: the booking searches, result shaping, paging, and parameter handling.
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelopeWithRoles, type TestEnvelope } from '../helpers/envelope.js';

type Entry = { fullUrl: string; resource: { resourceType: string; id: string; [k: string]: unknown }; search?: { mode: string } };
type SearchBundle = { type: string; total?: number; entry?: Entry[]; link: { relation: string; url: string }[] };

const SERVICE_TYPE = { coding: [{ system: 'http://snomed.info/sct', code: '394802001', display: 'General medicine' }] };

describe('http: search', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let loader: string;
  let gp: string;

  async function put(resource: Record<string, unknown>): Promise<void> {
    const res = await request(env.app).put(`/fhir/${resource.resourceType}/${resource.id}`).set('Authorization', loader).send(resource);
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  }
  async function get(url: string, auth = gp): Promise<SearchBundle> {
    const res = await request(env.app).get(url).set('Authorization', auth);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as SearchBundle;
  }
  const ids = (b: SearchBundle, mode = 'match') => (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource.resourceType}/${e.resource.id}`);

  before(async () => {
    env = await startEnvelopeWithRoles({
      loader: { resources: ['*'], permissions: 'cruds', mayChooseIds: true },
      'gp-clinician': { resources: ['*'], permissions: 'rs' },
      'slot-only': { resources: ['Slot'], permissions: 'rs' },
    }, { SEARCH_DEFAULT_COUNT: '10', SEARCH_MAX_COUNT: '50' });
    loader = await env.auth('loader');
    gp = await env.auth('gp-clinician');
    await put({ resourceType: 'Organization', id: 'trust', name: 'Leeds Teaching Hospitals', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RR8' }] });
    await put({ resourceType: 'Location', id: 'loc', name: 'St James', managingOrganization: { reference: 'Organization/trust' } });
    await put({ resourceType: 'HealthcareService', id: 'cardio', name: 'Cardiology', providedBy: { reference: 'Organization/trust' }, type: [SERVICE_TYPE] });
    await put({ resourceType: 'HealthcareService', id: 'derm', name: 'Dermatology', providedBy: { reference: 'Organization/trust' } });
    await put({ resourceType: 'Schedule', id: 'sch-cardio', actor: [{ reference: 'HealthcareService/cardio' }, { reference: 'Location/loc' }], serviceType: [SERVICE_TYPE] });
    await put({ resourceType: 'Schedule', id: 'sch-derm', actor: [{ reference: 'HealthcareService/derm' }] });
    for (let d = 1; d <= 20; d++) {
      const day = String(d).padStart(2, '0');
      // Every fifth cardiology slot is busy; c-05 becomes busy by the booking of appt1 below.
      await put({ resourceType: 'Slot', id: `c-${day}`, schedule: { reference: 'Schedule/sch-cardio' }, serviceType: [SERVICE_TYPE], status: d % 5 === 0 && d !== 5 ? 'busy' : 'free', start: `2030-03-${day}T09:00:00Z`, end: `2030-03-${day}T09:30:00Z` });
      await put({ resourceType: 'Slot', id: `d-${day}`, schedule: { reference: 'Schedule/sch-derm' }, status: 'free', start: `2030-03-${day}T10:00:00Z`, end: `2030-03-${day}T10:30:00Z` });
    }
    await put({ resourceType: 'Patient', id: 'pat1', name: [{ family: 'Smith', given: ['Zoë'] }], birthDate: '1970-05-01', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000009' }] });
    await put({ resourceType: 'Patient', id: 'pat2', name: [{ family: 'Smythe' }], birthDate: '1980-01-01' });
    await put({ resourceType: 'Practitioner', id: 'gp1', name: [{ family: 'Jones' }] });
    await put({ resourceType: 'ServiceRequest', id: 'ref1', status: 'active', intent: 'order', subject: { reference: 'Patient/pat1' }, requester: { reference: 'Practitioner/gp1' } });
    await put({ resourceType: 'ServiceRequest', id: 'ref2', status: 'completed', intent: 'order', subject: { reference: 'Patient/pat2' }, requester: { reference: 'Practitioner/gp1' } });
    await put({ resourceType: 'Appointment', id: 'appt1', status: 'booked', slot: [{ reference: 'Slot/c-05' }], basedOn: [{ reference: 'ServiceRequest/ref1' }], start: '2030-03-05T09:00:00Z', end: '2030-03-05T09:30:00Z', participant: [{ actor: { reference: 'Patient/pat1' }, status: 'accepted' }] });
    // A proposal without a slot yet (a booked appointment must reference its slots).
    await put({ resourceType: 'Appointment', id: 'appt2', status: 'proposed', start: '2030-01-05T09:00:00Z', end: '2030-01-05T09:30:00Z', participant: [{ actor: { reference: 'Patient/pat1' }, status: 'accepted' }] });
  });
  after(() => env.stop());

  it('free-slot search for one service over a window, with schedule and actors included', async () => {
    const b = await get('/fhir/Slot?status=free&start=ge2030-03-01&start=le2030-03-10&schedule.actor=HealthcareService/cardio'
      + `&service-type=http://snomed.info/sct|394802001&_include=Slot:schedule&_include:iterate=Schedule:actor&_count=50`);
    expect(b.type).to.equal('searchset');
    expect(ids(b).sort()).to.deep.equal(['c-01', 'c-02', 'c-03', 'c-04', 'c-06', 'c-07', 'c-08', 'c-09'].map((i) => `Slot/${i}`));
    expect(ids(b, 'include').sort()).to.deep.equal(['HealthcareService/cardio', 'Location/loc', 'Schedule/sch-cardio']);
  });

  it("a patient's appointments from a date", async () => {
    const b = await get('/fhir/Appointment?patient=Patient/pat1&date=ge2030-03-01');
    expect(ids(b)).to.deep.equal(['Appointment/appt1']);
    const all = await get('/fhir/Appointment?patient=pat1');
    expect(ids(all).sort()).to.deep.equal(['Appointment/appt1', 'Appointment/appt2']);
  });

  it("a requester's active referrals with the appointments based on them", async () => {
    const b = await get('/fhir/ServiceRequest?requester=Practitioner/gp1&status=active&_revinclude=Appointment:based-on');
    expect(ids(b)).to.deep.equal(['ServiceRequest/ref1']);
    expect(ids(b, 'include')).to.deep.equal(['Appointment/appt1']);
  });

  it('chains two levels and reverse-chains with _has', async () => {
    const b = await get('/fhir/Slot?schedule.actor:HealthcareService.name=cardio&_count=50');
    expect(ids(b)).to.have.length(20);
    const org = await get('/fhir/Slot?schedule.actor:HealthcareService.providedBy.identifier=https://fhir.nhs.uk/Id/ods-organization-code|RR8&_count=50&_total=accurate');
    expect(org.total).to.equal(40);
    const has = await get('/fhir/Patient?_has:Appointment:patient:status=booked');
    expect(ids(has)).to.deep.equal(['Patient/pat1']);
  });

  it('string search is starts-with and accent-insensitive; :exact and :contains', async () => {
    expect(ids(await get('/fhir/Patient?name=zoe')).sort()).to.deep.equal(['Patient/pat1']);
    expect(ids(await get('/fhir/Patient?family=Sm')).sort()).to.deep.equal(['Patient/pat1', 'Patient/pat2']);
    expect(ids(await get('/fhir/Patient?family:exact=Smith'))).to.deep.equal(['Patient/pat1']);
    expect(ids(await get('/fhir/Patient?family:exact=smith'))).to.deep.equal([]);
    expect(ids(await get('/fhir/Patient?family:contains=myt'))).to.deep.equal(['Patient/pat2']);
  });

  it('token, :not, :missing, and comma as OR', async () => {
    expect(ids(await get('/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009'))).to.deep.equal(['Patient/pat1']);
    expect(ids(await get('/fhir/ServiceRequest?status:not=active'))).to.deep.equal(['ServiceRequest/ref2']);
    expect(ids(await get('/fhir/Appointment?slot:missing=true'))).to.deep.equal(['Appointment/appt2']);
    expect(ids(await get('/fhir/ServiceRequest?status=active,completed')).sort()).to.deep.equal(['ServiceRequest/ref1', 'ServiceRequest/ref2']);
  });

  it('_sort on several keys, ascending and descending', async () => {
    const b = await get('/fhir/Slot?_sort=-start&_count=3');
    expect(ids(b)).to.deep.equal(['Slot/d-20', 'Slot/c-20', 'Slot/d-19']);
    const c = await get('/fhir/Slot?_sort=status,-start&_count=2');
    expect(ids(c)).to.deep.equal(['Slot/c-20', 'Slot/c-15']);
  });

  it('pages with next links that visit every match once, stable while another client writes', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/fhir/Slot?schedule=Schedule/sch-derm&_sort=start&_count=7';
    let pages = 0;
    while (url) {
      const b: SearchBundle = await get(url);
      seen.push(...ids(b));
      if (pages === 0) {
        // A slot earlier than the cursor arrives mid-walk: it must neither shift nor repeat later pages.
        await put({ resourceType: 'Slot', id: 'd-00', schedule: { reference: 'Schedule/sch-derm' }, status: 'free', start: '2030-02-28T10:00:00Z', end: '2030-02-28T10:30:00Z' });
      }
      const next = b.link.find((l) => l.relation === 'next');
      url = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
      pages++;
    }
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => `Slot/d-${String(i + 1).padStart(2, '0')}`));
  });

  it('previous links walk back through the same pages', async () => {
    const rel = (b: SearchBundle, r: string) => {
      const l = b.link.find((x) => x.relation === r);
      return l ? new URL(l.url).pathname + new URL(l.url).search : undefined;
    };
    const forward: string[][] = [];
    let b = await get('/fhir/Slot?schedule=Schedule/sch-cardio&_sort=start&_count=6');
    expect(rel(b, 'previous')).to.equal(undefined);
    forward.push(ids(b));
    while (rel(b, 'next')) {
      b = await get(rel(b, 'next')!);
      forward.push(ids(b));
    }
    expect(forward).to.have.length(4);
    const backward: string[][] = [ids(b)];
    while (rel(b, 'previous')) {
      b = await get(rel(b, 'previous')!);
      backward.unshift(ids(b));
    }
    expect(backward).to.deep.equal(forward);
    await request(env.app).get('/fhir/Slot?_cursor=not-a-token').set('Authorization', gp).expect(400);
  });

  it('_count uses the configured default and is capped at the maximum', async () => {
    expect(ids(await get('/fhir/Slot'))).to.have.length(10);
    const capped = await get('/fhir/Slot?_count=500');
    expect(ids(capped)).to.have.length(41);
    expect(capped.entry!.some((e) => e.search?.mode === 'outcome')).to.equal(true);
  });

  it('_total=accurate and _summary=count', async () => {
    const t = await get('/fhir/Slot?status=busy&_total=accurate');
    expect(t.total).to.equal(4);
    const c = await get('/fhir/Slot?status=busy&_summary=count');
    expect(c.total).to.equal(4);
    expect(c.entry ?? []).to.have.length(0);
  });

  it('_elements and _summary=true subset the resources and mark them SUBSETTED', async () => {
    const b = await get('/fhir/Patient?_id=pat1&_elements=birthDate');
    const r = b.entry![0]!.resource;
    expect(r.birthDate).to.equal('1970-05-01');
    expect(r.name).to.equal(undefined);
    expect((r.meta as { tag: { code: string }[] }).tag.map((t) => t.code)).to.include('SUBSETTED');
    const s = await get('/fhir/Patient?_id=pat1&_summary=true');
    expect(s.entry![0]!.resource.name).to.deep.equal([{ family: 'Smith', given: ['Zoë'] }]);
  });

  it('compartment search: GET /Patient/{id}/Appointment', async () => {
    const b = await get('/fhir/Patient/pat1/Appointment?date=ge2030-03-01');
    expect(ids(b)).to.deep.equal(['Appointment/appt1']);
    const res = await request(env.app).get('/fhir/Patient/pat1/Slot').set('Authorization', gp).expect(404);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('POST _search with a form body equals GET', async () => {
    const res = await request(env.app).post('/fhir/Slot/_search').set('Authorization', gp)
      .type('form').send('schedule=Schedule/sch-derm&start=ge2030-03-19').expect(200);
    expect(ids(res.body as SearchBundle).sort()).to.deep.equal(['Slot/d-19', 'Slot/d-20']);
  });

  it('system search with _type', async () => {
    const b = await get('/fhir?_type=Patient,Practitioner&_count=50');
    expect(ids(b).sort()).to.deep.equal(['Patient/pat1', 'Patient/pat2', 'Practitioner/gp1']);
  });

  it('unknown parameters: ignored with an outcome entry (lenient), 400 under handling=strict', async () => {
    const b = await get('/fhir/Patient?colour=blue&family=Smith');
    expect(ids(b)).to.deep.equal(['Patient/pat1']);
    const outcome = b.entry!.find((e) => e.search?.mode === 'outcome');
    expect(outcome?.resource.resourceType).to.equal('OperationOutcome');
    const strict = await request(env.app).get('/fhir/Patient?colour=blue').set('Authorization', gp).set('Prefer', 'handling=strict').expect(400);
    expect(strict.body.issue[0].expression).to.deep.equal(['colour']);
  });

  it('a malformed value is always 400 naming the parameter', async () => {
    const bad = await request(env.app).get('/fhir/Slot?start=ge2030-13-45').set('Authorization', gp).expect(400);
    expect(bad.body.issue[0].expression).to.deep.equal(['start']);
    const prefix = await request(env.app).get('/fhir/Slot?start=xx2030-01-01').set('Authorization', gp).expect(400);
    expect(prefix.body.issue[0].expression).to.deep.equal(['start']);
  });

  it('includes are limited to types the principal may search', async () => {
    const slotOnly = await env.auth('slot-only');
    const b = await get('/fhir/Slot?_id=c-01&_include=Slot:schedule', slotOnly);
    expect(ids(b)).to.deep.equal(['Slot/c-01']);
    expect(ids(b, 'include')).to.deep.equal([]);
    await request(env.app).get('/fhir/Schedule').set('Authorization', slotOnly).expect(403);
  });
});
