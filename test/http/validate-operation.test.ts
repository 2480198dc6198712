// $validate over HTTP: type and instance level, raw resource or Parameters, modes create/update/
// delete, the profile input, the profiles a resource claims or the deployment makes mandatory, and
// access: refused to principals who may not write the type, and for a resource the principal may not
// read the same answer as a read. Nothing is ever stored.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { Resource } from '../../src/domain/fhir.js';
import { startEnvelope, startEnvelopeWithPolicy, type TestEnvelope } from '../helpers/envelope.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SD = 'https://envelope.example/fhir/StructureDefinition/';
const BOOKED = `${SD}envelope-booked-appointment`;
const REFERRAL = `${SD}envelope-referral`;
const ref = (reference: string) => ({ reference });
const narrative = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">test</div>' };

/** The default roles plus three that separate the rights $validate depends on. */
function policy(): object {
  const roles = JSON.parse(readFileSync(new URL('../../../policy/roles.json', import.meta.url), 'utf8')) as Json;
  const role = (resources: string[], permissions: string) => ({ description: 'test', grants: [{ resources, permissions }] });
  roles.roles['test-writer'] = role(['*'], 'cruds');
  roles.roles['test-updater'] = role(['Appointment'], 'ru');
  roles.roles['test-reader'] = role(['Appointment'], 'rs');
  return roles;
}

function appointment(extra: Json = {}): Json {
  return {
    resourceType: 'Appointment', text: narrative, status: 'proposed',
    participant: [{ actor: ref('Patient/ann'), status: 'needs-action' }],
    ...extra,
  };
}

const consentFor = (patient: string): Json => ({
  resourceType: 'Consent', text: narrative, status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: ref(`Patient/${patient}`), dateTime: '2030-01-01',
  policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
});

const WORLD = [
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Smith' }] },
  { resourceType: 'Patient', id: 'bob', name: [{ family: 'Jones' }] },
  { ...consentFor('ann'), id: 'consent-ann' },
  { ...consentFor('bob'), id: 'consent-bob' },
  { ...appointment(), id: 'appt-1' },
  { ...appointment(), id: 'appt-gone' },
] as unknown as Resource[];

/** Delete mode has no resource to send: the inputs travel as a Parameters body (the HTTP layer wants a body on every POST). */
const DELETE = { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'delete' }] };

const errorsOf = (body: Json) => (body.issue as Json[]).filter((i) => i.severity === 'error');
const located = (body: Json) => errorsOf(body).map((i) => `${i.code} ${(i.expression ?? []).join(',')}`);

