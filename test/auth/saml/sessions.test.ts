// Sign-on sessions on the real RecordStore (SQLite): only the secret's hash is stored, idle and
// absolute limits by an injected clock, throttled touches, logout and IdP-initiated logout.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readCookie, serializeCookie } from '../../../src/auth/session/cookies.js';
import { checkCsrf, originAllowed, tokensEqual } from '../../../src/auth/session/csrf.js';
import { principalOf, sessionScheme } from '../../../src/auth/session/session-scheme.js';
import { createSessions, SESSION_KIND, type NewSession } from '../../../src/auth/session/sessions.js';
import { isSafeReturnTo } from '../../../src/auth/saml/return-to.js';
import { FhirError } from '../../../src/domain/errors.js';
import { startEnvelope, type TestEnvelope } from '../../helpers/envelope.js';

const MIN = 60_000;
const fields = (nameID = 'user-1', selected?: string): NewSession => ({
  userId: nameID, authnContext: 'urn:x', strongAuthentication: true,
  profiles: [{ id: 'p-1', orgCode: 'A81001', roleCode: 'R8000', role: 'gp-clinician' }, { id: 'p-2', orgCode: 'RXX', roleCode: 'R8000', role: 'consultant' }],
  ...(selected ? { selectedProfileId: selected } : {}),
  subject: { nameID, nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' },
});

describe('auth/session', function () {
  this.timeout(30_000);
  let env: TestEnvelope;
  let t = Date.parse('2030-01-01T09:00:00.000Z');
  const now = () => new Date(t);
  before(async () => {
    env = await startEnvelope();
  });
  after(() => env.stop());
  const sessions = () => createSessions(env.store.records, { now, idleMs: 15 * MIN, absoluteMs: 60 * MIN });

  it('stores the SHA-256 of the cookie secret, never the secret', async () => {
    const { secret, session } = await sessions().create(fields('hash-user'));
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(session.id, createHash('sha256').update(secret).digest('base64url'));
    const rec = await env.store.records.get(SESSION_KIND, session.id, now().toISOString());
    assert.ok(rec);
    assert.equal(rec.owner, 'hash-user');
    assert.ok(!JSON.stringify(rec).includes(secret));
    assert.equal(await sessions().resume(`${secret.slice(0, -1)}x`), undefined);
    assert.equal(await sessions().resume('short'), undefined);
  });

  it('idle limit moves with use (written at most once a minute); absolute limit does not', async () => {
    const s = sessions();
    const { secret } = await s.create(fields());
    const created = t;
    t += 30_000;
    assert.equal((await s.resume(secret))!.data.lastSeenAt, new Date(created).toISOString(), 'no write within a minute');
    t += 40_000;
    assert.equal((await s.resume(secret))!.data.lastSeenAt, new Date(t).toISOString());
    t += 14 * MIN;
    assert.ok(await s.resume(secret));
    t += 15 * MIN;
    assert.equal(await s.resume(secret), undefined, 'idle for 15 minutes');

    const { secret: busy } = await s.create(fields());
    const start = t;
    while (t < start + 59 * MIN) {
      t += 10 * MIN;
      if (t < start + 60 * MIN) assert.ok(await s.resume(busy));
    }
    t = start + 60 * MIN;
    assert.equal(await s.resume(busy), undefined, 'absolute limit');
  });

  it('end and endAllOf remove sessions; a role selection cannot bring an ended session back', async () => {
    const s = sessions();
    const a = await s.create(fields('owner-a'));
    const b = await s.create(fields('owner-a'));
    const c = await s.create(fields('owner-b'));
    assert.equal(await s.endAllOf('owner-a'), 2);
    assert.equal(await s.resume(a.secret), undefined);
    assert.equal(await s.resume(b.secret), undefined);
    assert.ok(await s.resume(c.secret));
    await s.end(c.session.id);
    assert.equal(await s.selectProfile(c.session, 'p-1'), undefined);
    assert.equal(await env.store.records.get(SESSION_KIND, c.session.id, now().toISOString()), undefined);
  });

  it('the session scheme: cookie only without Authorization, CSRF on writes, 403 until a role is selected', async () => {
    const s = sessions();
    const scheme = sessionScheme({ sessions: s, publicOrigin: 'https://envelope.example', scopesFor: () => ['user/Slot.rs'] });
    const { secret, session } = await s.create(fields('scheme-user', 'p-2'));
    const cookie = `other=1; envelope_session=${secret}`;
    assert.equal(await scheme({ method: 'GET', headers: {} }), undefined);
    assert.equal(await scheme({ method: 'GET', headers: { cookie, authorization: 'Bearer x' } }), undefined);
    const p = await scheme({ method: 'GET', headers: { cookie } });
    assert.deepEqual({ ...p, scopes: p!.scopes.length }, {
      sub: 'scheme-user', authMethod: 'saml', role: 'consultant', organization: 'RXX', scopes: 1,
      sessionId: session.id, roleProfileId: 'p-2', authnContext: 'urn:x',
    });
    await assert.rejects(scheme({ method: 'POST', headers: { cookie } }), (e: FhirError) => e.status === 403);
    await assert.rejects(scheme({ method: 'DELETE', headers: { cookie, 'x-csrf-token': session.data.csrfToken, origin: 'https://attacker.example' } }), (e: FhirError) => e.status === 403);
    assert.ok(await scheme({ method: 'POST', headers: { cookie, 'x-csrf-token': session.data.csrfToken, origin: 'https://envelope.example' } }));
    await assert.rejects(scheme({ method: 'GET', headers: { cookie: `envelope_session=${'B'.repeat(43)}` } }), (e: FhirError) => e.status === 401);
    const unselected = await s.create(fields('scheme-user'));
    assert.throws(() => principalOf(unselected.session, () => []), (e: FhirError) => e.status === 403);
    assert.throws(() => principalOf(session, () => undefined), (e: FhirError) => e.status === 403, 'a role the policy no longer has');
  });

  it('cookies: a repeated name is ambiguous and read as absent; attributes are written as asked', () => {
    assert.equal(readCookie('a=1; envelope_session=x; b=2', 'envelope_session'), 'x');
    assert.equal(readCookie('envelope_session=x; envelope_session=y', 'envelope_session'), undefined);
    assert.equal(readCookie(undefined, 'a'), undefined);
    assert.equal(serializeCookie('n', 'v', { path: '/', secure: true, sameSite: 'Lax', maxAgeSec: 0 }), 'n=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0');
  });

  it('CSRF helpers: constant-time token comparison and same-origin checks', () => {
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abd', 'abc'), false);
    assert.equal(tokensEqual(undefined, 'abc'), false);
    assert.equal(originAllowed({}, undefined), true);
    assert.equal(originAllowed({ origin: 'http://localhost:8080', host: 'localhost:8080' }, undefined), true);
    assert.equal(originAllowed({ origin: 'http://localhost:9999', host: 'localhost:8080' }, undefined), false);
    assert.equal(originAllowed({ origin: 'null', host: 'localhost:8080' }, undefined), false);
    assert.equal(originAllowed({ origin: 'https://e.example' }, 'https://e.example'), true);
    assert.equal(originAllowed({ origin: 'http://e.example' }, 'https://e.example'), false);
    assert.doesNotThrow(() => checkCsrf({ method: 'HEAD', headers: {} }, 't', undefined));
  });

  it('returnTo: only paths on this server', () => {
    for (const ok of ['/', '/fhir/Slot?_count=1', '/app/#/x']) assert.equal(isSafeReturnTo(ok), true, ok);
    for (const bad of ['', 'x', '//e.example', '/\\e.example', 'https://e.example', '/a\tb', '/\u0000', `/${'a'.repeat(3000)}`, 5]) {
      assert.equal(isSafeReturnTo(bad), false, String(bad));
    }
  });
});
