// The labelling policy applied to every write: server-managed codings a client sent are dropped, the
// code rules label sensitive content, confidentiality is collapsed to its high-water mark, and a
// sealed result records the team that sealed it. A writer who sees the stored version masked can
// neither overwrite what it cannot see nor take labels away.
import type { Coding, Resource } from '../../domain/fhir.js';
import {
  confidentialityCoding, highWater, isConfidentiality, isSealTeam, isServerManaged, sameCoding, sealTeamOf, securityOf,
} from './codings.js';
import { containedOf, elementPath, fieldsOf, splitContained, withheldKeys } from './elements.js';
import { maskedConfidentiality, mask } from './mask.js';
import {
  SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, confidentialityRank, type CodeRule, type LabellingPolicy,
} from './policy.js';
import { sealLevel, viewOf, type Viewer } from './seal.js';

type Json = Record<string, unknown>;

/** The values at `Type.a.b` (arrays flattened at every step). */
function valuesAt(resource: Resource, path: string): unknown[] {
  const [root, ...steps] = path.split('.');
  if (root !== resource.resourceType) return [];
  let values: unknown[] = [resource];
  for (const step of steps) {
    values = values.flatMap((v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
      const next = (v as Json)[step];
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return values;
}

/** The Codings a value holds: a CodeableConcept's codings, or the value itself when it is a Coding. */
function codingsIn(value: unknown): Coding[] {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Json;
  if (Array.isArray(v['coding'])) return v['coding'] as Coding[];
  return typeof v['code'] === 'string' ? [v as Coding] : [];
}

function ruleMatches(rule: CodeRule, resource: Resource): boolean {
  return rule.paths.some((p) => valuesAt(resource, p).some((v) => codingsIn(v).some((c) => c.system === rule.system && rule.codes.includes(c.code!))));
}

/** Adds each matching rule's sensitivity label, and raises confidentiality to the rule's level. */
function applyCodeRules(resource: Resource, labels: Coding[], policy: LabellingPolicy): Coding[] {
  const out = [...labels];
  for (const rule of policy.codeRules) {
    if (!ruleMatches(rule, resource)) continue;
    const label: Coding = { system: SENSITIVITY_SYSTEM, code: rule.label };
    if (!out.some((c) => sameCoding(c, label))) out.push(label);
    const level = rule.confidentiality ?? 'R';
    if (confidentialityRank(highWater(out)?.code) < confidentialityRank(level)) out.push(confidentialityCoding(level));
  }
  return out;
}

/**
 * One confidentiality coding, the most confidential (DS4P: confidentiality is 1..1 and the highest
 * protection wins). Codes outside v3-Confidentiality's six are left as they are: they count as
 * beyond every clearance.
 */
function collapseConfidentiality(labels: Coding[]): Coding[] {
  const top = highWater(labels);
  return labels.filter((c) => !isConfidentiality(c) || confidentialityRank(c.code) < 0 || c === top);
}

function withConfidentiality(labels: Coding[], code: string): Coding[] {
  return [confidentialityCoding(code), ...labels.filter((c) => !isConfidentiality(c) || confidentialityRank(c.code) < 0)];
}

/**
 * Labels for a writer who sees the stored version masked: every stored label stays (the client never
 * saw them, so leaving one out means nothing); the client may add labels and may raise, never lower,
 * confidentiality above what it was shown.
 */
function protectedLabels(stored: Resource, client: Coding[], policy: LabellingPolicy): Coding[] {
  const kept = securityOf(stored).filter((c) => !isServerManaged(c));
  const added = client.filter((c) => !isConfidentiality(c) && !kept.some((k) => sameCoding(k, c)));
  const shown = maskedConfidentiality(securityOf(stored), policy);
  const asked = highWater(client)?.code;
  const storedTop = highWater(kept);
  let labels = [...kept, ...added];
  if (asked !== undefined && confidentialityRank(asked) > confidentialityRank(shown) && confidentialityRank(asked) > confidentialityRank(storedTop?.code)) {
    labels = withConfidentiality(labels, asked);
  }
  return labels;
}

/**
 * For a writer who sees the stored version masked: the withheld element paths it sent (a 403 for the
 * caller), or the input with the stored withheld elements and contained resources carried over.
 */
function carryOver(input: Resource, stored: Resource, policy: LabellingPolicy): { resource: Resource } | { forbidden: string[] } {
  const type = input.resourceType;
  const sent = new Set(withheldKeys(input, policy).map((k) => elementPath(type, k)));
  const visibleIds = new Set(containedOf(mask(stored, policy).resource).map((r) => r.id));
  const hidden = containedOf(stored).filter((r) => !visibleIds.has(r.id));
  if (containedOf(input).some((r) => hidden.some((h) => h.id === r.id))) sent.add(elementPath(type, 'contained'));
  if (sent.size > 0) return { forbidden: [...sent] };

  const out = structuredClone(input);
  const fields = fieldsOf(out);
  for (const key of withheldKeys(stored, policy)) fields[key] = structuredClone(fieldsOf(stored)[key]);
  const all = [...containedOf(out), ...structuredClone(hidden)];
  delete fields['contained'];
  if (all.length > 0) {
    // Keep only what the result references, as masking would (a contained resource the client
    // dropped together with its last reference goes too).
    const { kept } = splitContained(all, fields);
    if (kept.length > 0) fields['contained'] = kept;
  }
  return { resource: out };
}

export function labelOnWrite(
  input: Resource,
  stored: Resource | undefined,
  writer: Viewer,
  policy: LabellingPolicy,
): { resource: Resource } | { forbidden: string[] /* element paths the writer may not send */ } {
  const client = securityOf(input).filter((c) => !isServerManaged(c));
  let resource: Resource;
  let labels: Coding[];
  // A hidden stored version is treated like a masked one: the caller should have answered 404
  // before asking, and if it did not, the writer still must not overwrite or unlabel it.
  if (stored !== undefined && viewOf(stored, writer, policy) !== 'full') {
    const carried = carryOver(input, stored, policy);
    if ('forbidden' in carried) return carried;
    resource = carried.resource;
    labels = protectedLabels(stored, client, policy);
  } else {
    resource = structuredClone(input);
    labels = client;
  }
  labels = collapseConfidentiality(applyCodeRules(resource, labels, policy));

  const level = sealLevel({ resourceType: resource.resourceType, meta: { security: labels } }, policy);
  labels = labels.filter((c) => !isSealTeam(c));
  const team = level === 'open' ? undefined : (stored !== undefined ? sealTeamOf(stored) : undefined) ?? writer.organization;
  if (team !== undefined && team !== '') labels.push({ system: SEAL_TEAM_SYSTEM, code: team });

  const meta = { ...resource.meta };
  if (labels.length > 0) meta.security = labels;
  else delete meta.security;
  if (Object.keys(meta).length > 0) resource.meta = meta;
  else delete resource.meta;
  return { resource };
}
