// Case families at the edges: odd paths (traversal, encodings, unknown endpoints), methods, header
// abuse (sizes up to Node's limit, request-context and break-glass headers with junk), and the
// sign-on endpoints outside /fhir (/auth/token, /auth/saml/*, /auth/session, discovery).
// Requests that Node's HTTP layer answers before the application sees them (headers over 16 KiB,
// bytes HTTP forbids, unknown methods, bad Transfer-Encoding, Expect) are not generated here:
// ./http-parser-limits.test.ts sends those to the real server process.
import { acceptHeader, authHeader, badQueryValue, contentType, encodeComponent, queryString, type Credentials, type FuzzCase } from './case.js';
import { encodeBody } from './encode.js';
import { BAD_PERCENT, HOSTILE_STRINGS, INVALID_UTF8 } from './hostile.js';
import type { Random } from './random.js';
import { TEMPLATES, TYPES, WORLD } from './resources.js';

type Make = (rnd: Random, creds: Credentials) => FuzzCase;

/** Under Node's 16 KiB header limit with the request line and the other headers: the application answers. */
const MAX_HEADER_BYTES = 12 * 1024;

const PATHS: readonly ((rnd: Random) => string)[] = [
  (rnd) => `/fhir/${rnd.pick(TYPES)}/${rnd.pick(['..%2F..%2Fetc%2Fpasswd', '../../etc/passwd', '%2e%2e', '%2e%2e%2f', '..', '.', '%00', 'a%00b', '%252e%252e', 'x%2Fy', '..\\..\\x', 'CON', '%C0%AE%C0%AE', 'fz-patient-1%00.json', '~root', '*'])}`,
  (rnd) => `/fhir/${rnd.pick(TYPES)}/${rnd.pick(BAD_PERCENT)}`,
  (rnd) => `/fhir/${rnd.pick(['patient', 'PATIENT', 'Unknown', 'Bundle', 'Parameters', 'OperationOutcome', 'DomainResource', 'Resource', '__proto__', 'constructor', '$gt', 'metadata/x', '%50atient', 'Patient%2F..'])}`,
  (rnd) => `/fhir/${rnd.pick(TYPES)}/${'a'.repeat(rnd.pick([64, 65, 1000, 4000]))}`,
  (rnd) => `/fhir//${rnd.pick(TYPES)}//${rnd.pick(WORLD.patients)}`,
  (rnd) => `/fhir/${rnd.pick(TYPES)}/${rnd.pick(WORLD.patients)}/${rnd.pick(['_history/1/x', '_history/', 'x/y/z', '$everything', '_search/x', '..', '%2e%2e/%2e%2e'])}`,
  () => '/fhir/',
  (rnd) => rnd.pick(['/', '/admin', '/FHIR/Patient', '/fhir%2FPatient', '/.env', '/%2e%2e/%2e%2e/etc/passwd', '/healthz/../fhir/Patient', '/fhir/../auth/token', '/fhir;x=y/Patient', '/fhir/Patient;jsessionid=1', '/auth', '/auth/', '/auth/saml', '/.well-known/', '/.well-known/../fhir']),
  (rnd) => `http://evil.example${rnd.pick(['/fhir/Patient', '/fhir/metadata', '/auth/token'])}`,
  () => '*',
  (rnd) => `/fhir/${rnd.pick(TYPES)}?${rnd.pick(['', '&', '&&&', '=', '==', '?', '%', '%zz=1', 'a=%', '_format', '_pretty=maybe', '_format=xml&_format=json', '__proto__[x]=1', 'a[]=1&a[]=2', 'x'.repeat(8000)])}`,
];

const paths: Make = (rnd, creds) => ({
  family: 'paths',
  method: rnd.weighted([[10, 'GET'], [2, 'POST'], [2, 'PUT'], [1, 'DELETE'], [1, 'PATCH'], [1, 'HEAD'], [1, 'OPTIONS'], [1, 'TRACE'], [1, 'PROPFIND']] as const),
  target: rnd.pick(PATHS)(rnd),
  headers: [...authHeader(rnd, creds), ...contentType(rnd), ...acceptHeader(rnd)],
  ...(rnd.chance(0.3) ? { body: encodeBody(rnd, TEMPLATES[rnd.pick(TYPES)]!(rnd)) } : {}),
  format: 'any',
});

