// Limits: per-client rate limiting (429 with an OperationOutcome and Retry-After on /fhir, RFC 6749
// JSON on /auth/token), URL length and query parameter limits, Cache-Control on every FHIR answer,
// helmet's headers, the server's timeouts, and HTTPS with a configured key and certificate.
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import request from 'supertest';
import { configFromEnv } from '../../src/config.js';
import { TokenBuckets } from '../../src/http/ops/rate-limit.js';
import { createServer } from '../../src/http/ops/server.js';
import { ensureKeyPair } from '../../scripts/saml-idp/keys.js';
import { startEnvelope, type TestEnvelope } from '../helpers/envelope.js';

function expectThrottled(res: request.Response): void {
  expect(res.status).to.equal(429);
  expect(res.body.resourceType).to.equal('OperationOutcome');
  expect(res.body.issue[0].code).to.equal('throttled');
  expect(Number(res.headers['retry-after'])).to.be.at.least(1);
  expect(res.headers['cache-control']).to.equal('no-store');
}

describe('http: operations — limits', function () {
  this.timeout(60_000);

  describe('token buckets', () => {
    it('allow a burst, then refill at the rate, and say when the next token comes', () => {
      let now = 0;
      const b = new TokenBuckets({ perSecond: 2, burst: 3 }, 100, () => now);
      expect([1, 2, 3].map(() => b.take('a').ok)).to.deep.equal([true, true, true]);
      expect(b.take('a')).to.deep.equal({ ok: false, retryAfterSeconds: 1 });
      expect(b.take('b').ok, 'another client has its own bucket').to.equal(true);
      now = 500; // one token back
      expect(b.take('a').ok).to.equal(true);
      expect(b.take('a').ok).to.equal(false);
      now = 60_000; // never more than the burst
      expect([1, 2, 3, 4].map(() => b.take('a').ok)).to.deep.equal([true, true, true, false]);
    });

    it('a slow rate asks for a longer wait', () => {
      const b = new TokenBuckets({ perSecond: 0.1, burst: 1 }, 100, () => 0);
      b.take('a');
      expect(b.take('a')).to.deep.equal({ ok: false, retryAfterSeconds: 10 });
    });

    it('remember a bounded number of clients, forgetting the least recently seen', () => {
      let now = 0;
      const b = new TokenBuckets({ perSecond: 1, burst: 1 }, 3, () => now);
      for (const k of ['a', 'b', 'c']) b.take(k);
      now = 10;
      expect(b.take('a').ok, 'a is still empty').to.equal(false); // a is now the most recent
      b.take('d'); // forgets b, the least recently seen
      expect(b.size).to.equal(3);
      expect(b.take('a').ok, 'a is remembered').to.equal(false);
      expect(b.take('b').ok, 'b was forgotten: a fresh bucket').to.equal(true);
    });

    it('perSecond 0 is off', () => {
      const b = new TokenBuckets({ perSecond: 0, burst: 1 }, 3, () => 0);
      expect(b.enabled).to.equal(false);
      for (let i = 0; i < 100; i++) expect(b.take('a').ok).to.equal(true);
    });
  });

  describe('rate limiting over HTTP', () => {
    let env: TestEnvelope;
    before(async () => {
      env = await startEnvelope({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });
    });
    after(() => env.stop());

    it('limits each principal on its own, with a 429 OperationOutcome and Retry-After, and audits the refusal', async () => {
      const a = await env.auth('estate-admin', { sub: 'clerk-a' });
      const b = await env.auth('estate-admin', { sub: 'clerk-b' });
      for (let i = 0; i < 3; i++) await request(env.app).get('/fhir/Organization').set('Authorization', a).expect(200);
      const res = await request(env.app).get('/fhir/Organization').set('Authorization', a);
      expectThrottled(res);
      // Another principal (from the same address) is not affected.
      await request(env.app).get('/fhir/Organization').set('Authorization', b).expect(200);
      // A fresh token for the same principal is the same client: still throttled.
      const again = await env.auth('estate-admin', { sub: 'clerk-a' });
      expectThrottled(await request(env.app).get('/fhir/Organization').set('Authorization', again));
      const events = await env.store.search({ types: ['AuditEvent'], where: [], sort: [], count: 1000, total: 'none' });
      const refusal = events.matches.map((m) => JSON.stringify(m.resource)).find((e) => e.includes(res.headers['x-request-id']!));
      expect(refusal, 'the throttled request is in the audit trail').to.be.a('string').and.include('429');
    });

    it('limits anonymous calls and bad credentials by address, so a flood of bad tokens is throttled too', async () => {
      const fresh = await startEnvelope({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
      try {
        await request(fresh.app).get('/fhir/metadata').expect(200);
        // A header does not buy a way round the address limit on the anonymous CapabilityStatement.
        await request(fresh.app).get('/fhir/metadata').set('Authorization', 'Bearer made-up').expect(200);
        expectThrottled(await request(fresh.app).get('/fhir/metadata'));
        expectThrottled(await request(fresh.app).get('/fhir/Patient').set('Authorization', 'Bearer not-a-token'));
        expectThrottled(await request(fresh.app).get('/fhir/Patient'));
        // A valid principal has its own bucket.
        await request(fresh.app).get('/fhir/Organization').set('Authorization', await fresh.auth('estate-admin')).expect(200);
      } finally {
        await fresh.stop();
      }
    });

    it('limits /auth/token by address with an RFC 6749 error body', async () => {
      const fresh = await startEnvelope({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
      try {
        for (let i = 0; i < 2; i++) {
          const judged = await request(fresh.app).post('/auth/token').type('form').send({ grant_type: 'client_credentials' });
          expect(judged.status).to.be.oneOf([400, 401]); // judged by the endpoint: no client assertion
          expect(judged.body.error).to.be.a('string').and.not.equal('temporarily_unavailable');
        }
        const res = await request(fresh.app).post('/auth/token').type('form').send({ grant_type: 'client_credentials' }).expect(429);
        expect(res.body.error).to.equal('temporarily_unavailable');
        expect(res.body.error_description).to.match(/Too many/);
        expect(Number(res.headers['retry-after'])).to.be.at.least(1);
        expect(res.headers['cache-control']).to.equal('no-store');
      } finally {
        await fresh.stop();
      }
    });

    it('RATE_LIMIT_PER_SECOND=0 turns limiting off; an in-process Envelope has none unless configured', async () => {
      for (const extra of [{ RATE_LIMIT_PER_SECOND: '0' }, {}] as Record<string, string>[]) {
        const open = await startEnvelope(extra);
        try {
          const admin = await open.auth('estate-admin');
          for (let i = 0; i < 150; i++) await request(open.app).get('/fhir/metadata').expect(200);
          for (let i = 0; i < 30; i++) await request(open.app).get('/fhir/Organization').set('Authorization', admin).expect(200);
        } finally {
          await open.stop();
        }
      }
      expect(configFromEnv({}).rateLimit).to.equal(undefined);
      expect(configFromEnv({ RATE_LIMIT_PER_SECOND: '20' }).rateLimit).to.deep.equal({ perSecond: 20, burst: 40 });
      expect(() => configFromEnv({ RATE_LIMIT_PER_SECOND: '-1' })).to.throw(/RATE_LIMIT_PER_SECOND/);
    });
  });

  describe('request limits and headers', () => {
    let env: TestEnvelope;
    let admin: string;
    before(async () => {
      env = await startEnvelope({ MAX_URL_LENGTH: '512', MAX_QUERY_PARAMS: '5', BODY_LIMIT: '2kb' });
      admin = await env.auth('estate-admin');
    });
    after(() => env.stop());

    it('a URL longer than MAX_URL_LENGTH is 414 with an OperationOutcome', async () => {
      const res = await request(env.app).get(`/fhir/Organization?name=${'x'.repeat(600)}`).set('Authorization', admin).expect(414);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue[0].code).to.equal('too-long');
      await request(env.app).get(`/fhir/Organization?name=${'x'.repeat(400)}`).set('Authorization', admin).expect(200);
    });

    it('more than MAX_QUERY_PARAMS query parameters is 400 with an OperationOutcome, repeats counted', async () => {
      const five = '_count=1&name=a&name=b&name:contains=c&_sort=name';
      await request(env.app).get(`/fhir/Organization?${five}`).set('Authorization', admin).expect(200);
      const res = await request(env.app).get(`/fhir/Organization?${five}&name=d`).set('Authorization', admin).expect(400);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue[0].diagnostics).to.match(/more parameters/);
    });

    it('every FHIR answer is Cache-Control: no-store, errors included, with helmet\'s headers', async () => {
      const created = await request(env.app).post('/fhir/Organization').set('Authorization', admin).send({ resourceType: 'Organization', name: 'N' }).expect(201);
      const answers = [
        created,
        await request(env.app).get(`/fhir/Organization/${created.body.id}`).set('Authorization', admin).expect(200),
        await request(env.app).head(`/fhir/Organization/${created.body.id}`).set('Authorization', admin).expect(200),
        await request(env.app).get('/fhir/metadata').expect(200),
        await request(env.app).get('/fhir/Organization/none').set('Authorization', admin).expect(404),
        await request(env.app).get('/fhir/Organization').expect(401),
        await request(env.app).delete('/fhir/AuditEvent/1').set('Authorization', admin).expect(405),
        await request(env.app).post('/fhir/Organization').set('Authorization', admin).set('Content-Type', 'application/fhir+json').send(`{"name":"${'y'.repeat(3000)}"}`).expect(413),
        await request(env.app).get(`/fhir/Organization?q=${'x'.repeat(600)}`).expect(414),
        await request(env.app).get('/fhir/Organization?a&b&c&d&e&f').expect(400),
      ];
      for (const res of answers) {
        expect(res.headers['cache-control'], `${res.status}`).to.equal('no-store');
        expect(res.headers['x-content-type-options']).to.equal('nosniff');
        expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).to.match(/max-age=/);
        expect(res.headers['content-security-policy']).to.include("default-src 'self'");
        expect(res.headers['x-powered-by']).to.equal(undefined);
      }
    });
  });

  describe('the listening server', () => {
    const timeouts = { requestMs: 2000, headersMs: 300, keepAliveMs: 1000 };
    let env: TestEnvelope;
    before(async () => {
      env = await startEnvelope();
    });
    after(() => env.stop());

    it('answers 408 and closes a connection whose headers do not arrive within the headers timeout', async () => {
      const server = createServer(env.app, { timeouts });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const port = (server.address() as AddressInfo).port;
        const socket = connect(port, '127.0.0.1');
        await once(socket, 'connect');
        let received = '';
        socket.on('data', (d) => { received += d.toString('latin1'); });
        const started = Date.now();
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'); // the blank line never comes
        await once(socket, 'close');
        expect(received).to.match(/^HTTP\/1\.1 408/);
        expect(Date.now() - started).to.be.within(250, 2000);
        // A complete request on a fresh connection is answered.
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(ok.status).to.equal(200);
        expect(server.keepAliveTimeout).to.equal(1000);
        expect(server.requestTimeout).to.equal(2000);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });

    it('serves HTTPS with a configured key and certificate', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'envelope-tls-'));
      const pair = ensureKeyPair(dir, 'tls', 'localhost');
      const server = createServer(env.app, { timeouts, tls: { key: pair.key, cert: pair.cert } });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const port = (server.address() as AddressInfo).port;
        const body = await new Promise<{ status: number; text: string; protocol: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port, path: '/healthz', servername: 'localhost', ca: pair.cert, agent: false }, (res) => {
            const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
            let text = '';
            res.on('data', (d) => { text += String(d); });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text, protocol }));
          });
          req.on('error', reject);
          req.end();
        });
        expect(body.status).to.equal(200);
        expect(JSON.parse(body.text)).to.deep.equal({ status: 'ok' });
        expect(body.protocol).to.match(/^TLSv1\.[23]$/);
        // Plain HTTP to the TLS port gets no answer from the application.
        const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 'refused');
        expect(plain).to.not.equal(200);
      } finally {
        server.closeAllConnections();
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('TLS_KEY_FILE and TLS_CERT_FILE go together; timeouts are checked', () => {
      expect(() => configFromEnv({ TLS_KEY_FILE: '/k.pem' })).to.throw(/together/);
      expect(configFromEnv({ TLS_KEY_FILE: '/k.pem', TLS_CERT_FILE: '/c.pem' }).tls).to.deep.equal({ keyFile: '/k.pem', certFile: '/c.pem' });
      expect(() => configFromEnv({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).to.throw(/HEADERS_TIMEOUT_MS/);
      expect(configFromEnv({}).timeouts).to.deep.equal({ requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5000 });
    });
  });
});
