// On a SQLite file the audit log runs on its own writer thread: the records are still durable
// before each response, chained across restarts, and concurrent requests share commits.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { verifyChain } from '../../src/audit/verify.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

describe('http: the audit writer thread (SQLite file)', function () {
  this.timeout(60_000);

  it('records every request before answering, and the chain verifies across a restart', async () => {
    let env: TestEnvelope = await startEnvelope({ SQLITE_FILE: 'envelope.sqlite' });
    const env1 = env;
    try {
      const estate = await env.auth('estate-admin');
      await request(env.app).put('/fhir/Organization/o1').set('Authorization', estate).send({ resourceType: 'Organization', id: 'o1', name: 'One' }).expect(201);
      // Many at once: they all answer, each with its record stored first.
      await Promise.all(Array.from({ length: 40 }, (_, i) =>
        request(env.app).get('/fhir/Organization/o1').set('Authorization', estate).set('X-Request-ID', `par-${i}`).expect(200)));
      const auditor = await env.auth('auditor');
      const trail = await request(env.app).get('/fhir/AuditEvent?date=ge2020-01-01&date=le2100-01-01&_count=1000').set('Authorization', auditor).expect(200);
      const ids = JSON.stringify(trail.body);
      for (let i = 0; i < 40; i++) assert.ok(ids.includes(`par-${i}`), `par-${i} recorded`);
      await env.close();
      // The same data folder again: the chain goes on where it stopped.
      env = await startEnvelope({ SQLITE_FILE: 'envelope.sqlite', DATA_DIR: env1.dataDir });
      await request(env.app).get('/fhir/Organization/o1').set('Authorization', await env.auth('estate-admin')).expect(200);
      const chain = await verifyChain(env.store);
      assert.ok(chain.ok, JSON.stringify(chain));
      assert.ok(chain.ok && chain.events >= 43, JSON.stringify(chain));
    } finally {
      await env.stop();
      rmSync(env1.dataDir, { recursive: true, force: true });
    }
  });
});
