// Single-logout messages of the test IdP: LogoutRequest (IdP-initiated logout) and LogoutResponse (its
// answer to the SP's LogoutRequest), in the HTTP-Redirect binding (signature over the query string)
// or the HTTP-POST binding (enveloped XML signature).
import { createSign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { escapeXml, newId, NS, signElement, type SigningKey } from './response.js';

export type RedirectSignature = 'sha256' | 'sha1' | 'none';

const SIG_ALG = {
  sha256: { uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', node: 'RSA-SHA256' },
  sha1: { uri: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', node: 'RSA-SHA1' },
} as const;

export function logoutRequestXml(opts: { idpEntityId: string; destination: string; nameID: string; sessionIndex?: string; now?: Date }): string {
  const now = opts.now ?? new Date();
  const until = new Date(now.getTime() + 5 * 60_000).toISOString();
  const index = opts.sessionIndex ? `<samlp:SessionIndex>${escapeXml(opts.sessionIndex)}</samlp:SessionIndex>` : '';
  return `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}" NotOnOrAfter="${until}" Destination="${escapeXml(opts.destination)}">`
    + `<saml:Issuer>${escapeXml(opts.idpEntityId)}</saml:Issuer>`
    + `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${escapeXml(opts.nameID)}</saml:NameID>`
    + `${index}</samlp:LogoutRequest>`;
}

export function logoutResponseXml(opts: { idpEntityId: string; destination: string; inResponseTo: string; now?: Date }): string {
  const now = opts.now ?? new Date();
  return `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${escapeXml(opts.destination)}" InResponseTo="${escapeXml(opts.inResponseTo)}">`
    + `<saml:Issuer>${escapeXml(opts.idpEntityId)}</saml:Issuer>`
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + '</samlp:LogoutResponse>';
}

/** A redirect-binding URL: deflated, base64, and signed over `param=…[&RelayState=…]&SigAlg=…` as sent. */
export function redirectBindingUrl(target: string, param: 'SAMLRequest' | 'SAMLResponse', xml: string, key: SigningKey, opts: { relayState?: string; signature?: RedirectSignature } = {}): string {
  let q = `${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (opts.relayState !== undefined) q += `&RelayState=${encodeURIComponent(opts.relayState)}`;
  const signature = opts.signature ?? 'sha256';
  if (signature !== 'none') {
    q += `&SigAlg=${encodeURIComponent(SIG_ALG[signature].uri)}`;
    const value = createSign(SIG_ALG[signature].node).update(q).sign(key.key, 'base64');
    q += `&Signature=${encodeURIComponent(value)}`;
  }
  return `${target}${target.includes('?') ? '&' : '?'}${q}`;
}

/** A POST-binding message: the XML signed (enveloped) and base64-encoded for a form field. */
export function postBindingMessage(xml: string, root: 'LogoutRequest' | 'LogoutResponse', key: SigningKey): string {
  return Buffer.from(signElement(xml, `/*[local-name(.)='${root}']`, key), 'utf8').toString('base64');
}
