// SHA-256 or stronger everywhere: node-saml would verify an RSA-SHA1 signature, so Envelope refuses
// any message that names a weaker algorithm anywhere, however it is spelt.
import assert from 'node:assert/strict';
import { redirectSignatureAllowed, weakSignatureAlgorithm } from '../../../src/auth/saml/signature-algorithms.js';

const sig = (method: string, digest: string, prefix = 'ds') =>
  `<${prefix}:Signature><${prefix}:SignedInfo><${prefix}:SignatureMethod Algorithm="${method}"/><${prefix}:Reference><${prefix}:DigestMethod Algorithm="${digest}"/></${prefix}:Reference></${prefix}:SignedInfo></${prefix}:Signature>`;
const RSA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const RSA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

describe('auth/saml/signature-algorithms', () => {
  it('accepts RSA-SHA256/512 with SHA-256/512 digests, and a message without signatures (the library refuses that)', () => {
    assert.equal(weakSignatureAlgorithm(`<r>${sig(RSA256, SHA256)}${sig('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', 'http://www.w3.org/2001/04/xmlenc#sha512')}</r>`), undefined);
    assert.equal(weakSignatureAlgorithm('<r/>'), undefined);
  });

  it('refuses SHA-1 signatures or digests, in any one of several signatures, under any prefix', () => {
    assert.match(weakSignatureAlgorithm(sig(RSA1, SHA256))!, /SHA-256/);
    assert.match(weakSignatureAlgorithm(sig(RSA256, SHA1))!, /digest/);
    assert.ok(weakSignatureAlgorithm(`<r>${sig(RSA256, SHA256)}${sig(RSA1, SHA1, 'x')}</r>`));
    assert.ok(weakSignatureAlgorithm(`<r><SignatureMethod Algorithm='${RSA1}'/></r>`));
    assert.ok(weakSignatureAlgorithm('<r><ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"/></r>'));
  });

  it('refuses what it cannot read for sure: no Algorithm, an escaped one, an element hidden in a comment', () => {
    assert.ok(weakSignatureAlgorithm('<ds:SignatureMethod/>'));
    assert.ok(weakSignatureAlgorithm(`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more&#x23;rsa-sha256"/>`));
    assert.ok(weakSignatureAlgorithm(`<r>${sig(RSA256, SHA256)}<!-- <ds:SignatureMethod Algorithm="${RSA1}"/> --></r>`));
  });

  it('the redirect binding SigAlg must be RSA-SHA256 or RSA-SHA512', () => {
    assert.equal(redirectSignatureAllowed(RSA256), true);
    assert.equal(redirectSignatureAllowed(RSA1), false);
    assert.equal(redirectSignatureAllowed(undefined), false);
    assert.equal(redirectSignatureAllowed('http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1'), false);
  });
});
