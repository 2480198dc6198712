// SHA-256 or stronger for every signature an IdP message carries. node-saml verifies signatures with
// whatever algorithm the message names (xml-crypto still accepts rsa-sha1), and its
// `signatureAlgorithm` option only sets what Envelope signs with, so the check is made here, on the
// raw message, before the library sees it. It can only refuse: every algorithm named anywhere in the
// message must be on the allow-list, so hiding a weak one (a prefix, a comment, an odd quote) refuses too.

export const SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

export const DIGEST_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

const ALGORITHM_ATTR = /\sAlgorithm\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function algorithmsOf(xml: string, element: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  const tag = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${element}\\b([^>]*)>`, 'g');
  for (const m of xml.matchAll(tag)) {
    const attrs = [...(m[1] ?? '').matchAll(ALGORITHM_ATTR)].map((a) => a[1] ?? a[2]);
    // No Algorithm, or more than one: not a form xml-crypto would accept either; refuse it.
    out.push(attrs.length === 1 ? attrs[0] : undefined);
  }
  return out;
}

/** Undefined when every signature and digest algorithm in the message is allowed; else what is wrong. */
export function weakSignatureAlgorithm(xml: string): string | undefined {
  if (algorithmsOf(xml, 'SignatureMethod').some((a) => a === undefined || !SIGNATURE_ALGORITHMS.has(a))) {
    return 'a signature does not use RSA with SHA-256 or stronger';
  }
  if (algorithmsOf(xml, 'DigestMethod').some((a) => a === undefined || !DIGEST_ALGORITHMS.has(a))) {
    return 'a signature digest is not SHA-256 or stronger';
  }
  return undefined;
}

/** The redirect binding names its signature algorithm in the SigAlg query parameter. */
export function redirectSignatureAllowed(sigAlg: unknown): boolean {
  return typeof sigAlg === 'string' && SIGNATURE_ALGORITHMS.has(sigAlg) && !sigAlg.includes('MGF1');
}
