// $hold: a free slot reserved for a few minutes (HOLD_MINUTES) while the patient decides. Held, it is
// busy-tentative for everyone else; the holder's booking succeeds; a lapsed hold frees the slot for
// others at once and is swept back to free without any request arriving, also across a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { booking, issueOf, publishSlot, put, read, seedWorld, type Json, type World } from '../scheduling/support/booking-world.js';

const HOLD = 'https://envelope.example/fhir/StructureDefinition/slot-hold';
const PARAMETERS = { resourceType: 'Parameters' };

describe('http: $hold', function () {
  this.timeout(60_000);
  let env: TestEnvelope;
  let w: World;
  let now = new Date('2031-05-01T08:00:00Z');
  const minutes = (n: number) => { now = new Date(now.getTime() + n * 60_000); };
  let hour = 8;
  const nextSlot = () => publishSlot(w, `2031-06-01T${String(++hour % 24).padStart(2, '0')}:00:00Z`, { minutes: 15 });

  before(async () => {
    env = await startEnvelope({ HOLD_MINUTES: '5', HOLD_SWEEP_SECONDS: '1' }, { now: () => now });
    w = await seedWorld(env);
  });
  after(() => env.stop());

  const hold = (slot: Json, auth = w.gp, body: unknown = PARAMETERS) => request(env.app).post(`/fhir/Slot/${slot.id}/$hold`).set('Authorization', auth).send(body as object);
  const book = (slot: Json, auth = w.gp) => request(env.app).post('/fhir/Appointment').set('Authorization', auth).send(booking(w, [slot]));

  it('holds a free slot for the holder: busy-tentative, holder and expiry recorded in the slot', async () => {
    const slot = await nextSlot();
    const res = await hold(slot).expect(200);
    assert.equal(res.body.status, 'busy-tentative');
    assert.equal(res.headers.etag, 'W/"2"');
    assert.deepEqual(res.body.extension, [{
      url: HOLD,
      extension: [
        { url: 'holder', valueString: 'dr-jones' },
        { url: 'organization', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A81001' } },
        { url: 'expires', valueInstant: new Date(now.getTime() + 5 * 60_000).toISOString() },
      ],
    }]);
    // Free-slot searches no longer offer it.
    const free = await request(env.app).get(`/fhir/Slot?status=free&_id=${slot.id}`).set('Authorization', w.gp).expect(200);
    assert.equal((free.body.entry ?? []).length, 0);
  });

  it('is busy for everyone else (409), a retry by the holder changes nothing, and the holder books it', async () => {
    const slot = await nextSlot();
    const first = await hold(slot).expect(200);
    issueOf((await hold(slot, w.otherGp).expect(409)).body, 'duplicate', 'DUPLICATE_REJECTED', 'Slot.status');
    // A colleague at the same practice is related to the patient, but the hold is not theirs.
    const colleague = await env.auth('gp-clinician', { sub: 'dr-smith', organization: 'A81001' });
    const taken = await book(slot, colleague).expect(409);
    assert.match(issueOf(taken.body, 'duplicate', 'DUPLICATE_REJECTED', 'Appointment.slot[0]').diagnostics, /held for someone else/);
    minutes(1);
    const again = await hold(slot).expect(200);
    assert.deepEqual(again.body.extension, first.body.extension);
    await book(slot).expect(201);
    const after = await read(env, w.pas, `Slot/${slot.id}`);
    assert.equal(after.status, 'busy');
    assert.equal(after.extension, undefined);
  });

  it('refuses what cannot be held: a busy slot (409), an unknown one (404), a past one (422)', async () => {
    const busy = await nextSlot();
    await book(busy).expect(201);
    issueOf((await hold(busy).expect(409)).body, 'duplicate', 'DUPLICATE_REJECTED');
    await hold({ id: 'no-such-slot' }).expect(404);
    const past = await publishSlot(w, '2031-04-01T09:00:00Z');
    issueOf((await hold(past).expect(422)).body, 'business-rule', 'INVALID_RESOURCE', 'Slot.start');
  });

  it('goes through the access policy and takes only a Parameters body without parameters', async () => {
    const slot = await nextSlot();
    const consultant = await env.auth('consultant');
    await hold(slot, consultant).expect(403);
    await hold(slot, w.gp, { resourceType: 'Slot' }).expect(400);
    const unknown = await hold(slot, w.gp, { resourceType: 'Parameters', parameter: [{ name: 'minutes', valueInteger: 60 }] }).expect(400);
    assert.deepEqual(unknown.body.issue[0].expression, ['Parameters.parameter[0].name']);
    await request(env.app).get(`/fhir/Slot/${slot.id}/$hold`).set('Authorization', w.gp).expect(405);
    assert.equal((await read(env, w.pas, `Slot/${slot.id}`)).status, 'free');
  });

  it('a PAS republishing the slot keeps the hold; withdrawing the slot ends it', async () => {
    const slot = await nextSlot();
    await hold(slot).expect(200);
    const republished = await put(env, w.pas, { ...slot, status: 'free' });
    assert.equal(republished.status, 'busy-tentative');
    assert.equal(republished.extension[0].url, HOLD);
    const withdrawn = await put(env, w.pas, { ...slot, status: 'busy-unavailable' });
    assert.equal(withdrawn.extension, undefined);
  });

  it('a client cannot forge a hold by writing the extension', async () => {
    const slot = await nextSlot();
    const forged = await put(env, w.pas, {
      ...slot, status: 'busy-tentative',
      extension: [{ url: HOLD, extension: [{ url: 'holder', valueString: 'dr-patel' }, { url: 'expires', valueInstant: '2031-12-31T00:00:00Z' }] }],
    });
    assert.equal(forged.extension, undefined);
  });

  it('a lapsed hold frees the slot for others at once, before any sweep', async () => {
    const slot = await nextSlot();
    await hold(slot).expect(200);
    minutes(5);
    // Another clinician of the same practice (related to the patient, not the holder) may now book it.
    const colleague = await env.auth('gp-clinician', { sub: 'dr-smith', organization: 'A81001' });
    await book(slot, colleague).expect(201);
  });

  it('a lapsed hold is swept back to free without any request arriving', async () => {
    const slot = await nextSlot();
    await hold(slot).expect(200);
    minutes(6);
    // Read the store directly: no HTTP request may be what releases it.
    const deadline = Date.now() + 5_000;
    let current = await env.store.read('Slot', slot.id);
    while ((current?.resource as Json).status !== 'free' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await env.store.read('Slot', slot.id);
    }
    assert.equal((current?.resource as Json).status, 'free');
    assert.equal((current?.resource as Json).extension, undefined);
    // The server's own write is in the audit trail, by an internal principal.
    const auditor = await env.auth('auditor', { organization: 'RR8' });
    const trail = await request(env.app).get(`/fhir/AuditEvent?date=ge2020-01-01&date=le2100-01-01&entity=Slot/${slot.id}`).set('Authorization', auditor).expect(200);
    const sweeps = (trail.body.entry ?? []).map((e: { resource: Json }) => JSON.stringify(e.resource)).filter((j: string) => j.includes('envelope-hold-sweeper'));
    assert.equal(sweeps.length, 1, JSON.stringify(trail.body));
    assert.ok(sweeps[0].includes('hold-sweep-'), 'the request id names the reason');
  });
});

describe('http: $hold across a restart', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'envelope-hold-restart-'));
  let now = new Date('2031-05-01T08:00:00Z');
  const start = () => startEnvelope({ DATA_DIR: dir, SQLITE_FILE: join(dir, 'restart.sqlite'), HOLD_SWEEP_SECONDS: '3600' }, { now: () => now });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a hold that lapsed while the server was down is released at start-up', async () => {
    const first = await start();
    const w = await seedWorld(first);
    const slot = await publishSlot(w, '2031-06-01T09:00:00Z');
    await request(first.app).post(`/fhir/Slot/${slot.id}/$hold`).set('Authorization', w.gp).send(PARAMETERS).expect(200);
    await first.stop();
    now = new Date('2031-05-01T08:30:00Z');
    const second = await start();
    try {
      const current = await second.store.read('Slot', slot.id as string);
      assert.equal((current?.resource as Json).status, 'free');
    } finally {
      await second.stop();
    }
  });
});
