// /healthz and /readyz: ready only while the store answers and the audit trail takes events; a
// readiness probe never writes an AuditEvent of its own.
import { expect } from 'chai';
import request from 'supertest';
import { AuditHealth, probe } from '../../src/http/ops/health.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

/** The real store with switches that make calls fail as an unreachable database would. */
interface Faults { ping: boolean; transaction: boolean; hang: boolean }

async function auditEventCount(env: TestEnvelope): Promise<number> {
  return (await env.store.search({ types: ['AuditEvent'], where: [], sort: [], count: 1, total: 'accurate' })).total ?? -1;
}

describe('http: operations — health and readiness', () => {
  let env: TestEnvelope;
  const faults: Faults = { ping: false, transaction: false, hang: false };
  before(async () => {
    env = await startEnvelope({}, {
      openStore: async (indexer) => {
        const store = await openSqliteStore({ file: ':memory:', indexer });
        return new Proxy(store, {
          get(t, p) {
            if (p === 'ping' && faults.hang) return () => new Promise(() => undefined);
            if (p === 'ping' && faults.ping) return async () => { throw new Error('injected: connection refused'); };
            if (p === 'transaction' && faults.transaction) return async () => { throw new Error('injected: disk full'); };
            const v = Reflect.get(t, p, t);
            return typeof v === 'function' ? v.bind(t) : v;
          },
        }) as Store;
      },
    });
  });
  afterEach(() => Object.assign(faults, { ping: false, transaction: false, hang: false }));
  after(() => env.stop());

  it('/healthz answers 200 without credentials, uncached', async () => {
    const res = await request(env.app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('/readyz is 200 ready when the store answers and the audit trail works, and writes no AuditEvent', async () => {
    const admin = await env.auth('estate-admin');
    await request(env.app).get('/fhir/Organization').set('Authorization', admin).expect(200);
    const before = await auditEventCount(env);
    expect(before, 'the search above was audited').to.be.above(0);
    for (let i = 0; i < 3; i++) {
      const res = await request(env.app).get('/readyz').expect(200);
      expect(res.body).to.deep.equal({ status: 'ready', checks: { store: 'ok', audit: 'ok' } });
      expect(res.headers['cache-control']).to.equal('no-store');
    }
    expect(await auditEventCount(env)).to.equal(before);
  });

  it('/readyz is 503 while the store does not answer (and says which check failed, not why)', async () => {
    faults.ping = true;
    const res = await request(env.app).get('/readyz').expect(503);
    expect(res.body).to.deep.equal({ status: 'not-ready', checks: { store: 'failing', audit: 'ok' } });
    expect(res.text).to.not.include('injected');
    faults.ping = false;
    await request(env.app).get('/readyz').expect(200);
  });

  it('/readyz is 503 when a store ping hangs (bounded wait)', async function () {
    this.timeout(10_000);
    faults.hang = true;
    const started = Date.now();
    const res = await request(env.app).get('/readyz').expect(503);
    expect(res.body.checks.store).to.equal('failing');
    expect(Date.now() - started).to.be.below(5000);
  });

  it('/readyz is 503 after the audit trail failed to store a request, and ready again once it stores one', async () => {
    const admin = await env.auth('estate-admin');
    faults.transaction = true;
    // Reads still work, but the request cannot be audited: 503, and the instance is not ready.
    await request(env.app).get('/fhir/Organization').set('Authorization', admin).expect(503);
    const res = await request(env.app).get('/readyz').expect(503);
    expect(res.body).to.deep.equal({ status: 'not-ready', checks: { store: 'ok', audit: 'failing' } });
    faults.transaction = false;
    await request(env.app).get('/fhir/Organization').set('Authorization', admin).expect(200);
    await request(env.app).get('/readyz').expect(200);
  });

  it('/readyz is 503 once the Envelope is closing', async () => {
    const closing = await startEnvelope();
    await request(closing.app).get('/readyz').expect(200);
    await closing.stop();
    const res = await request(closing.app).get('/readyz').expect(503);
    expect(res.body.checks).to.deep.equal({ store: 'failing', audit: 'failing' });
  });

  describe('audit health', () => {
    it('forgets a failure after its memory, so an idle instance comes back and the next request tries again', () => {
      let now = 0;
      const h = new AuditHealth(10_000, () => now);
      expect(h.state).to.equal('ok');
      h.failed();
      now = 9_999;
      expect(h.state).to.equal('failing');
      now = 10_000;
      expect(h.state).to.equal('ok');
      h.failed();
      h.succeeded();
      expect(h.state).to.equal('ok');
      h.close();
      now = 1e9;
      expect(h.state).to.equal('failing');
    });

    it('a probe fails when its check throws or outlives the timeout', async () => {
      expect(await probe(async () => 1, 100)).to.equal('ok');
      expect(await probe(async () => { throw new Error('x'); }, 100)).to.equal('failing');
      expect(await probe(() => new Promise(() => undefined), 50)).to.equal('failing');
    });
  });
});