describe('http: $validate', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let writer: string;
  const validate = (path: string, auth: string, body?: unknown) => {
    const r = request(env.app).post(`/fhir/${path}`).set('Authorization', auth);
    return body === undefined ? r : r.send(body as object);
  };
  const count = async (type: string) => (await request(env.app).get(`/fhir/${type}?_summary=count`).set('Authorization', writer).expect(200)).body.total as number;

  before(async () => {
    env = await startEnvelopeWithPolicy(policy());
    await env.store.transaction(async (tx) => {
      for (const r of WORLD) await tx.create(r);
    });
    await env.store.transaction(async (tx) => {
      await tx.delete('Appointment', 'appt-gone');
    });
    writer = await env.auth('test-writer');
  });
  after(() => env.stop());

  describe('type level', () => {
    it('a valid raw resource: 200 with an all-ok OperationOutcome, and nothing is stored', async () => {
      const before = await count('Appointment');
      const res = await validate('Appointment/$validate', writer, appointment()).expect(200);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue).to.deep.equal([{ severity: 'information', code: 'informational', diagnostics: 'All OK: the resource is valid' }]);
      expect(await count('Appointment')).to.equal(before);
    });

    it('an invalid resource: 200 with each fault located, invariants (app-1, app-3) included', async () => {
      const broken = appointment({ status: 'booked', participant: [{ status: 'accepted' }] });
      const res = await validate('Appointment/$validate', writer, broken).expect(200);
      expect(located(res.body).sort()).to.deep.equal(['invariant Appointment', 'invariant Appointment.participant[0]']);
      const diagnostics = errorsOf(res.body).map((i) => i.diagnostics as string);
      expect(diagnostics.some((d) => d.startsWith('app-3:'))).to.equal(true);
      expect(diagnostics.some((d) => d.startsWith('app-1:'))).to.equal(true);
      const unknown = await validate('Appointment/$validate', writer, appointment({ room: '12' })).expect(200);
      expect(located(unknown.body)).to.deep.equal(['structure Appointment.room']);
    });

    it('best practice is reported by $validate (a write does not evaluate it): no narrative is a dom-6 warning', async () => {
      const { text: _t, ...bare } = appointment();
      const res = await validate('Appointment/$validate', writer, bare).expect(200);
      expect(res.body.issue[0]).to.deep.equal({ severity: 'information', code: 'informational', diagnostics: 'Valid: no errors, 1 warning' });
      expect(res.body.issue[1]).to.include({ severity: 'warning', code: 'invariant' });
      expect(res.body.issue[1].diagnostics).to.match(/^dom-6: /);
    });

    it('a resource of another type is a validation error, not a crash', async () => {
      const res = await validate('Appointment/$validate', writer, { resourceType: 'Patient' }).expect(200);
      expect(located(res.body)).to.deep.equal(['structure Appointment.resourceType']);
    });

    it('a Parameters with resource, mode and profile: the profile is checked too', async () => {
      const params = {
        resourceType: 'Parameters',
        parameter: [{ name: 'resource', resource: appointment() }, { name: 'mode', valueCode: 'create' }, { name: 'profile', valueUri: BOOKED }],
      };
      const res = await validate('Appointment/$validate', writer, params).expect(200);
      const found = located(res.body);
      for (const want of ['required Appointment.slot', 'required Appointment.basedOn', 'required Appointment.start', 'invariant Appointment']) {
        expect(found).to.include(want);
      }
      // A profile named in meta.profile and as the input is reported once.
      const claimed = { ...params, parameter: [{ name: 'resource', resource: appointment({ meta: { profile: [BOOKED] } }) }, params.parameter[2]] };
      const again = await validate('Appointment/$validate', writer, claimed).expect(200);
      expect(located(again.body).sort()).to.deep.equal([...found].sort());
    });

    it('the profile input may be given in the URL; an unknown profile there is an error, in meta.profile only a warning', async () => {
      const res = await validate(`Appointment/$validate?profile=${encodeURIComponent(`${SD}nope`)}`, writer, appointment()).expect(200);
      expect(errorsOf(res.body).map((i) => i.code)).to.deep.equal(['not-supported']);
      const claimed = await validate('Appointment/$validate', writer, appointment({ meta: { profile: [`${SD}nope`] } })).expect(200);
      expect(errorsOf(claimed.body)).to.deep.equal([]);
      expect(claimed.body.issue[0].diagnostics).to.equal('Valid: no errors, 1 warning');
      expect(claimed.body.issue[1]).to.include({ severity: 'warning', code: 'not-supported' });
      expect(claimed.body.issue[1].expression).to.deep.equal(['Appointment.meta.profile[0]']);
    });

    it('malformed inputs are 400s: unknown parameter, unknown mode, repeated input, no resource, delete without an id', async () => {
      await validate('Appointment/$validate', writer, { resourceType: 'Parameters', parameter: [{ name: 'resources', resource: appointment() }] }).expect(400);
      await validate('Appointment/$validate?mode=replace', writer, appointment()).expect(400);
      await validate('Appointment/$validate?mode=create', writer, { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'create' }, { name: 'resource', resource: appointment() }] }).expect(400);
      const noResource = await validate('Appointment/$validate', writer, { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'create' }] }).expect(400);
      expect(noResource.body.issue[0].diagnostics).to.match(/resource to validate is required/);
      await validate('Appointment/$validate', writer, DELETE).expect(400);
      await validate('Appointment/$validate?_count=1', writer, appointment()).expect(400);
    });

    it('GET is not an interaction of $validate', async () => {
      await request(env.app).get('/fhir/Appointment/$validate').set('Authorization', writer).expect(405);
    });
  });

  describe('instance level', () => {
    it('mode update reads the current resource: ok for a matching id, errors for another id, a warning for a stale version', async () => {
      const current = (await request(env.app).get('/fhir/Appointment/appt-1').set('Authorization', writer).expect(200)).body;
      const ok = await validate('Appointment/appt-1/$validate?mode=update', writer, { ...current, status: 'cancelled' }).expect(200);
      expect(errorsOf(ok.body)).to.deep.equal([]);
      expect(ok.body.issue[0].severity).to.equal('information');
      const other = await validate('Appointment/appt-1/$validate?mode=update', writer, { ...current, id: 'appt-2' }).expect(200);
      expect(located(other.body)).to.deep.equal(['invalid Appointment.id']);
      const stale = await validate('Appointment/appt-1/$validate?mode=update', writer, { ...current, meta: { versionId: '99' } }).expect(200);
      expect(stale.body.issue.filter((i: Json) => i.code === 'conflict')).to.have.length(1);
      // At type level the resource's own id names the resource.
      const typeLevel = await validate('Appointment/$validate?mode=update', writer, { ...current, status: 'cancelled' }).expect(200);
      expect(errorsOf(typeLevel.body)).to.deep.equal([]);
      const noId = await validate('Appointment/$validate?mode=update', writer, appointment()).expect(200);
      expect(located(noId.body)).to.deep.equal(['required Appointment.id']);
    });

    it('mode update on a resource that does not exist or was deleted answers as a read does', async () => {
      const missing = await validate('Appointment/nobody/$validate?mode=update', writer, { ...appointment(), id: 'nobody' }).expect(404);
      const read = await request(env.app).get('/fhir/Appointment/nobody').set('Authorization', writer).expect(404);
      expect(missing.body).to.deep.equal(read.body);
      await validate('Appointment/appt-gone/$validate?mode=update', writer, { ...appointment(), id: 'appt-gone' }).expect(410);
    });

    it('mode delete: ok for a principal who may delete; an error issue for one who may only update', async () => {
      const ok = await validate('Appointment/appt-1/$validate', writer, DELETE).expect(200);
      expect(ok.body.issue).to.deep.equal([{ severity: 'information', code: 'informational', diagnostics: 'All OK: the resource is valid' }]);
      const updater = await env.auth('test-updater');
      const refused = await validate('Appointment/appt-1/$validate', updater, DELETE).expect(200);
      expect(errorsOf(refused.body).map((i) => i.code)).to.deep.equal(['forbidden']);
      expect(await count('Appointment')).to.be.greaterThan(0);
      await request(env.app).get('/fhir/Appointment/appt-1').set('Authorization', writer).expect(200);
    });
  });

  describe('access', () => {
    it('a principal who may neither create nor update the type gets the 403 a create would get', async () => {
      const reader = await env.auth('test-reader');
      const res = await validate('Appointment/$validate', reader, appointment()).expect(403);
      const create = await request(env.app).post('/fhir/Appointment').set('Authorization', reader).send(appointment()).expect(403);
      expect(res.body.issue.map((i: Json) => [i.code, i.diagnostics])).to.deep.equal(create.body.issue.map((i: Json) => [i.code, i.diagnostics]));
      await validate('Appointment/appt-1/$validate', reader, DELETE).expect(403);
    });

    it('a principal who may only update may validate', async () => {
      const updater = await env.auth('test-updater');
      await validate('Appointment/$validate', updater, appointment()).expect(200);
    });

    it('mode update of a resource hidden from the principal answers exactly as a read of it, and as for one that does not exist', async () => {
      const ann = await env.auth('patient', { sub: 'ann', fhirUser: 'Patient/ann' });
      const own = await validate('Consent/consent-ann/$validate?mode=update', ann, { ...consentFor('ann'), id: 'consent-ann' }).expect(200);
      expect(errorsOf(own.body)).to.deep.equal([]);
      const hidden = await validate('Consent/consent-bob/$validate?mode=update', ann, { ...consentFor('bob'), id: 'consent-bob' });
      const read = await request(env.app).get('/fhir/Consent/consent-bob').set('Authorization', ann);
      expect(hidden.status).to.equal(read.status).and.to.be.oneOf([403, 404]);
      expect(hidden.body).to.deep.equal(read.body);
      const missing = await validate('Consent/nobody/$validate?mode=update', ann, { ...consentFor('bob'), id: 'nobody' });
      expect(missing.status).to.equal(hidden.status);
      expect(JSON.stringify(missing.body).replaceAll('nobody', 'X')).to.equal(JSON.stringify(hidden.body).replaceAll('consent-bob', 'X'));
      await validate('Consent/consent-bob/$validate', ann, DELETE).expect(hidden.status);
    });
  });

  describe('profiles on writes', () => {
    const referral = (extra: Json = {}): Json => ({
      resourceType: 'ServiceRequest', text: narrative, status: 'active', intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
      code: { text: 'Cardiology opinion' }, subject: ref('Patient/ann'), authoredOn: '2030-01-01', requester: ref('Practitioner/dr'),
      ...extra,
    });

    it('a write is checked against the profiles it claims; an unknown claim only warns', async () => {
      const claimed = referral({ intent: 'plan', meta: { profile: [REFERRAL] } });
      const res = await request(env.app).post('/fhir/ServiceRequest').set('Authorization', writer).send(claimed).expect(422);
      expect(located(res.body)).to.deep.equal(['value ServiceRequest.intent']);
      await request(env.app).post('/fhir/ServiceRequest').set('Authorization', writer).send({ ...claimed, intent: 'order' }).expect(201);
      await request(env.app).post('/fhir/ServiceRequest').set('Authorization', writer).send(referral({ meta: { profile: [`${SD}nope`] } })).expect(201);
    });

    it('MANDATORY_PROFILES applies a profile to every write of its type, claimed or not', async () => {
      const strict = await startEnvelopeWithPolicy(policy(), { MANDATORY_PROFILES: 'envelope-referral' });
      try {
        const auth = await strict.auth('test-writer');
        const res = await request(strict.app).post('/fhir/ServiceRequest').set('Authorization', auth).send(referral({ category: undefined })).expect(422);
        expect(located(res.body)).to.deep.equal(['required ServiceRequest.category']);
        const checked = await request(strict.app).post('/fhir/ServiceRequest/$validate').set('Authorization', auth).send(referral({ requester: undefined })).expect(200);
        expect(located(checked.body)).to.deep.equal(['required ServiceRequest.requester']);
        await request(strict.app).post('/fhir/ServiceRequest').set('Authorization', auth).send(referral()).expect(201);
        // Other types are untouched.
        await request(strict.app).post('/fhir/Appointment/$validate').set('Authorization', auth).send(appointment()).expect(200);
      } finally {
        await strict.stop();
      }
      // Without the setting the same referral without a category is accepted.
      await request(env.app).post('/fhir/ServiceRequest').set('Authorization', writer).send(referral({ category: undefined })).expect(201);
    });

    it('a MANDATORY_PROFILES entry that is not one of the profiles stops start-up, naming the variable', async () => {
      let failure: unknown;
      try {
        const started = await startEnvelope({ MANDATORY_PROFILES: 'envelope-nope' });
        await started.stop();
      } catch (e) {
        failure = e;
      }
      expect(String(failure)).to.match(/MANDATORY_PROFILES: envelope-nope/);
    });

    it('the CapabilityStatement lists the profiles of each type as supportedProfile', async () => {
      const cs = (await request(env.app).get('/fhir/metadata').expect(200)).body;
      const of = (t: string) => cs.rest[0].resource.find((r: Json) => r.type === t).supportedProfile;
      expect(of('Appointment')).to.deep.equal([BOOKED]);
      expect(of('ServiceRequest')).to.deep.equal([REFERRAL]);
      expect(of('Slot')).to.deep.equal([`${SD}envelope-bookable-slot`]);
      expect(of('Consent')).to.deep.equal([`${SD}envelope-privacy-consent`]);
      expect(of('AuditEvent')).to.deep.equal([`${SD}envelope-audit-event`]);
      expect(of('Patient')).to.equal(undefined);
    });
  });
});