function junkHeaderValue(rnd: Random): string {
  return rnd.pick<() => string>([
    () => rnd.pick(HOSTILE_STRINGS).replace(/[^\x20-\x7e]/g, ''),
    () => 'x'.repeat(rnd.pick([100, 4000, MAX_HEADER_BYTES - 1000])),
    () => INVALID_UTF8.map((b) => b.toString('latin1')).join(''),
    () => '\u00e9\u00ff\u00a0',
  ])();
}

const headers: Make = (rnd, creds) => {
  const h: [string, string][] = [...authHeader(rnd, creds)];
  const n = rnd.between(1, 4);
  for (let i = 0; i < n; i++) {
    const name = rnd.pick(['Category', 'X-Break-Glass-Reason', 'NHSD-End-User-Organisation-ODS', 'NHSD-End-User-Role', 'NHSD-End-User-ID', 'NHSD-Session-URID',
      'X-Request-ID', 'X-Correlation-ID', 'If-Match', 'If-None-Match', 'If-Modified-Since', 'If-None-Exist', 'Prefer', 'Accept', 'Accept-Charset', 'Accept-Encoding',
      'Cookie', 'Origin', 'X-Forwarded-For', 'X-Forwarded-Host', 'Forwarded', 'X-HTTP-Method-Override', 'Content-Encoding', 'Range', 'X-Junk']);
    let value = junkHeaderValue(rnd);
    if (name === 'Category' && rnd.chance(0.5)) value = 'http://terminology.hl7.org/CodeSystem/v3-ActReason|BTG';
    if (name === 'Cookie' && rnd.chance(0.5)) value = `envelope_session=${rnd.pick(['x', 'a'.repeat(43), '$gt', '../../x'])}`;
    if (name === 'Content-Encoding') value = rnd.pick(['gzip', 'identity', 'br', 'x']);
    h.push([name, value]);
  }
  if (rnd.chance(0.1)) for (let i = 0; i < 80; i++) h.push([`X-Many-${i}`, 'v'.repeat(100)]);
  const write = rnd.chance(0.4);
  return {
    family: 'headers',
    method: write ? 'POST' : 'GET',
    target: write ? '/fhir/Patient' : `/fhir/${rnd.pick(['Patient', 'Appointment', 'Slot', 'Consent'])}${queryString(rnd, [['_count', '5']])}`,
    headers: [...h, ...(write ? contentType(rnd) : [])],
    ...(write ? { body: encodeBody(rnd, TEMPLATES['Patient']!(rnd)) } : {}),
    format: 'fhir',
  };
};

