// The CapabilityStatement is generated from what is registered, and what it claims really answers.
import { expect } from 'chai';
import request from 'supertest';
import { validateResource } from '../../src/fhir/validation/index.js';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

interface CsResource { type: string; interaction: { code: string }[]; searchParam: { name: string; type: string }[]; searchInclude: string[] }

describe('http: capabilities', () => {
  let env: TestEnvelope;
  let cs: { fhirVersion: string; rest: { resource: CsResource[]; interaction: { code: string }[] }[]; format: string[] };
  before(async () => {
    env = await startEnvelope();
    cs = (await request(env.app).get('/fhir/metadata').expect(200)).body;
  });
  after(() => env.stop());

  it('is an R4 CapabilityStatement listing exactly the served types', () => {
    expect(cs.fhirVersion).to.equal('4.0.1');
    expect(cs.rest[0]!.resource.map((r) => r.type)).to.deep.equal([...RESOURCE_TYPES]);
    expect(cs.format).to.include('application/fhir+json');
  });

  it('lists every interaction and search parameters from the R4 definitions', () => {
    const appt = cs.rest[0]!.resource.find((r) => r.type === 'Appointment')!;
    expect(appt.interaction.map((i) => i.code).sort()).to.deep.equal(
      ['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread'],
    );
    const names = appt.searchParam.map((p) => p.name);
    for (const n of ['patient', 'date', 'status', 'slot', 'based-on', '_id', '_lastUpdated']) expect(names).to.include(n);
    expect(appt.searchInclude).to.include('Appointment:patient');
    expect(cs.rest[0]!.interaction.map((i) => i.code)).to.include.members(['transaction', 'batch', 'history-system', 'search-system']);
  });

  it('lists the operations that the router serves', () => {
    const ops = (t: string) => ((cs.rest[0]!.resource.find((r) => r.type === t) as unknown as { operation?: { name: string }[] }).operation ?? []).map((o) => o.name);
    expect(ops('Slot')).to.deep.equal(['hold', 'validate']);
    expect(ops('Appointment')).to.deep.equal(['find', 'validate']);
    expect(ops('Patient')).to.deep.equal(['claim-relationship', 'validate']);
    expect(ops('Schedule')).to.deep.equal(['validate']);
  });

  it('serves the OperationDefinition of each of its own operations at the canonical the statement names', async () => {
    const token = await env.auth('gp-clinician', { organization: 'A81001' });
    const own = cs.rest[0]!.resource.flatMap((r) => ((r as unknown as { operation?: { name: string; definition: string }[] }).operation ?? []))
      .filter((o) => o.definition.startsWith('https://envelope.example/fhir/OperationDefinition/'));
    expect(own.map((o) => o.name).sort()).to.deep.equal(['claim-relationship', 'find', 'hold']);
    for (const o of own) {
      const id = o.definition.split('/').pop()!;
      const def = (await request(env.app).get(`/fhir/OperationDefinition/${id}`).set('Authorization', token).expect(200)).body;
      expect(def.resourceType).to.equal('OperationDefinition');
      expect(def.url).to.equal(o.definition);
      expect(def.code).to.equal(o.name);
      expect(validateResource(def).filter((i) => i.severity === 'error')).to.deep.equal([]);
    }
    await request(env.app).get('/fhir/OperationDefinition/nothing-here').set('Authorization', token).expect(404);
  });

  it('every interaction it claims answers something other than 404/405 for a role allowed to use it', async () => {
    const admin = await env.auth('estate-admin');
    const org = await request(env.app).post('/fhir/Organization').set('Authorization', admin).send({ resourceType: 'Organization', name: 'cs' }).expect(201);
    const id = org.body.id;
    const probes: Record<string, () => request.Test> = {
      read: () => request(env.app).get(`/fhir/Organization/${id}`),
      vread: () => request(env.app).get(`/fhir/Organization/${id}/_history/1`),
      update: () => request(env.app).put(`/fhir/Organization/${id}`).send({ resourceType: 'Organization', id, name: 'cs2' }),
      patch: () => request(env.app).patch(`/fhir/Organization/${id}`).set('Content-Type', 'application/json-patch+json').send('[]'),
      'history-instance': () => request(env.app).get(`/fhir/Organization/${id}/_history`),
      'history-type': () => request(env.app).get('/fhir/Organization/_history'),
      create: () => request(env.app).post('/fhir/Organization').send({ resourceType: 'Organization', name: 'cs3' }),
      'search-type': () => request(env.app).get('/fhir/Organization'),
      delete: () => request(env.app).delete(`/fhir/Organization/${id}`),
    };
    const claimed = cs.rest[0]!.resource.find((r) => r.type === 'Organization')!.interaction.map((i) => i.code);
    expect(Object.keys(probes).sort()).to.deep.equal([...claimed].sort());
    for (const code of claimed) {
      const res = await probes[code]!().set('Authorization', admin);
      expect(res.status, code).to.be.within(200, 299);
    }
  });
});
