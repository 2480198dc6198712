// SAML 2.0 Responses as an identity provider sends them (HTTP-POST binding), signed with xml-crypto:
// the assertion first, then the whole response (RSA-SHA256, SHA-256 digests, exclusive c14n), and,
// for the tests, each way an attacker or a broken IdP could get it wrong.
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { IdpUser } from './users.js';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
} as const;

export const AUTHN_CONTEXT = {
  smartcard: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
} as const;

const ALG = {
  sha256: { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
  sha1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
} as const;
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Everything an attack may change; the defaults are a correct response. */
export const ATTACKS = [
  'unsigned', 'unsigned-assertion', 'unsigned-response', 'wrapping', 'signature-of-other-element',
  'altered-attribute', 'expired', 'wrong-audience', 'wrong-recipient', 'wrong-in-response-to', 'unsolicited',
  'other-key', 'sha1', 'reuse-assertion-id',
] as const;
export type Attack = (typeof ATTACKS)[number];

export function isAttack(v: unknown): v is Attack {
  return typeof v === 'string' && (ATTACKS as readonly string[]).includes(v);
}

export interface SigningKey {
  key: string;
  cert: string;
}

export interface ResponseSpec {
  idpEntityId: string;
  /** The AuthnRequest's ID; absent: an unsolicited response. */
  inResponseTo?: string;
  acsUrl: string;
  audience: string;
  user: IdpUser;
  authnContext: string;
  /** Sent as the practitioner attribute when set. */
  practitioner?: string;
  now: Date;
  assertionId?: string;
  /** Overrides the user's own selected role (the IdP's role picker). */
  selectedRole?: string;
  validForMs?: number;
}

export function newId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attribute(name: string, values: readonly string[]): string {
  const vs = values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('');
  return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${vs}</saml:Attribute>`;
}

/** The JSON text of one role profile, exactly as it appears in the assertion. */
export function profileJson(p: IdpUser['profiles'][number]): string {
  return JSON.stringify(p);
}

export function assertionXml(spec: ResponseSpec, id: string): string {
  const t = spec.now.getTime();
  const issue = spec.now.toISOString();
  const until = new Date(t + (spec.validForMs ?? 5 * 60_000)).toISOString();
  const notBefore = new Date(t - 30_000).toISOString();
  const irt = spec.inResponseTo ? ` InResponseTo="${escapeXml(spec.inResponseTo)}"` : '';
  const selected = spec.selectedRole ?? spec.user.selectedRole;
  const attrs = [
    attribute('uid', [spec.user.uid]),
    attribute('displayName', [spec.user.name]),
    attribute('nhsid_nrbac_roles', spec.user.profiles.map(profileJson)),
    ...(selected ? [attribute('selected_roleid', [selected])] : []),
    ...(spec.practitioner ? [attribute('practitioner', [spec.practitioner])] : []),
  ].join('');
  return `<saml:Assertion xmlns:saml="${NS.assertion}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${id}" Version="2.0" IssueInstant="${issue}">`
    + `<saml:Issuer>${escapeXml(spec.idpEntityId)}</saml:Issuer>`
    + '<saml:Subject>'
    + `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${escapeXml(spec.user.uid)}</saml:NameID>`
    + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    + `<saml:SubjectConfirmationData${irt} NotOnOrAfter="${until}" Recipient="${escapeXml(spec.acsUrl)}"/>`
    + '</saml:SubjectConfirmation></saml:Subject>'
    + `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${until}">`
    + `<saml:AudienceRestriction><saml:Audience>${escapeXml(spec.audience)}</saml:Audience></saml:AudienceRestriction>`
    + '</saml:Conditions>'
    + `<saml:AuthnStatement AuthnInstant="${issue}" SessionIndex="${newId()}">`
    + `<saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(spec.authnContext)}</saml:AuthnContextClassRef></saml:AuthnContext>`
    + '</saml:AuthnStatement>'
    + `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>`
    + '</saml:Assertion>';
}

export function responseXml(spec: ResponseSpec, assertion: string, id = newId()): string {
  const irt = spec.inResponseTo ? ` InResponseTo="${escapeXml(spec.inResponseTo)}"` : '';
  return `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${spec.now.toISOString()}" Destination="${escapeXml(spec.acsUrl)}"${irt}>`
    + `<saml:Issuer>${escapeXml(spec.idpEntityId)}</saml:Issuer>`
    + `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
    + assertion
    + '</samlp:Response>';
}

const RESPONSE = "/*[local-name(.)='Response']";
const ASSERTION = `${RESPONSE}/*[local-name(.)='Assertion']`;

/** An enveloped signature over the element at `target`, placed after its Issuer as the schema wants. */
export function signElement(xml: string, target: string, key: SigningKey, alg: keyof typeof ALG = 'sha256'): string {
  const sig = new SignedXml({ privateKey: key.key, publicCert: key.cert, signatureAlgorithm: ALG[alg].signature, canonicalizationAlgorithm: EXC_C14N });
  sig.addReference({ xpath: target, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: ALG[alg].digest });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

function between(xml: string, open: RegExp, close: string): [number, number] {
  const m = open.exec(xml);
  if (!m) throw new Error(`no ${open.source} in the response`);
  const end = xml.indexOf(close, m.index);
  if (end < 0) throw new Error(`no ${close} in the response`);
  return [m.index, end + close.length];
}

/** The signed response for a spec, or the attack's version of it. */
export function buildResponse(spec: ResponseSpec, key: SigningKey, opts: { attack?: Attack; attackerKey?: SigningKey } = {}): string {
  const attack = opts.attack;
  const s: ResponseSpec = { ...spec };
  if (attack === 'expired') {
    // Issued an hour ago and valid for five minutes: well beyond any allowed clock skew.
    s.now = new Date(spec.now.getTime() - 3_600_000);
  }
  if (attack === 'wrong-audience') s.audience = 'https://attacker.example/sp';
  if (attack === 'wrong-in-response-to') s.inResponseTo = newId();
  if (attack === 'unsolicited') delete s.inResponseTo;
  const assertionId = s.assertionId ?? newId();
  let assertion = assertionXml(s, assertionId);
  if (attack === 'wrong-recipient') assertion = assertion.replace(`Recipient="${escapeXml(s.acsUrl)}"`, 'Recipient="https://attacker.example/acs"');
  const unsignedResponse = responseXml(s, assertion);

  const signer = attack === 'other-key' && opts.attackerKey ? opts.attackerKey : key;
  const alg = attack === 'sha1' ? 'sha1' : 'sha256';
  if (attack === 'unsigned') return unsignedResponse;
  if (attack === 'unsigned-assertion') return signElement(unsignedResponse, RESPONSE, signer, alg);
  const withSignedAssertion = signElement(unsignedResponse, ASSERTION, signer, alg);
  if (attack === 'unsigned-response') return withSignedAssertion;
  const signed = signElement(withSignedAssertion, RESPONSE, signer, alg);

  if (attack === 'altered-attribute') {
    // Move the user's first role profile to another organisation after both signatures were made.
    // Signing re-serialises the document, which leaves quotes in text unescaped.
    const asText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const original = asText(profileJson(s.user.profiles[0]!));
    const altered = asText(profileJson({ ...s.user.profiles[0]!, org_code: 'A99999' }));
    if (!signed.includes(original)) throw new Error('role profile not found in the signed response');
    return signed.replace(original, altered);
  }
  if (attack === 'wrapping') {
    // XML signature wrapping: the genuinely signed assertion is tucked into an Extensions element and an
    // unsigned assertion for another person, in a clinical role, takes its place.
    const [from, to] = between(signed, /<saml:Assertion[\s>]/, '</saml:Assertion>');
    const genuine = signed.slice(from, to);
    const victim: IdpUser = { ...s.user, uid: 'evil-0001', profiles: [{ person_roleid: 'evil-0001-01', org_code: 'A81001', role_code: 'S8000:G8000:R8000', role_name: 'forged' }] };
    const evil = assertionXml({ ...s, user: victim }, newId());
    const statusEnd = signed.indexOf('</samlp:Status>') + '</samlp:Status>'.length;
    return signed.slice(0, statusEnd) + `<samlp:Extensions>${genuine}</samlp:Extensions>` + evil + signed.slice(to);
  }
  if (attack === 'signature-of-other-element') {
    // The response's own signature is swapped for a copy of the assertion's: valid, but over another element.
    const [aFrom, aTo] = between(signed, /<saml:Assertion[\s>]/, '</saml:Assertion>');
    const assertionPart = signed.slice(aFrom, aTo);
    const [sFrom, sTo] = between(assertionPart, /<ds:Signature[\s>]/, '</ds:Signature>');
    const assertionSignature = assertionPart.slice(sFrom, sTo);
    const [rFrom, rTo] = between(signed, /<ds:Signature[\s>]/, '</ds:Signature>');
    if (rFrom > aFrom) throw new Error('expected the response signature before the assertion');
    return (signed.slice(0, rFrom) + assertionSignature + signed.slice(rTo)).replace(`Destination="${escapeXml(s.acsUrl)}"`, 'Destination="https://attacker.example/acs"');
  }
  return signed;
}

/** The HTML page that posts a SAMLResponse to the SP's ACS (HTTP-POST binding). */
export function autoPostForm(acsUrl: string, samlResponseXml: string, relayState: string | undefined): string {
  const b64 = Buffer.from(samlResponseXml, 'utf8').toString('base64');
  const relay = relayState !== undefined ? `<input type="hidden" name="RelayState" value="${escapeXml(relayState)}"/>` : '';
  return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head>'
    + '<body onload="document.forms[0].submit()">'
    + `<form method="post" action="${escapeXml(acsUrl)}"><input type="hidden" name="SAMLResponse" value="${b64}"/>${relay}`
    + '<noscript><button type="submit">Continue</button></noscript></form></body></html>';
}
