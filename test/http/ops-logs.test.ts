// Request logs: one JSON line per request with what an operator needs (request id, route,
// interaction, status, duration, who asked), and nothing that identifies a patient: no ids from the
// path, no query strings, no patient principal's login. Faults go through the same logger.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import request from 'supertest';
import { configFromEnv } from '../../src/config.js';
import { createLogger } from '../../src/http/ops/logger.js';
import type { Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

type Line = Record<string, any>;

/** A log destination that keeps the parsed lines. */
function captured(): { stream: Writable; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { stream, lines };
}

/** The request line for a response, by its X-Request-ID (lines are written when the response has ended). */
async function lineFor(lines: Line[], res: { headers: Record<string, string> }): Promise<Line> {
  const id = res.headers['x-request-id'];
  for (let i = 0; i < 50; i++) {
    const found = lines.filter((l) => l.msg === 'request' && l.reqId === id);
    if (found.length > 0) {
      expect(found, 'one line per request').to.have.length(1);
      return found[0]!;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no log line for request ${id}`);
}

describe('http: operations — request logs', () => {
  let env: TestEnvelope;
  let log: ReturnType<typeof captured>;
  let failReads = false;
  before(async () => {
    log = captured();
    env = await startEnvelope({}, {
      logger: createLogger('info', log.stream),
      // The real store, with a switch that makes reads fail as a broken disk would.
      openStore: async (indexer) => {
        const store = await openSqliteStore({ file: ':memory:', indexer });
        return new Proxy(store, {
          get(t, p) {
            if (p === 'read' && failReads) return async () => { throw new Error('injected: disk I/O error'); };
            const v = Reflect.get(t, p, t);
            return typeof v === 'function' ? v.bind(t) : v;
          },
        }) as Store;
      },
    });
  });
  after(() => env.stop());

  it('logs a request with its id, route template, interaction, status, duration and principal', async () => {
    const admin = await env.auth('estate-admin', { sub: 'estate-clerk-7', organization: 'RR8' });
    const created = await request(env.app).post('/fhir/Organization').set('Authorization', admin)
      .set('X-Request-ID', 'trace-abc-123').send({ resourceType: 'Organization', name: 'Leeds' }).expect(201);
    const line = await lineFor(log.lines, created);
    expect(line).to.include({ level: 'info', reqId: 'trace-abc-123', method: 'POST', route: '/fhir/Organization', interaction: 'create', status: 201, type: 'Organization' });
    expect(line.ms).to.be.a('number').and.to.be.at.least(0);
    expect(line.principal).to.deep.equal({ role: 'estate-admin', authMethod: 'jwt', sub: 'estate-clerk-7', organization: 'RR8' });
    expect(line.time).to.match(/^\d{4}-\d\d-\d\dT/);

    const read = await request(env.app).get(`/fhir/Organization/${created.body.id}/_history/1`).set('Authorization', admin).expect(200);
    expect(await lineFor(log.lines, read)).to.include({ route: '/fhir/Organization/:id/_history/:vid', interaction: 'vread', status: 200 });
  });

  it('never logs resource ids, query strings or a patient principal\'s login', async () => {
    const gp = await env.auth('gp-clinician', { sub: 'dr-jones', organization: 'A81001' });
    const res = await request(env.app).get('/fhir/Patient?family=Zebedee-Quill&birthdate=1970-05-01&identifier=9434765919')
      .set('Authorization', gp).expect(200);
    const search = await lineFor(log.lines, res);
    expect(search).to.include({ route: '/fhir/Patient', interaction: 'search-type' });
    const me = await env.auth('patient', { sub: 'ann-nhs-login-9434765919', fhirUser: 'Patient/ann-4711' });
    const own = await request(env.app).get('/fhir/Patient/ann-4711').set('Authorization', me);
    const line = await lineFor(log.lines, own);
    expect(line).to.include({ route: '/fhir/Patient/:id', interaction: 'read' });
    expect(line.principal).to.deep.equal({ role: 'patient', authMethod: 'jwt' });
    const everything = JSON.stringify(log.lines);
    for (const secret of ['Zebedee', '9434765919', '1970-05-01', 'ann-4711', 'ann-nhs-login', 'family=']) {
      expect(everything, secret).to.not.include(secret);
    }
  });

  it('logs refused and unknown requests without their paths', async () => {
    const anon = await request(env.app).get('/fhir/Patient/secret-id-42').expect(401);
    expect(await lineFor(log.lines, anon)).to.include({ route: '/fhir/Patient/:id', status: 401 }).and.not.have.property('principal');
    const odd = await request(env.app).get('/Patient/secret-id-43?name=Smith').expect(404);
    expect(await lineFor(log.lines, odd)).to.include({ route: 'unknown', interaction: 'unknown', status: 404 });
    expect(JSON.stringify(log.lines)).to.not.match(/secret-id-4[23]/);
  });

  it('logs a server fault through the logger, with its stack but not the path, and answers a bare 500', async () => {
    const admin = await env.auth('estate-admin');
    failReads = true;
    let res;
    try {
      res = await request(env.app).get('/fhir/Organization/fault-id-77').set('Authorization', admin);
    } finally {
      failReads = false;
    }
    expect(res.status).to.equal(500);
    expect(res.text).to.not.include('injected');
    const fault = log.lines.find((l) => l.msg === 'unhandled server fault' && l.reqId === res.headers['x-request-id']);
    expect(fault, 'fault line').to.not.equal(undefined);
    expect(fault).to.include({ level: 'error', route: '/fhir/Organization/:id', method: 'GET' });
    expect(fault!.err.message).to.equal('injected: disk I/O error');
    expect(fault!.err.stack).to.be.a('string');
    expect(JSON.stringify(fault)).to.not.include('fault-id-77');
  });

  it('is silent by default when composed in-process, and follows LOG_LEVEL', async () => {
    expect(await startEnvelope().then(async (e) => { const l = e.logger.level; await e.stop(); return l; })).to.equal('silent');
    expect(await startEnvelope({ LOG_LEVEL: 'warn' }).then(async (e) => { const l = e.logger.level; await e.stop(); return l; })).to.equal('warn');
    expect(() => createLogger('loud')).to.throw();
    expect(() => configFromEnv({ LOG_LEVEL: 'verbose' })).to.throw(/LOG_LEVEL must be one of/);
  });
});
