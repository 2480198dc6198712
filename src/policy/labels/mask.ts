// Masking a sealed resource for a principal without the clearance: the booking skeleton stays, the
// sensitive elements go, and the labels say only that something was withheld and how confidential
// the whole was — never which sensitivity it carries or which team sealed it.
import type { Coding, Resource } from '../../domain/fhir.js';
import { confidentialityCoding, highWater, isConfidentiality, securityOf } from './codings.js';
import { containedOf, elementPath, fieldsOf, splitContained, withheldKeys } from './elements.js';
import { REDACTED_CODING, confidentialityRank, type LabellingPolicy } from './policy.js';

/**
 * The one confidentiality code a masked resource shows: the high-water mark when a confidentiality
 * label sealed it; at least R when the seal came only from a sensitivity label (the masked data is
 * still restricted, and N would say the opposite).
 */
export function maskedConfidentiality(security: readonly Coding[], policy: LabellingPolicy): string {
  const top = highWater(security)?.code;
  const protecting = [...policy.sealed.confidentiality, ...policy.locked.confidentiality];
  const sealedByConfidentiality = security.some((c) => isConfidentiality(c) && protecting.includes(c.code!));
  if (sealedByConfidentiality && top !== undefined) return top;
  return top !== undefined && confidentialityRank(top) > confidentialityRank('R') ? top : 'R';
}

/** The masked copy of `resource` and the element paths removed from it (the input is not changed). */
export function mask(resource: Resource, policy: LabellingPolicy): { resource: Resource; removed: string[] } {
  const type = resource.resourceType;
  const out = structuredClone(resource);
  const fields = fieldsOf(out);
  const removed = new Set<string>();
  for (const key of withheldKeys(out, policy)) {
    delete fields[key];
    removed.add(elementPath(type, key));
  }
  const contained = containedOf(out);
  delete fields['contained'];
  if (contained.length > 0) {
    const { kept, withheld } = splitContained(contained, fields);
    if (withheld.length > 0) removed.add(elementPath(type, 'contained'));
    if (kept.length > 0) fields['contained'] = kept;
  }
  const security = securityOf(resource);
  out.meta = { ...out.meta, security: [confidentialityCoding(maskedConfidentiality(security, policy)), { ...REDACTED_CODING }] };
  return { resource: out, removed: [...removed] };
}