function form(pairs: [string, string][]): Buffer {
  return Buffer.from(pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&'), 'utf8');
}

const token: Make = (rnd) => {
  const assertion = rnd.pick([
    'a.b.c', '', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"x","sub":"x","aud":"x","exp":9999999999,"jti":"1"}').toString('base64url')}.`,
    `${Buffer.from('{"alg":"RS256","kid":"../../x","jku":"http://evil/jwks"}').toString('base64url')}.e30.AAAA`, 'x'.repeat(15000), '{"$gt":""}',
  ]);
  const pairs: [string, string][] = [];
  if (rnd.chance(0.8)) pairs.push(['grant_type', rnd.pick(['client_credentials', 'password', 'authorization_code', '', '$gt', 'client_credentials '])]);
  if (rnd.chance(0.7)) pairs.push(['client_assertion_type', rnd.pick(['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'x', ''])]);
  if (rnd.chance(0.7)) pairs.push(['client_assertion', assertion]);
  if (rnd.chance(0.5)) pairs.push(['scope', rnd.pick(['system/*.read', 'system/Patient.cruds', 'user/*.*', '__proto__', '{"$gt":""}', 'x '.repeat(500)])]);
  if (rnd.chance(0.2)) pairs.push(['grant_type', 'client_credentials']);
  if (rnd.chance(0.1)) pairs.push(['__proto__[x]', '1'], ['client_id', badQueryValue(rnd)]);
  const body = rnd.weighted<() => Buffer>([
    [6, () => form(pairs)],
    [1, () => Buffer.from(JSON.stringify(Object.fromEntries(pairs)), 'utf8')],
    [1, () => Buffer.concat([form(pairs), rnd.pick(INVALID_UTF8)])],
    [1, () => Buffer.alloc(rnd.pick([0, 20_000]), 'a')],
  ])();
  const headers: [string, string][] = rnd.chance(0.85) ? [['Content-Type', 'application/x-www-form-urlencoded']] : contentType(rnd);
  if (rnd.chance(0.1)) headers.push(['Authorization', 'Basic Zm9vOmJhcg==']);
  const method = rnd.chance(0.9) ? 'POST' : rnd.pick(['GET', 'PUT']);
  // The token endpoint answers in OAuth's format; other methods on its path are unknown endpoints.
  return { family: 'auth-token', method, target: `/auth/token${rnd.chance(0.1) ? queryString(rnd, pairs) : ''}`, headers, body, format: method === 'POST' ? 'oauth' : 'any' };
};

const signOn: Make = (rnd) => {
  const xml = rnd.pick([
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', '<x>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>',
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="2020-01-01T00:00:00Z"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>',
  ]);
  const samlResponse = rnd.pick([Buffer.from(xml).toString('base64'), 'not base64 !!!', '', 'A'.repeat(90_000), Buffer.from(rnd.bytes(200)).toString('base64')]);
  const which = rnd.int(5);
  if (which === 0 || which === 1) {
    const pairs: [string, string][] = [['SAMLResponse', samlResponse], ['RelayState', rnd.pick(['/fhir/Slot', 'https://evil.example/', '//evil.example', 'javascript:alert(1)', '', badQueryValue(rnd)])]];
    if (rnd.chance(0.2)) pairs.push(['SAMLResponse', samlResponse]);
    return { family: 'auth-saml', method: 'POST', target: '/auth/saml/acs', headers: [['Content-Type', rnd.chance(0.9) ? 'application/x-www-form-urlencoded' : 'application/json']], body: form(pairs), format: 'fhir' };
  }
  if (which === 2) {
    return { family: 'auth-saml', method: 'GET', target: `/auth/saml/${rnd.pick(['login', 'logout', 'slo', 'metadata', 'acs'])}${queryString(rnd, [['returnTo', rnd.pick(['/fhir/Slot', '//evil', 'https://evil', badQueryValue(rnd)])], ['SAMLRequest', samlResponse.slice(0, 2000)], ['SigAlg', rnd.pick(['http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'x'])], ['Signature', 'AAAA']])}`, headers: [], format: 'any' };
  }
  if (which === 3) {
    return {
      family: 'auth-session', method: rnd.pick(['GET', 'POST']), target: rnd.pick(['/auth/session', '/auth/session/role']),
      headers: [['Cookie', `envelope_session=${rnd.pick(['x', 'a'.repeat(43), '$gt'])}`], ['Content-Type', 'application/json'], ['X-CSRF-Token', rnd.pick(['x', 'a'.repeat(43)])], ['Origin', rnd.pick(['http://envelope.test', 'https://evil.example', 'null'])]],
      body: encodeBody(rnd, { roleProfileId: rnd.pick(['555000000001-01', { $gt: '' }, '__proto__']) }), format: 'any',
    };
  }
  return { family: 'discovery', method: 'GET', target: `${rnd.pick(['/.well-known/smart-configuration', '/.well-known/jwks.json', '/healthz', '/.well-known/openid-configuration'])}${queryString(rnd, [['x', badQueryValue(rnd)]])}`, headers: acceptHeader(rnd), format: 'any' };
};

export const EDGE_FAMILIES: readonly (readonly [number, Make])[] = [
  [6, paths],
  [6, headers],
  [4, token],
  [4, signOn],
];
