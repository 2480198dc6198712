// What Envelope reads from an assertion, taken only from the assertion node-saml verified: the
// profile's getAssertion() is parsed from the signed reference's bytes, never from the posted
// document (the CVE-2025-54419 lesson: read only what was signed).
import type { Profile } from '@node-saml/passport-saml';

export interface AssertionFacts {
  id: string;
  issuer?: string;
  issueInstant: string;
  /** Every NotOnOrAfter the assertion states (Conditions and subject confirmations). */
  notOnOrAfter: string[];
  /** The AuthnContextClassRef of each AuthnStatement. */
  authnContexts: string[];
  /** The Recipient of each subject confirmation. */
  recipients: string[];
  /** Attribute name → its values as text (a Map: names come from the IdP and must not reach Object.prototype). */
  attributes: Map<string, string[]>;
}

export class AssertionError extends Error {}

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Child elements with this (prefix-stripped) name. */
function children(node: unknown, name: string): unknown[] {
  if (!isNode(node)) return [];
  const v = node[name];
  return Array.isArray(v) ? v : [];
}

function attribute(node: unknown, name: string): string | undefined {
  if (!isNode(node) || !isNode(node['$'])) return undefined;
  const v = node['$'][name];
  return typeof v === 'string' ? v : undefined;
}

/** The element's text, with surrounding white space removed (xml2js puts text under `_`). */
function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node.trim();
  if (isNode(node) && typeof node['_'] === 'string') return node['_'].trim();
  return undefined;
}

export function assertionFacts(profile: Profile): AssertionFacts {
  const parsed = profile.getAssertion?.();
  const assertion = isNode(parsed) ? parsed['Assertion'] : undefined;
  if (!isNode(assertion)) throw new AssertionError('the verified assertion is not available');
  const id = attribute(assertion, 'ID');
  const issueInstant = attribute(assertion, 'IssueInstant');
  if (!id || !issueInstant) throw new AssertionError('the assertion has no ID or IssueInstant');

  const notOnOrAfter: string[] = [];
  const recipients: string[] = [];
  for (const conditions of children(assertion, 'Conditions')) {
    const t = attribute(conditions, 'NotOnOrAfter');
    if (t) notOnOrAfter.push(t);
  }
  for (const subject of children(assertion, 'Subject')) {
    for (const confirmation of children(subject, 'SubjectConfirmation')) {
      for (const data of children(confirmation, 'SubjectConfirmationData')) {
        const t = attribute(data, 'NotOnOrAfter');
        if (t) notOnOrAfter.push(t);
        const r = attribute(data, 'Recipient');
        if (r !== undefined) recipients.push(r);
      }
    }
  }

  const authnContexts: string[] = [];
  for (const statement of children(assertion, 'AuthnStatement')) {
    const refs = children(statement, 'AuthnContext').flatMap((c) => children(c, 'AuthnContextClassRef'));
    // An AuthnStatement without a class ref still counts, as an empty (unknown, hence weak) context.
    authnContexts.push(refs.length === 1 ? text(refs[0]) ?? '' : '');
  }

  const attributes = new Map<string, string[]>();
  for (const statement of children(assertion, 'AttributeStatement')) {
    for (const attr of children(statement, 'Attribute')) {
      const name = attribute(attr, 'Name');
      if (!name) continue;
      const values = children(attr, 'AttributeValue').map(text).filter((v): v is string => v !== undefined);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }

  const facts: AssertionFacts = { id, issueInstant, notOnOrAfter, authnContexts, recipients, attributes };
  const issuer = children(assertion, 'Issuer').map(text)[0];
  if (issuer) facts.issuer = issuer;
  return facts;
}
