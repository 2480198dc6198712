// The deployment's consent settings (policy/consent.json): the base for patients without a consent,
// the purpose assumed when an access asserts none, and which purposes a denial applies to, overall
// and per consent policy. Pure: the composition root reads the file and passes the parsed JSON.
// Format: docs/consent.md.
import { isPlainObject } from '../../domain/fhir.js';

export const CONSENT_POLICY_FORMAT = 'envelope-consent-policy/1';

export interface ConsentPolicy {
  /** What applies when a patient has no active consent, and the base of a consent without OPTIN/OPTOUT policyRule. */
  base: 'permit' | 'deny';
  /** Purpose of use (v3-ActReason code) of an access whose principal asserted none, e.g. 'TREAT'. */
  defaultPurpose: string;
  /** Purposes a denial applies to ('*' = all) unless the consent's policy is listed in `policies`. */
  denialPurposes: string[];
  /**
   * Per policy (Consent.policy[].uri or policyRule coding `system|code`): the purposes its denials
   * apply to. The default file lists the NHS national data opt-out with non-direct-care purposes
   * only (research, planning...), so it never blocks TREAT (referrals, bookings).
   */
  policies: Record<string, { denialPurposes: string[] }>;
}

export class ConsentPolicyError extends Error {
  /** JSON path of the fault, e.g. `policies.https://x.denialPurposes[1]`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`consent policy ${path}: ${message}`);
    this.name = 'ConsentPolicyError';
    this.path = path;
  }
}

/** v3-ActReason codes are upper-case letters and digits (TREAT, HRESCH, ETREAT, BTG...). */
const PURPOSE_CODE = /^[A-Z][A-Z0-9]{1,31}$/;

/** Keys starting with `$` (`$schema`, `$comment`) are ignored; any other unknown key is an error. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('$') && !allowed.includes(k)) {
      throw new ConsentPolicyError(path, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

function parsePurposes(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new ConsentPolicyError(path, 'must be a non-empty array of v3-ActReason codes such as ["HRESCH"], or ["*"] for every purpose');
  }
  v.forEach((p, i) => {
    if (p !== '*' && (typeof p !== 'string' || !PURPOSE_CODE.test(p))) {
      throw new ConsentPolicyError(`${path}[${i}]`, `${JSON.stringify(p)} is not "*" or a v3-ActReason code (upper-case letters and digits)`);
    }
  });
  if (v.includes('*') && v.length > 1) throw new ConsentPolicyError(path, '"*" already covers every purpose; list it alone');
  return [...(v as string[])];
}

function parsePolicies(v: unknown, path: string): Record<string, { denialPurposes: string[] }> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) throw new ConsentPolicyError(path, 'must be an object keyed by policy uri or policyRule "system|code"');
  // A null-prototype object: a consent's policy uri must never reach Object.prototype (`constructor`).
  const out: Record<string, { denialPurposes: string[] }> = Object.create(null) as Record<string, { denialPurposes: string[] }>;
  for (const [key, entry] of Object.entries(v)) {
    if (key.startsWith('$')) continue;
    const at = `${path}.${key}`;
    if (key.trim() === '' || /\s/.test(key)) throw new ConsentPolicyError(at, 'a policy key is a uri or "system|code" without spaces');
    if (!isPlainObject(entry)) throw new ConsentPolicyError(at, 'must be an object with denialPurposes');
    checkKeys(entry, ['denialPurposes', 'note'], at);
    if (entry['note'] !== undefined && typeof entry['note'] !== 'string') throw new ConsentPolicyError(`${at}.note`, 'must be a string');
    out[key] = { denialPurposes: parsePurposes(entry['denialPurposes'], `${at}.denialPurposes`) };
  }
  return out;
}

/** Validates a parsed JSON document. Throws ConsentPolicyError naming the first fault's path. */
export function parseConsentPolicy(json: unknown): ConsentPolicy {
  if (!isPlainObject(json)) throw new ConsentPolicyError('(root)', 'must be a JSON object');
  checkKeys(json, ['format', 'base', 'defaultPurpose', 'denialPurposes', 'policies'], '(root)');
  if (json['format'] !== CONSENT_POLICY_FORMAT) {
    throw new ConsentPolicyError('format', `must be "${CONSENT_POLICY_FORMAT}" (got ${JSON.stringify(json['format'])})`);
  }
  const base = json['base'];
  if (base !== 'permit' && base !== 'deny') throw new ConsentPolicyError('base', `must be "permit" (opt-out model) or "deny" (opt-in model) (got ${JSON.stringify(base)})`);
  const defaultPurpose = json['defaultPurpose'];
  if (typeof defaultPurpose !== 'string' || !PURPOSE_CODE.test(defaultPurpose)) {
    throw new ConsentPolicyError('defaultPurpose', `must be a v3-ActReason code such as "TREAT" (got ${JSON.stringify(defaultPurpose)})`);
  }
  return {
    base,
    defaultPurpose,
    denialPurposes: parsePurposes(json['denialPurposes'], 'denialPurposes'),
    policies: parsePolicies(json['policies'], 'policies'),
  };
}
