// Sealed envelopes: security labels, seal levels, masking and label protection
// (docs/sealed-envelopes.md). Pure policy: the access layer loads the data and enforces.
export {
  BREAK_GLASS_CODING, CONFIDENTIALITY_ORDER, CONFIDENTIALITY_SYSTEM, DEFAULT_SENSITIVITY_CODES, LABELLING_POLICY_FORMAT,
  LabellingPolicyError, REDACTED_CODING, SEAL_TEAM_SYSTEM, SENSITIVITY_SYSTEM, parseLabellingPolicy, sensitiveElementsOf,
  type CodeRule, type LabellingPolicy,
} from './policy.js';
export { hiddenWhere, inSealTeam, maskedWhere, sealLevel, viewOf, withinClearance, type Clearance, type SealLevel, type Viewer } from './seal.js';
export { sealTeamOf } from './codings.js';
export { mask } from './mask.js';
export { labelOnWrite } from './label-on-write.js';
export { touchesSensitive } from './params.js';
