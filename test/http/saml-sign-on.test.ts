// People's sign-on end to end: a real SAML IdP on localhost, the composed Envelope, and a browser-like
// cookie jar. Login → IdP → ACS → session cookie → FHIR calls with the session → CSRF on writes →
// logout; role selection, timeouts, single logout, restarts, and the open-redirect defence.
import { expect } from 'chai';
import { createVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ensureKeyPair } from '../../scripts/saml-idp/keys.js';
import { logoutResponseXml, postBindingMessage } from '../../scripts/saml-idp/logout.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { startEnvelope } from '../helpers/envelope.js';
import { MongoDouble } from '../store/mongo-double/index.js';
import { ORIGIN, setCookies, startIdp, startSamlWorld, USERS, type SamlWorld } from '../auth/saml/support.js';

describe('http: SAML sign-on (end to end against a local IdP)', function () {
  this.timeout(60_000);
  let world: SamlWorld;
  before(async () => {
    world = await startSamlWorld();
  });
  after(() => world.stop());

  it('login redirects to the IdP with a deflated AuthnRequest asking for smartcard strength, and sets a short-lived login cookie', async () => {
    const b = world.browser();
    const res = await b.get('/auth/saml/login?returnTo=/fhir/Slot');
    expect(res.status).to.equal(302);
    const location = new URL(res.headers['location'] as string);
    expect(location.origin + location.pathname).to.equal(world.idp.ssoUrl);
    expect(location.searchParams.get('RelayState')).to.equal('/fhir/Slot');
    const { inflateRawSync } = await import('node:zlib');
    const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(xml).to.include('urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard');
    expect(xml).to.include('Comparison="exact"');
    expect(xml).to.include(`AssertionConsumerServiceURL="${ORIGIN}/auth/saml/acs"`);
    const cookie = setCookies(res).find((c) => c.startsWith('envelope_saml_login='));
    expect(cookie).to.match(/HttpOnly/).and.match(/Path=\/auth\/saml/).and.match(/Max-Age=600/).and.match(/SameSite=Lax/);
  });

  it('signs on: the ACS sets an HttpOnly SameSite=Lax session cookie and sends the browser to returnTo', async () => {
    const b = world.browser();
    const res = await b.signOn({ user: USERS.gp }, '/fhir/Slot?_count=1');
    expect(res.status, res.text).to.equal(303);
    expect(res.headers['location']).to.equal('/fhir/Slot?_count=1');
    const cookie = setCookies(res).find((c) => c.startsWith('envelope_session='));
    expect(cookie).to.match(/HttpOnly/).and.match(/SameSite=Lax/).and.match(/Path=\//);
    expect(cookie).to.not.match(/Secure/); // http://envelope.test is local development
    expect(b.cookies.has('envelope_saml_login')).to.equal(false);
  });

  it('GET /auth/session tells who is signed on, in which role profile, until when, and the CSRF token', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const s = await b.session();
    expect(s['user']).to.deep.equal({ id: USERS.gp, name: 'Dr Alice Jones', fhirUser: 'Practitioner/alice-jones' });
    expect(s['role']).to.equal('gp-clinician');
    expect(s['organization']).to.equal('A81001');
    expect(s['selectedRoleProfile']).to.equal('555000000001-01');
    expect(s['strongAuthentication']).to.equal(true);
    expect(s['authnContext']).to.equal('urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI');
    expect(s.csrfToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(s['expiresAt'] as string)).to.be.greaterThan(Date.now());
  });

  it('the session works for FHIR reads; writes need the CSRF token; logout ends it', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const { csrfToken } = await b.session();
    const read = await b.get('/fhir/Slot');
    expect(read.status, read.text).to.equal(200);
    expect(read.body.resourceType).to.equal('Bundle');

    const patient = { resourceType: 'Patient', name: [{ family: 'Session' }] };
    const noToken = await b.post('/fhir/Patient', patient, {}, 'application/fhir+json');
    expect(noToken.status).to.equal(403);
    expect(noToken.body.resourceType).to.equal('OperationOutcome');
    expect(noToken.body.issue[0].diagnostics).to.match(/CSRF/);
    const wrongToken = await b.post('/fhir/Patient', patient, { 'X-CSRF-Token': 'x'.repeat(43) }, 'application/fhir+json');
    expect(wrongToken.status).to.equal(403);
    const crossOrigin = await b.post('/fhir/Patient', patient, { 'X-CSRF-Token': csrfToken, Origin: 'https://attacker.example' }, 'application/fhir+json');
    expect(crossOrigin.status).to.equal(403);
    // With the token the call is authenticated: what happens next is the access policy's business.
    const withToken = await b.post('/fhir/Patient', patient, { 'X-CSRF-Token': csrfToken, Origin: ORIGIN }, 'application/fhir+json');
    expect(withToken.status).to.not.equal(401);
    expect(JSON.stringify(withToken.body)).to.not.match(/CSRF|Cross-origin|Select a role/);
    const search = await b.post('/fhir/Slot/_search', '_count=1', { 'X-CSRF-Token': csrfToken }, 'application/x-www-form-urlencoded');
    expect(search.status, search.text).to.equal(200);

    const logoutWithoutToken = await b.post('/auth/saml/logout');
    expect(logoutWithoutToken.status).to.equal(403);
    const logout = await b.post('/auth/saml/logout', undefined, { 'X-CSRF-Token': csrfToken });
    expect(logout.status).to.equal(303);
    const to = new URL(logout.headers['location'] as string);
    expect(to.origin + to.pathname).to.equal(world.idp.sloUrl);
    expect(to.searchParams.has('SAMLRequest')).to.equal(true);
    expect(setCookies(logout).some((c) => /^envelope_session=;.*Max-Age=0/.test(c))).to.equal(true);
  });

  it('logins (accepted and refused) and logouts are in the audit trail', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const { csrfToken } = await b.session();
    expect((await b.get('/fhir/Slot?_count=1')).status).to.equal(200);
    expect((await b.post('/auth/saml/logout', undefined, { 'X-CSRF-Token': csrfToken })).status).to.equal(303);
    // A response posted with no sign-on started in this browser is refused, and recorded.
    expect((await request(world.env.app).post('/auth/saml/acs').type('form').send({ SAMLResponse: Buffer.from('<x/>').toString('base64') })).status).to.equal(401);
    const auditor = await world.env.auth('auditor', { organization: 'RR8' });
    const trail = await request(world.env.app).get('/fhir/AuditEvent?date=ge2020-01-01&date=le2040-01-01&_sort=-date&_count=1000').set('Authorization', auditor);
    expect(trail.status, trail.text).to.equal(200);
    const events = (trail.body.entry ?? []).map((e: { resource: Record<string, unknown> }) => JSON.stringify(e.resource));
    expect(events.some((e: string) => e.includes('110122') && e.includes('555000000001') && e.includes('"outcome":"0"')), 'accepted login').to.equal(true);
    expect(events.some((e: string) => e.includes('110123') && e.includes('555000000001')), 'logout').to.equal(true);
    // FHIR calls made in the session carry the assertion id of its login (BALP: agent.policy).
    const login = (trail.body.entry as { resource: { type: { code: string }; agent: { policy?: string[] }[] } }[])
      .map((e) => e.resource).find((r) => JSON.stringify(r).includes('110122') && JSON.stringify(r).includes('555000000001'))!;
    const assertionId = login.agent.flatMap((a) => a.policy ?? [])[0];
    expect(assertionId, 'the login records its assertion id').to.be.a('string');
    expect(events.some((e: string) => e.includes('"code":"search-type"') && e.includes(assertionId!)), 'the session\'s FHIR search carries it').to.equal(true);
    expect(events.some((e: string) => e.includes('110122') && e.includes('"outcome":"4"')), 'refused login').to.equal(true);
  });

  it('after logout the old cookie is worthless: FHIR and /auth/session answer 401', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const { csrfToken } = await b.session();
    const cookie = b.cookieHeader();
    expect((await b.post('/auth/saml/logout', undefined, { 'X-CSRF-Token': csrfToken })).status).to.equal(303);
    const fhir = await request(world.env.app).get('/fhir/Slot').set('Cookie', cookie);
    expect(fhir.status).to.equal(401);
    expect(fhir.body.resourceType).to.equal('OperationOutcome');
    expect((await request(world.env.app).get('/auth/session').set('Cookie', cookie)).status).to.equal(401);
  });

  it('single logout round trip: the IdP gets a LogoutRequest and its signed LogoutResponse is accepted', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const { csrfToken } = await b.session();
    const logout = await b.post('/auth/saml/logout', 'ignored=1', { 'X-CSRF-Token': csrfToken }, 'application/x-www-form-urlencoded');
    const atIdp = await fetch(logout.headers['location'] as string, { redirect: 'manual' });
    expect(atIdp.status).to.equal(302);
    expect(world.idp.logoutRequestsReceived.length).to.be.greaterThan(0);
    const back = new URL(atIdp.headers.get('location')!);
    expect(back.origin + back.pathname).to.equal(`${ORIGIN}/auth/saml/slo`);
    const done = await b.get(back.pathname + back.search);
    expect(done.status, done.text).to.equal(200);
    expect(done.body).to.deep.equal({ signedOut: true });
  });

  it('logout also works from the confirmation page form (_csrf field), whose CSP lets the form go on to the IdP', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const page = await b.get('/auth/saml/logout');
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.include(`form-action 'self' ${new URL(world.idp.sloUrl).origin}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(token).to.equal((await b.session()).csrfToken);
    const forged = await b.post('/auth/saml/logout', '_csrf=wrong', { Origin: ORIGIN }, 'application/x-www-form-urlencoded');
    expect(forged.status).to.equal(403);
    expect((await b.get('/auth/session')).status).to.equal(200);
    const res = await b.post('/auth/saml/logout', `_csrf=${token}`, { Origin: ORIGIN }, 'application/x-www-form-urlencoded');
    expect(res.status).to.equal(303);
    expect((await b.get('/auth/session')).status).to.equal(401);
  });

  it('the IdP\'s LogoutResponse in the POST binding is accepted when signed by the IdP, refused otherwise', async () => {
    const message = (key = world.idp.key) => postBindingMessage(
      logoutResponseXml({ idpEntityId: world.idp.entityId, destination: `${ORIGIN}/auth/saml/slo`, inResponseTo: '_any' }), 'LogoutResponse', key);
    const ok = await request(world.env.app).post('/auth/saml/slo').type('form').send({ SAMLResponse: message() });
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body).to.deep.equal({ signedOut: true });
    const forged = await request(world.env.app).post('/auth/saml/slo').type('form').send({ SAMLResponse: message(world.idp.attackerKey) });
    expect(forged.status).to.equal(401);
  });

  it('IdP-initiated logout (signed, redirect binding) ends every session of that user and answers the IdP', async () => {
    const first = world.browser();
    const second = world.browser();
    const other = world.browser();
    await first.signOn({ user: USERS.clerk });
    await second.signOn({ user: USERS.clerk });
    await other.signOn({ user: USERS.gp });
    const url = new URL(world.idp.logoutRequestUrl(USERS.clerk));
    const res = await request(world.env.app).get(url.pathname + url.search);
    expect(res.status, res.text).to.equal(302);
    const answer = new URL(res.headers['location'] as string);
    expect(answer.origin + answer.pathname).to.equal(world.idp.sloUrl);
    expect(answer.searchParams.has('SAMLResponse')).to.equal(true);
    expect((await first.get('/auth/session')).status).to.equal(401);
    expect((await second.get('/fhir/Slot')).status).to.equal(401);
    expect((await other.get('/auth/session')).status, 'another user is not signed out').to.equal(200);
  });

  it('IdP-initiated logout in the POST binding works too', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.clerk });
    const res = await request(world.env.app).post('/auth/saml/slo').type('form').send({ SAMLRequest: world.idp.logoutRequestPost(USERS.clerk) });
    expect(res.status, res.text).to.equal(302);
    expect((await b.get('/auth/session')).status).to.equal(401);
  });

  it('refuses a logout request that is unsigned, signed with SHA-1, or signed by another key (sessions stay)', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.clerk });
    const forged = [
      world.idp.logoutRequestUrl(USERS.clerk, { signature: 'none' }),
      world.idp.logoutRequestUrl(USERS.clerk, { signature: 'sha1' }),
      world.idp.logoutRequestUrl(USERS.clerk, { key: world.idp.attackerKey }),
    ];
    for (const u of forged) {
      const url = new URL(u);
      const res = await request(world.env.app).get(url.pathname + url.search);
      expect(res.status, res.text).to.equal(401);
      expect(res.body.resourceType).to.equal('OperationOutcome');
    }
    const post = await request(world.env.app).post('/auth/saml/slo').type('form')
      .send({ SAMLRequest: world.idp.logoutRequestPost(USERS.clerk, { key: world.idp.attackerKey }) });
    expect(post.status).to.equal(401);
    expect((await b.get('/auth/session')).status).to.equal(200);
  });

  it('a logout message on the ACS, or a sign-on response on the SLO endpoint, is refused', async () => {
    const b = world.browser();
    await b.startLogin();
    const atAcs = await b.post('/auth/saml/acs', new URLSearchParams({ SAMLRequest: world.idp.logoutRequestPost(USERS.clerk) }).toString(), {}, 'application/x-www-form-urlencoded');
    expect(atAcs.status).to.equal(400);
    const c = world.browser();
    const form = await c.atIdp(await c.startLogin(), { user: USERS.clerk });
    const atSlo = await c.post('/auth/saml/slo', new URLSearchParams({ SAMLResponse: form.SAMLResponse }).toString(), {}, 'application/x-www-form-urlencoded');
    expect(atSlo.status).to.equal(401);
    expect(setCookies(atSlo).some((x) => x.startsWith('envelope_session='))).to.equal(false);
  });

  it('serves the service provider metadata', async () => {
    const res = await request(world.env.app).get('/auth/saml/metadata');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/samlmetadata\+xml/);
    expect(res.text).to.include(`entityID="${ORIGIN}/auth/saml/metadata"`);
    expect(res.text).to.include(`Location="${ORIGIN}/auth/saml/acs"`);
    expect(res.text).to.include(`Location="${ORIGIN}/auth/saml/slo"`);
    expect(res.text).to.include('WantAssertionsSigned="true"');
  });

  it('returnTo must be a path on this server (open-redirect defence at login)', async () => {
    for (const bad of ['https://attacker.example/', '//attacker.example/x', '/\\attacker.example', 'javascript:alert(1)', 'relative/path', '/a\nb']) {
      const b = world.browser();
      const res = await b.get(`/auth/saml/login?returnTo=${encodeURIComponent(bad)}`);
      expect(res.status, bad).to.equal(400);
      expect(setCookies(res)).to.deep.equal([]);
    }
  });

  it('a RelayState changed on the way back never sends the signed-on browser to another site', async () => {
    for (const evil of ['https://attacker.example/', '//attacker.example', '/\\attacker.example']) {
      const b = world.browser();
      const form = await b.atIdp(await b.startLogin('/fhir/Slot'), { user: USERS.gp });
      const res = await b.postToAcs({ ...form, RelayState: evil });
      expect(res.status).to.equal(303);
      expect(res.headers['location']).to.equal('/auth/session');
    }
  });

  it('a bearer token wins over the session cookie, and a bad one is not retried as the session', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const bad = await b.get('/fhir/Slot', { Authorization: 'Bearer not-a-token' });
    expect(bad.status).to.equal(401);
    const bearer = await world.env.auth('pas-system');
    const viaToken = await b.post('/fhir/Slot/_search', '_count=1', { Authorization: bearer }, 'application/x-www-form-urlencoded');
    expect(viaToken.status, 'a bearer call needs no CSRF token').to.equal(200);
  });

  it('a cookie that names no session is a 401, not an anonymous request', async () => {
    const res = await request(world.env.app).get('/fhir/Slot').set('Cookie', `envelope_session=${'A'.repeat(43)}`);
    expect(res.status).to.equal(401);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('signing on again in the same browser ends the previous session', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    const old = b.cookieHeader();
    await b.signOn({ user: USERS.gp });
    expect(b.cookieHeader()).to.not.equal(old);
    expect((await request(world.env.app).get('/auth/session').set('Cookie', old)).status).to.equal(401);
    expect((await b.get('/auth/session')).status).to.equal(200);
  });
});

describe('http: SAML sign-on, role profiles', function () {
  this.timeout(60_000);
  let world: SamlWorld;
  before(async () => {
    world = await startSamlWorld();
  });
  after(() => world.stop());

  it('a user with several role profiles must select one; until then FHIR calls get 403', async () => {
    const b = world.browser();
    expect((await b.signOn({ user: USERS.twoProfiles })).status).to.equal(303);
    const s = await b.session();
    expect(s['role']).to.equal(null);
    expect(s['selectedRoleProfile']).to.equal(null);
    expect((s['roleProfiles'] as { role: string }[]).map((p) => p.role)).to.deep.equal(['gp-clinician', 'consultant']);
    const blocked = await b.get('/fhir/Slot');
    expect(blocked.status).to.equal(403);
    expect(blocked.body.issue[0].diagnostics).to.match(/Select a role profile/);

    expect((await b.post('/auth/session/role', { person_roleid: '555000000003-02' })).status, 'CSRF token required').to.equal(403);
    const notMine = await b.post('/auth/session/role', { person_roleid: '555000000001-01' }, { 'X-CSRF-Token': s.csrfToken });
    expect(notMine.status).to.equal(403);
    const selected = await b.post('/auth/session/role', { person_roleid: '555000000003-02' }, { 'X-CSRF-Token': s.csrfToken });
    expect(selected.status, selected.text).to.equal(200);
    expect(selected.body.role).to.equal('consultant');
    expect(selected.body.organization).to.equal('RXX');
    expect((await b.get('/fhir/Patient')).status).to.equal(200);
    const again = await b.post('/auth/session/role', { person_roleid: '555000000003-01' }, { 'X-CSRF-Token': s.csrfToken });
    expect(again.status, 'the session acts in one role profile only').to.equal(409);
    expect((await b.session())['role']).to.equal('consultant');
  });

  it('the role selected at the IdP (selected_roleid) is acted in at once', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.twoProfiles, selected: '555000000003-01' });
    const s = await b.session();
    expect(s['role']).to.equal('gp-clinician');
    expect(s['organization']).to.equal('A81001');
  });

  it('a selected_roleid that is not one of the user\'s profiles selects nothing', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.twoProfiles, selected: 'someone-else-01' });
    expect((await b.session())['role']).to.equal(null);
  });
});

describe('http: SAML sign-on, authentication strength per role', function () {
  this.timeout(60_000);
  const mixed = {
    uid: '555000000009', name: 'Erin Hughes', note: 'a GP who also works in the booking office',
    profiles: [
      { person_roleid: '555000000009-01', org_code: 'A81001', role_code: 'S8000:G8000:R8000', role_name: 'Clinical Practitioner Access Role' },
      { person_roleid: '555000000009-02', org_code: 'RXX', role_code: 'S8001:G8004:R8010', role_name: 'Clerical Access Role' },
    ],
  };
  const grant = [{ resources: ['Slot', 'Schedule'], permissions: 'rs' }];
  const policy = {
    format: 'envelope-role-policy/1',
    roles: {
      'gp-clinician': { description: 'clinical', grants: grant },
      consultant: { description: 'clinical', grants: grant },
      'booking-clerk': { description: 'administrative', grants: grant, weakAuthenticationAllowed: true },
    },
  };
  let world: SamlWorld;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'envelope-saml-map-'));
    const map = join(dir, 'saml-roles.json');
    writeFileSync(map, JSON.stringify({
      format: 'envelope-saml-role-map/1',
      rules: [
        { nationalRole: 'R8000', odsCode: '[A-Z][0-9]{5}', role: 'gp-clinician' },
        { nationalRole: 'R8000', role: 'consultant' },
        { nationalRole: 'R8010', role: 'booking-clerk' },
      ],
    }));
    const { DEMO_USERS } = await import('../../scripts/saml-idp/users.js');
    world = await startSamlWorld({ policy, env: { SAML_ROLE_MAP_FILE: map }, idp: await startIdp({ users: [...DEMO_USERS, mixed] }) });
  });
  after(async () => {
    await world.stop();
    await world.idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a password sign-on may act in a role marked weakAuthenticationAllowed, and only in such roles', async () => {
    const b = world.browser();
    expect((await b.signOn({ user: mixed.uid, context: 'password' })).status).to.equal(303);
    const s = await b.session();
    expect(s['strongAuthentication']).to.equal(false);
    expect((s['roleProfiles'] as { role: string }[]).map((p) => p.role)).to.deep.equal(['booking-clerk']);
    expect(s['role']).to.equal('booking-clerk');
    expect((await b.get('/fhir/Slot')).status).to.equal(200);
    const clinical = await b.post('/auth/session/role', { person_roleid: '555000000009-01' }, { 'X-CSRF-Token': s.csrfToken });
    expect(clinical.status, 'the clinical profile was dropped for the weak sign-on').to.equal(403);
  });

  it('the same user with a smartcard gets both profiles and must choose', async () => {
    const b = world.browser();
    await b.signOn({ user: mixed.uid });
    const s = await b.session();
    expect(s['strongAuthentication']).to.equal(true);
    expect((s['roleProfiles'] as { role: string }[]).map((p) => p.role)).to.deep.equal(['gp-clinician', 'booking-clerk']);
    expect(s['role']).to.equal(null);
  });

  it('a password sign-on that selected the clinical role at the IdP is refused rather than switched', async () => {
    const b = world.browser();
    const res = await b.signOn({ user: mixed.uid, context: 'password', selected: '555000000009-01' });
    expect(res.status).to.equal(401);
    expect(setCookies(res)).to.deep.equal([]);
  });

  it('a password sign-on with only clinical roles is refused', async () => {
    const res = await world.browser().signOn({ user: USERS.twoProfiles, context: 'password' });
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].diagnostics).to.match(/too weak/);
  });
});

describe('http: SAML sign-on, session timeouts (injected clock)', function () {
  this.timeout(60_000);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  let world: SamlWorld;
  before(async () => {
    world = await startSamlWorld({ env: { SESSION_IDLE_MINUTES: '15', SESSION_MAX_HOURS: '1' }, compose: { now } });
  });
  after(() => world.stop());
  beforeEach(() => {
    offsetMs = 0;
  });

  it('idle timeout: use keeps the session alive; 15 minutes without use ends it', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    offsetMs = 14 * 60_000;
    expect((await b.get('/fhir/Slot')).status).to.equal(200);
    offsetMs = 28 * 60_000;
    expect((await b.get('/fhir/Slot')).status, 'idle time counts from the last use').to.equal(200);
    offsetMs = 43 * 60_000 + 1000;
    expect((await b.get('/fhir/Slot')).status).to.equal(401);
    expect((await b.get('/auth/session')).status).to.equal(401);
  });

  it('absolute timeout: however active, the session ends after SESSION_MAX_HOURS', async () => {
    const b = world.browser();
    await b.signOn({ user: USERS.gp });
    for (let minute = 10; minute <= 50; minute += 10) {
      offsetMs = minute * 60_000;
      expect((await b.get('/fhir/Slot')).status, `minute ${minute}`).to.equal(200);
    }
    offsetMs = 59 * 60_000;
    const s = await b.session();
    expect(Date.parse(s['expiresAt'] as string) - Date.parse(s['absoluteExpiresAt'] as string)).to.equal(0);
    offsetMs = 60 * 60_000 + 1000;
    expect((await b.get('/fhir/Slot')).status).to.equal(401);
  });
});

describe('http: SAML sign-on across restarts and configurations', function () {
  this.timeout(60_000);

  it('sessions and pending logins live in the database: both survive a restart on the same SQLite file', async () => {
    const idp = await startIdp();
    const dataDir = mkdtempSync(join(tmpdir(), 'envelope-saml-restart-'));
    const env = { DATA_DIR: dataDir, SQLITE_FILE: 'envelope.sqlite' };
    try {
      const first = await startSamlWorld({ idp, env });
      const signedOn = first.browser();
      await signedOn.signOn({ user: USERS.gp });
      const pending = first.browser();
      const form = await pending.atIdp(await pending.startLogin(), { user: USERS.clerk });
      await first.stop();

      const second = await startSamlWorld({ idp, env });
      try {
        const again = second.browser();
        for (const [k, v] of signedOn.cookies) again.cookies.set(k, v);
        expect((await again.get('/auth/session')).status).to.equal(200);
        expect((await again.get('/fhir/Slot')).status).to.equal(200);
        const finishing = second.browser();
        for (const [k, v] of pending.cookies) finishing.cookies.set(k, v);
        expect((await finishing.postToAcs(form)).status, 'a login started before the restart completes after it').to.equal(303);
      } finally {
        await second.stop();
      }
    } finally {
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('works the same on the MongoDB store (its RecordStore holds the sessions, requests and assertion ids)', async () => {
    const world = await startSamlWorld({ compose: { openStore: (indexer) => openMongoStore({ client: new MongoDouble(), indexer }) } });
    try {
      const b = world.browser();
      const form = await b.atIdp(await b.startLogin(), { user: USERS.gp });
      const nonce = b.cookies.get('envelope_saml_login')!;
      expect((await b.postToAcs(form)).status).to.equal(303);
      expect((await b.get('/fhir/Slot')).status).to.equal(200);
      const replay = world.browser();
      replay.cookies.set('envelope_saml_login', nonce);
      expect((await replay.postToAcs(form)).status).to.equal(401);
      const { csrfToken } = await b.session();
      await b.post('/auth/saml/logout', undefined, { 'X-CSRF-Token': csrfToken });
      expect((await b.get('/auth/session')).status).to.equal(401);
    } finally {
      await world.stop();
    }
  });

  it('with an https PUBLIC_BASE_URL the cookies are Secure and the login cookie is SameSite=None', async () => {
    const origin = 'https://envelope.test';
    const idp = await startIdp({ origin });
    const world = await startSamlWorld({ idp, env: { PUBLIC_BASE_URL: origin } });
    try {
      const b = world.browser();
      const login = await b.get('/auth/saml/login');
      const loginCookie = setCookies(login).find((c) => c.startsWith('envelope_saml_login='));
      expect(loginCookie).to.match(/SameSite=None/).and.match(/Secure/);
      const form = await b.atIdp(login.headers['location'] as string, { user: USERS.gp });
      expect(form.acsUrl).to.equal(`${origin}/auth/saml/acs`);
      const res = await b.postToAcs(form);
      expect(res.status, res.text).to.equal(303);
      expect(setCookies(res).find((c) => c.startsWith('envelope_session='))).to.match(/Secure/).and.match(/HttpOnly/).and.match(/SameSite=Lax/);
      const { csrfToken } = await b.session();
      const http = await b.post('/fhir/Slot/_search', '', { 'X-CSRF-Token': csrfToken, Origin: 'http://envelope.test' }, 'application/x-www-form-urlencoded');
      expect(http.status, 'the http origin is not the https one').to.equal(403);
    } finally {
      await world.stop();
      await idp.close();
    }
  });

  it('with SAML_SP_KEY_FILE Envelope signs its AuthnRequests (RSA-SHA256) and publishes the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envelope-sp-key-'));
    const sp = ensureKeyPair(dir, 'sp', 'Envelope SP');
    const world = await startSamlWorld({ env: { SAML_SP_KEY_FILE: sp.keyFile, SAML_SP_CERT_FILE: sp.certFile } });
    try {
      const b = world.browser();
      const location = new URL(await b.startLogin());
      expect(location.searchParams.get('SigAlg')).to.equal('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      // Redirect binding: the signature covers the query string up to SigAlg, as sent.
      const raw = location.search.slice(1);
      const signed = raw.slice(0, raw.indexOf('&Signature='));
      const signature = decodeURIComponent(raw.slice(raw.indexOf('&Signature=') + '&Signature='.length));
      expect(createVerify('RSA-SHA256').update(signed).verify(sp.cert, signature, 'base64')).to.equal(true);
      const metadata = await request(world.env.app).get('/auth/saml/metadata');
      expect(metadata.text).to.include('AuthnRequestsSigned="true"');
      expect(metadata.text.replace(/\s/g, '')).to.include(sp.cert.replace(/-----[A-Z ]+-----|\s/g, ''));
      expect((await b.postToAcs(await b.atIdp(location.toString(), { user: USERS.gp }))).status).to.equal(303);
    } finally {
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without SAML configuration the sign-on endpoints are unknown (404) and the server works as before', async () => {
    const env = await startEnvelope();
    try {
      for (const path of ['/auth/saml/login', '/auth/saml/metadata', '/auth/session']) {
        const res = await request(env.app).get(path);
        expect(res.status, path).to.equal(404);
        expect(res.body.resourceType).to.equal('OperationOutcome');
      }
      expect((await request(env.app).post('/auth/saml/acs').type('form').send({ SAMLResponse: 'x' })).status).to.equal(404);
      const cookieOnly = await request(env.app).get('/fhir/Slot').set('Cookie', `envelope_session=${'A'.repeat(43)}`);
      expect(cookieOnly.status).to.equal(401);
      expect((await request(env.app).get('/fhir/Slot').set('Authorization', await env.auth('pas-system'))).status).to.equal(200);
    } finally {
      await env.stop();
    }
  });
});
