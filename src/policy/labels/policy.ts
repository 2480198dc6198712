// The labelling policy document (docs/sealed-envelopes.md): which security labels seal and which
// lock, the sensitivity codes the deployment recognises, what masking removes per resource type, and
// the code rules that label data on write. Pure: the composition root reads the file and hands the
// parsed JSON to parseLabellingPolicy.
import { RESOURCE_TYPES, isPlainObject, isResourceType, type Coding } from '../../domain/fhir.js';
import { CONFIDENTIALITY_ORDER as ROLE_CONFIDENTIALITY_ORDER } from '../roles.js';

export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const SENSITIVITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** Names the organisation (ODS code) that sealed a resource; written by the server only. */
export const SEAL_TEAM_SYSTEM = 'https://envelope.example/fhir/CodeSystem/seal-team';
export const OBSERVATION_VALUE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

// Defined here rather than imported from src/audit: src/policy may import only src/domain.
export const REDACTED_CODING: Readonly<Coding> = Object.freeze({ system: OBSERVATION_VALUE_SYSTEM, code: 'REDACTED', display: 'redacted' });
export const BREAK_GLASS_CODING: Readonly<Coding> = Object.freeze({ system: ACT_REASON_SYSTEM, code: 'BTG', display: 'break the glass' });

/** v3-Confidentiality codes in increasing order of protection (one list, shared with role clearances). */
export const CONFIDENTIALITY_ORDER: readonly string[] = ROLE_CONFIDENTIALITY_ORDER;

/** The v3-ActCode InformationSensitivityPolicy codes recognised when the file does not list its own. */
export const DEFAULT_SENSITIVITY_CODES: readonly string[] = Object.freeze(['ETH', 'GDIS', 'HIV', 'MST', 'PSY', 'SCA', 'SDV', 'SEX', 'STD', 'TBOO']);

export const LABELLING_POLICY_FORMAT = 'envelope-labelling-policy/1';

export interface CodeRule {
  /** The sensitivity code (v3-ActCode) the rule adds. */
  label: string;
  /** The confidentiality the rule raises the resource to at least (default R). */
  confidentiality?: string;
  system: string;
  codes: string[];
  /** `Type.element(.element)*`, JSON names, ending at a CodeableConcept or a Coding. */
  paths: string[];
}

export interface LabellingPolicy {
  /** Confidentiality codes that seal, and sensitivity codes that seal ('any' = every code of sensitivityCodes). */
  sealed: { confidentiality: string[]; sensitivity: 'any' | string[] };
  /** Codes that seal and lock (default confidentiality V). */
  locked: { confidentiality: string[]; sensitivity: string[] };
  /** The sensitivity codes the deployment recognises (v3-ActCode): PSY, HIV, ETH, SDV, STD, SEX, ... */
  sensitivityCodes: string[];
  /**
   * Per type, the top-level elements removed by masking (booking skeleton = the rest). Names as in
   * the specification, `name[x]` for a choice. A null-prototype object: read it with sensitiveElementsOf.
   */
  sensitiveElements: Record<string, string[]>;
  /** Code rules applied on write. */
  codeRules: CodeRule[];
}

