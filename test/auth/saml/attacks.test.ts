// Every way a SAML response can be forged, replayed or misdirected, made by a real IdP with real keys
// and posted through Envelope's ACS. Each must be refused with 401 (403 for a user with no usable
// role), set no cookie at all, create no session record, and never echo the assertion.
import { expect } from 'chai';
import type { Response } from 'supertest';
import type { Attack } from '../../../scripts/saml-idp/response.js';
import { SESSION_KIND } from '../../../src/auth/session/sessions.js';
import { Browser, setCookies, startSamlWorld, USERS, type IdpChoice, type SamlWorld } from './support.js';

describe('auth/saml: attacks on the assertion consumer', function () {
  this.timeout(60_000);
  let world: SamlWorld;
  before(async () => {
    world = await startSamlWorld();
  });
  after(() => world.stop());

  async function sessionsOf(nameID: string): Promise<number> {
    return (await world.env.store.records.list(SESSION_KIND, nameID, new Date().toISOString())).length;
  }

  function expectRefused(res: Response, status = 401, posted?: string): void {
    expect(res.status, res.text).to.equal(status);
    expect(setCookies(res), 'no cookie on a refused sign-on').to.deep.equal([]);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(res.text).to.not.match(/Assertion|AttributeValue|nhsid_nrbac_roles/);
    if (posted) expect(res.text).to.not.include(posted.slice(0, 40));
  }

  async function attempt(b: Browser, choice: IdpChoice): Promise<Response> {
    const form = await b.atIdp(await b.startLogin(), choice);
    const res = await b.postToAcs(form);
    expectRefused(res, 401, form.SAMLResponse);
    return res;
  }

  it('(control) the same IdP and browser sign on when nothing is tampered with', async () => {
    const res = await world.browser().signOn({ user: USERS.clerk });
    expect(res.status, res.text).to.equal(303);
  });

  const forged: [Attack, string][] = [
    ['unsigned', 'an unsigned response'],
    ['unsigned-assertion', 'a signed response around an unsigned assertion'],
    ['unsigned-response', 'a signed assertion in an unsigned response'],
    ['wrapping', 'signature wrapping: the signed assertion hidden in Extensions, a forged one in its place'],
    ['signature-of-other-element', 'a response whose signature is a copy of the assertion\'s (signed, but another element)'],
    ['altered-attribute', 'a role profile altered after signing'],
    ['expired', 'an expired assertion (beyond the clock skew)'],
    ['wrong-audience', 'an assertion for another service provider'],
    ['wrong-recipient', 'an assertion addressed to another endpoint'],
    ['wrong-in-response-to', 'a response to a request this server never sent'],
    ['unsolicited', 'an unsolicited (IdP-initiated) response'],
    ['other-key', 'a response signed by another key (its certificate in KeyInfo)'],
    ['sha1', 'a response signed with RSA-SHA1'],
  ];
  for (const [attack, what] of forged) {
    it(`refuses ${what}`, async () => {
      const before = await sessionsOf(USERS.gp);
      await attempt(world.browser(), { user: USERS.gp, attack });
      expect(await sessionsOf(USERS.gp)).to.equal(before);
      expect(await sessionsOf('evil-0001')).to.equal(0);
    });
  }

  it('refuses a smartcard-only role after a password sign-on (too weak authentication context)', async () => {
    const before = await sessionsOf(USERS.gp);
    const res = await attempt(world.browser(), { user: USERS.gp, context: 'password' });
    expect(res.body.issue[0].diagnostics).to.match(/too weak/);
    expect(await sessionsOf(USERS.gp)).to.equal(before);
  });

  it('refuses an authentication context it does not know as weak, even one that sounds strong', async () => {
    await attempt(world.browser(), { user: USERS.gp, context: 'urn:example:ac:classes:SuperSmartcard' });
  });

  it('refuses a user none of whose role profiles maps to an Envelope role (403, no session)', async () => {
    const b = world.browser();
    const form = await b.atIdp(await b.startLogin(), { user: USERS.unmapped });
    const res = await b.postToAcs(form);
    expectRefused(res, 403);
    expect(await sessionsOf(USERS.unmapped)).to.equal(0);
  });

  it('refuses a replay of an accepted response', async () => {
    const b = world.browser();
    const loginCookie = () => b.cookies.get('envelope_saml_login');
    const form = await b.atIdp(await b.startLogin(), { user: USERS.clerk });
    const nonce = loginCookie()!;
    expect((await b.postToAcs(form)).status).to.equal(303);
    const after = await sessionsOf(USERS.clerk);
    // The attacker has the posted form and even the login cookie.
    const attacker = world.browser();
    attacker.cookies.set('envelope_saml_login', nonce);
    const res = await attacker.postToAcs(form);
    expectRefused(res, 401, form.SAMLResponse);
    expect(await sessionsOf(USERS.clerk)).to.equal(after);
  });

  it('refuses two simultaneous posts of one response but one', async () => {
    const b = world.browser();
    const form = await b.atIdp(await b.startLogin(), { user: USERS.clerk });
    const twin = world.browser();
    twin.cookies.set('envelope_saml_login', b.cookies.get('envelope_saml_login')!);
    const results = await Promise.all([b.postToAcs(form), twin.postToAcs(form)]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([303, 401]);
  });

  it('refuses a new response that repeats an assertion id already used (remembered until it expires)', async () => {
    expect((await world.browser().signOn({ user: USERS.clerk })).status).to.equal(303);
    const res = await attempt(world.browser(), { user: USERS.clerk, attack: 'reuse-assertion-id' });
    expect(res.body.issue[0].diagnostics).to.match(/already used/);
  });

  it('refuses a response to a login started in another browser (login CSRF, session fixation)', async () => {
    const victim = world.browser();
    const attacker = world.browser();
    // The attacker signs on at the IdP as themselves and gets the victim's browser to post it.
    const form = await attacker.atIdp(await attacker.startLogin(), { user: USERS.clerk });
    await victim.startLogin();
    expectRefused(await victim.postToAcs(form), 401, form.SAMLResponse);
    const noLoginAtAll = world.browser();
    expectRefused(await noLoginAtAll.postToAcs(form), 401, form.SAMLResponse);
  });

  it('answers a malformed post with 400, never a 500 or a stack trace', async () => {
    const b = world.browser();
    await b.startLogin();
    const garbage = await b.post('/auth/saml/acs', 'SAMLResponse=%%%not-base64', {}, 'application/x-www-form-urlencoded');
    expect([400, 401]).to.include(garbage.status);
    expect(setCookies(garbage)).to.deep.equal([]);
    const notXml = await b.post('/auth/saml/acs', `SAMLResponse=${Buffer.from('<<<').toString('base64')}`, {}, 'application/x-www-form-urlencoded');
    expectRefused(notXml, 401);
    const missing = await b.post('/auth/saml/acs', 'RelayState=/x', {}, 'application/x-www-form-urlencoded');
    expect(missing.status).to.equal(400);
    const huge = await b.post('/auth/saml/acs', `SAMLResponse=${'A'.repeat(200_000)}`, {}, 'application/x-www-form-urlencoded');
    expect(huge.status).to.equal(413);
    for (const r of [garbage, notXml, missing, huge]) expect(r.text).to.not.match(/at \S+ \(|node_modules/);
  });

  it('does not take SAML messages in the query string of the ACS or the login endpoint', async () => {
    const b = world.browser();
    const form = await b.atIdp(await b.startLogin(), { user: USERS.clerk });
    const res = await b.post(`/auth/saml/acs?SAMLResponse=${encodeURIComponent(form.SAMLResponse)}`, `SAMLResponse=${encodeURIComponent(form.SAMLResponse)}`, {}, 'application/x-www-form-urlencoded');
    expect(res.status).to.equal(400);
    expect(setCookies(res)).to.deep.equal([]);
    expect((await b.get('/auth/saml/login?SAMLRequest=abc')).status).to.equal(400);
  });
});
