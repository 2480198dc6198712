// /metrics: off unless a scrape token is configured, and then only for a request bearing it; the
// metrics count requests by interaction and status, time them, and count store calls, audit groups
// and booking conflicts, with labels from fixed sets (never an id or a client's made-up path).
import { expect } from 'chai';
import request from 'supertest';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';
import { booking, futureStart, publishSlot, seedWorld, type World } from '../scheduling/support/booking-world.js';

const TOKEN = 'scrape-secret-0123456789abcdef';

/** The value of one sample line, e.g. `http_requests_total{interaction="read",status="200"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('http: operations — metrics', function () {
  this.timeout(60_000);

  it('/metrics is off (404) without METRICS_TOKEN, even from this machine', async () => {
    const env = await startEnvelope();
    try {
      const res = await request(env.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.text).to.not.include('http_requests_total');
    } finally {
      await env.stop();
    }
  });

  it('refuses a METRICS_TOKEN that is too short to be a secret', async () => {
    let thrown: unknown;
    try {
      await startEnvelope({ METRICS_TOKEN: 'short' });
    } catch (e) {
      thrown = e;
    }
    expect(String(thrown)).to.match(/METRICS_TOKEN must be at least 16/);
  });

  describe('with METRICS_TOKEN', () => {
    let env: TestEnvelope;
    let w: World;
    const scrape = async () => (await request(env.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
    before(async () => {
      env = await startEnvelope({ METRICS_TOKEN: TOKEN });
      w = await seedWorld(env);
    });
    after(() => env.stop());

    it('needs the exact bearer token: none, a wrong one, a prefix, another scheme are 401 with no metrics', async () => {
      for (const auth of [undefined, 'Bearer wrong-secret-0123456789abcd', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, await env.auth('auditor')]) {
        const r = request(env.app).get('/metrics');
        const res = await (auth === undefined ? r : r.set('Authorization', auth)).expect(401);
        expect(res.text, String(auth)).to.not.include('http_requests_total');
        expect(res.headers['www-authenticate']).to.match(/^Bearer/);
      }
      const res = await request(env.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('counts and times requests by interaction and status, and includes process metrics', async () => {
      const before = await scrape();
      const reads = sample(before, 'http_requests_total', { interaction: 'read', status: '200' }) ?? 0;
      const timed = sample(before, 'http_request_duration_seconds_count', { interaction: 'read' }) ?? 0;
      for (let i = 0; i < 3; i++) await request(env.app).get(`/fhir/Patient/${w.patient}`).set('Authorization', w.gp).expect(200);
      await request(env.app).get('/fhir/Patient/no-such-patient').set('Authorization', w.gp).expect((r) => expect(r.status).to.be.oneOf([403, 404]));
      const after = await scrape();
      expect(sample(after, 'http_requests_total', { interaction: 'read', status: '200' })).to.equal(reads + 3);
      expect(sample(after, 'http_request_duration_seconds_count', { interaction: 'read' })).to.equal(timed + 4);
      expect(sample(after, 'http_request_duration_seconds_bucket', { interaction: 'read', le: '+Inf' })).to.equal(timed + 4);
      expect(sample(after, 'http_requests_total', { interaction: 'create', status: '201' })).to.be.above(0);
      expect(sample(after, 'process_cpu_user_seconds_total')).to.be.a('number');
      expect(sample(after, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
    });

    it('times store calls and counts audit group sizes', async () => {
      await request(env.app).get('/fhir/Slot').set('Authorization', w.gp).expect(200);
      await request(env.app).get('/readyz').expect(200);
      const text = await scrape();
      expect(sample(text, 'store_operation_duration_seconds_count', { operation: 'search', outcome: 'ok' })).to.be.above(0);
      expect(sample(text, 'store_operation_duration_seconds_count', { operation: 'read', outcome: 'ok' })).to.be.above(0);
      expect(sample(text, 'store_operation_duration_seconds_count', { operation: 'ping', outcome: 'ok' })).to.be.above(0);
      expect(sample(text, 'store_operation_duration_seconds_count', { operation: 'audit-group', outcome: 'ok' })).to.be.above(0);
      const groups = sample(text, 'audit_group_events_count')!;
      const events = sample(text, 'audit_group_events_sum')!;
      expect(groups).to.be.above(0);
      expect(events).to.be.at.least(groups);
    });

    it('counts a booking refused because its slot was taken (409), and not other refusals', async () => {
      const conflicts = async () => sample(await scrape(), 'booking_conflicts_total', { interaction: 'create' }) ?? 0;
      const start = await conflicts();
      const slot = await publishSlot(w, futureStart());
      await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [slot])).expect(201);
      await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send(booking(w, [slot])).expect(409);
      expect(await conflicts()).to.equal(start + 1);
      // A refusal of another kind (an invalid booking: 4xx but not 409) is not a conflict.
      await request(env.app).post('/fhir/Appointment').set('Authorization', w.gp).send({ resourceType: 'Appointment', status: 'booked' })
        .expect((r) => expect(r.status).to.be.within(400, 422).and.not.equal(409));
      expect(await conflicts()).to.equal(start + 1);
    });

    it('labels never carry ids or made-up paths, so clients cannot grow the metrics', async () => {
      await request(env.app).get('/fhir/Patient/id-9434765919/$made-up-op-1').set('Authorization', w.gp);
      await request(env.app).post('/fhir/$made-up-op-2').set('Authorization', w.gp).send({});
      await request(env.app).get('/no/such/path-9434765920');
      const text = await scrape();
      for (const leak of ['9434765919', '9434765920', 'made-up-op', w.patient]) expect(text, leak).to.not.include(leak);
      expect(sample(text, 'http_requests_total', { interaction: 'operation:$unknown' })).to.be.above(0);
      expect(sample(text, 'http_requests_total', { interaction: 'unknown', status: '404' })).to.be.above(0);
    });
  });
});