export class LabellingPolicyError extends Error {
  /** JSON path of the fault, e.g. `codeRules[1].paths[0]`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`labelling policy ${path}: ${message}`);
    this.name = 'LabellingPolicyError';
    this.path = path;
  }
}

/** The configured sensitive elements of `type`, or undefined when the type has no list. */
export function sensitiveElementsOf(policy: LabellingPolicy, type: string): readonly string[] | undefined {
  return Object.hasOwn(policy.sensitiveElements, type) ? policy.sensitiveElements[type] : undefined;
}

/** The sensitivity codes that seal under the policy. */
export function sealingSensitivity(policy: LabellingPolicy): readonly string[] {
  return policy.sealed.sensitivity === 'any' ? policy.sensitivityCodes : policy.sealed.sensitivity;
}

export function confidentialityRank(code: string | undefined): number {
  return code === undefined ? -1 : CONFIDENTIALITY_ORDER.indexOf(code);
}

const SENSITIVITY_CODE = /^[A-Z][A-Z0-9]{1,15}$/;
const ELEMENT_NAME = /^[a-z][A-Za-z0-9]*(\[x\])?$/;
const JSON_NAME = /^[a-z][A-Za-z0-9]*$/;
/** Elements masking must keep: the resource would no longer say what it is, or carry its labels. */
const UNMASKABLE = new Set(['id', 'meta', 'resourceType']);

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!k.startsWith('$') && !allowed.includes(k)) {
      throw new LabellingPolicyError(path, `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

function stringArray(v: unknown, path: string, test: (s: string) => boolean, what: string, nonEmpty = false): string[] {
  if (!Array.isArray(v) || (nonEmpty && v.length === 0)) throw new LabellingPolicyError(path, `must be ${nonEmpty ? 'a non-empty' : 'an'} array of ${what}`);
  const seen = new Set<string>();
  v.forEach((s, i) => {
    if (typeof s !== 'string' || !test(s)) throw new LabellingPolicyError(`${path}[${i}]`, `${JSON.stringify(s)} is not ${what.replace(/s$/, '')}`);
    if (seen.has(s)) throw new LabellingPolicyError(`${path}[${i}]`, `${JSON.stringify(s)} is listed twice`);
    seen.add(s);
  });
  return [...(v as string[])];
}

const isConfidentiality = (s: string) => CONFIDENTIALITY_ORDER.includes(s);
const confidentialityList = (v: unknown, path: string) =>
  stringArray(v, path, isConfidentiality, `v3-Confidentiality codes (${CONFIDENTIALITY_ORDER.join(', ')})`);

function recognised(codes: readonly string[]): (s: string) => boolean {
  return (s) => codes.includes(s);
}

/**
 * The confidentiality codes that protect must be closed upwards: if R seals, V (more confidential)
 * must seal or lock too; otherwise raising a label would make data less protected.
 */
function checkUpwardClosed(codes: readonly string[], path: string, what: string): void {
  const lowest = Math.min(...codes.map(confidentialityRank));
  for (const c of CONFIDENTIALITY_ORDER.slice(lowest)) {
    if (!codes.includes(c)) throw new LabellingPolicyError(path, `${c} is more confidential than ${CONFIDENTIALITY_ORDER[lowest]} but does not ${what}`);
  }
}

function parseSealed(v: unknown, sensitivityCodes: readonly string[]): LabellingPolicy['sealed'] {
  if (v === undefined) return { confidentiality: ['R'], sensitivity: 'any' };
  if (!isPlainObject(v)) throw new LabellingPolicyError('sealed', 'must be an object with confidentiality and sensitivity');
  checkKeys(v, ['confidentiality', 'sensitivity'], 'sealed');
  const s = v['sensitivity'] ?? 'any';
  return {
    confidentiality: confidentialityList(v['confidentiality'] ?? ['R'], 'sealed.confidentiality'),
    sensitivity: s === 'any' ? 'any' : stringArray(s, 'sealed.sensitivity', recognised(sensitivityCodes), 'codes of sensitivityCodes (or "any")'),
  };
}

function parseLocked(v: unknown, sensitivityCodes: readonly string[]): LabellingPolicy['locked'] {
  if (v === undefined) return { confidentiality: ['V'], sensitivity: [] };
  if (!isPlainObject(v)) throw new LabellingPolicyError('locked', 'must be an object with confidentiality and sensitivity');
  checkKeys(v, ['confidentiality', 'sensitivity'], 'locked');
  return {
    confidentiality: confidentialityList(v['confidentiality'] ?? ['V'], 'locked.confidentiality'),
    sensitivity: stringArray(v['sensitivity'] ?? [], 'locked.sensitivity', recognised(sensitivityCodes), 'codes of sensitivityCodes'),
  };
}

function parseSensitiveElements(v: unknown): Record<string, string[]> {
  const out = Object.create(null) as Record<string, string[]>;
  if (v === undefined) return out;
  if (!isPlainObject(v)) throw new LabellingPolicyError('sensitiveElements', 'must be an object keyed by resource type');
  for (const [type, list] of Object.entries(v)) {
    if (type.startsWith('$')) continue;
    const path = `sensitiveElements.${type}`;
    if (!isResourceType(type)) throw new LabellingPolicyError(path, `${JSON.stringify(type)} is not one of ${RESOURCE_TYPES.join(', ')}`);
    out[type] = stringArray(list, path, (s) => ELEMENT_NAME.test(s), 'top-level element names (such as "reasonCode" or "value[x]")');
    out[type]!.forEach((e, i) => {
      if (UNMASKABLE.has(e)) throw new LabellingPolicyError(`${path}[${i}]`, `"${e}" is always kept (it says what the resource is and carries its labels)`);
    });
  }
  return out;
}

function parseRulePath(s: unknown, path: string): string {
  const parts = typeof s === 'string' ? s.split('.') : [];
  if (parts.length < 2 || !isResourceType(parts[0]!) || !parts.slice(1).every((p) => JSON_NAME.test(p))) {
    throw new LabellingPolicyError(path, `${JSON.stringify(s)} is not a path such as "ServiceRequest.reasonCode" (a resource type Envelope serves, then JSON element names)`);
  }
  return s as string;
}

function parseCodeRule(v: unknown, path: string, sensitivityCodes: readonly string[]): CodeRule {
  if (!isPlainObject(v)) throw new LabellingPolicyError(path, 'must be an object');
  checkKeys(v, ['label', 'confidentiality', 'system', 'codes', 'paths', 'note'], path);
  const label = v['label'];
  if (typeof label !== 'string' || !sensitivityCodes.includes(label)) {
    throw new LabellingPolicyError(`${path}.label`, `must be one of sensitivityCodes (${sensitivityCodes.join(', ')})`);
  }
  const rule: CodeRule = {
    label,
    system: '',
    codes: stringArray(v['codes'], `${path}.codes`, (s) => s.trim() !== '' && s === s.trim(), 'codes', true),
    paths: [],
  };
  const system = v['system'];
  if (typeof system !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(system)) throw new LabellingPolicyError(`${path}.system`, 'must be a code system URI such as "http://snomed.info/sct"');
  rule.system = system;
  const paths = v['paths'];
  if (!Array.isArray(paths) || paths.length === 0) throw new LabellingPolicyError(`${path}.paths`, 'must be a non-empty array of element paths');
  rule.paths = paths.map((p, i) => parseRulePath(p, `${path}.paths[${i}]`));
  const c = v['confidentiality'];
  if (c !== undefined) {
    if (typeof c !== 'string' || !isConfidentiality(c)) throw new LabellingPolicyError(`${path}.confidentiality`, `must be one of ${CONFIDENTIALITY_ORDER.join(', ')}`);
    rule.confidentiality = c;
  }
  if (v['note'] !== undefined && typeof v['note'] !== 'string') throw new LabellingPolicyError(`${path}.note`, 'must be a string');
  return rule;
}

/** Validates a parsed JSON document. Throws LabellingPolicyError naming the first fault's path. */
export function parseLabellingPolicy(json: unknown): LabellingPolicy {
  if (!isPlainObject(json)) throw new LabellingPolicyError('(root)', 'must be a JSON object');
  checkKeys(json, ['format', 'sealed', 'locked', 'sensitivityCodes', 'sensitiveElements', 'codeRules'], '(root)');
  if (json['format'] !== LABELLING_POLICY_FORMAT) {
    throw new LabellingPolicyError('format', `must be "${LABELLING_POLICY_FORMAT}" (got ${JSON.stringify(json['format'])})`);
  }
  const sensitivityCodes = json['sensitivityCodes'] === undefined
    ? [...DEFAULT_SENSITIVITY_CODES]
    : stringArray(json['sensitivityCodes'], 'sensitivityCodes', (s) => SENSITIVITY_CODE.test(s), 'v3-ActCode sensitivity codes such as "HIV"');
  const sealed = parseSealed(json['sealed'], sensitivityCodes);
  const locked = parseLocked(json['locked'], sensitivityCodes);
  if (locked.confidentiality.length > 0) checkUpwardClosed(locked.confidentiality, 'locked.confidentiality', 'lock');
  const protecting = [...new Set([...sealed.confidentiality, ...locked.confidentiality])];
  if (protecting.length > 0) checkUpwardClosed(protecting, 'sealed.confidentiality', 'seal or lock');
  const rules = json['codeRules'] ?? [];
  if (!Array.isArray(rules)) throw new LabellingPolicyError('codeRules', 'must be an array of rules');
  return {
    sealed,
    locked,
    sensitivityCodes,
    sensitiveElements: parseSensitiveElements(json['sensitiveElements']),
    codeRules: rules.map((r, i) => parseCodeRule(r, `codeRules[${i}]`, sensitivityCodes)),
  };
}
