// Public face of validation: every write passes its body through validateResource, and the caller
// turns the errors into a 400/422 OperationOutcome. $validate uses the same function.
import type { Issue } from '../../domain/errors.js';
import { loadStats, resourceInfo, type LoadStats } from './definitions.js';
import { datatypeTable, resourceTable } from './elements.js';
import { loadAllTerminology, terminologyStats } from './terminology.js';
import { walk, type WalkOptions } from './walker.js';
import { consentInvariantIssues } from './consent-invariants.js';
import { checkInvariants, tooCostly } from './invariants.js';
import { installedProfiles, profileIssues } from './profiles.js';

export interface ValidateOptions extends WalkOptions {
  /** Report best-practice recommendations too (dom-6), as warnings. Off for writes: nobody would see them. */
  bestPractice?: boolean;
  /**
   * Canonical URLs of profiles every resource of their type must meet, whether or not it claims
   * them (MANDATORY_PROFILES). Profiles of other types are ignored.
   */
  mandatoryProfiles?: readonly string[];
}

/**
 * Every problem found in `resource`: against the R4 definitions (JSON shape, element names,
 * cardinality, primitive formats, required and extensible bindings, reference syntax, FHIRPath
 * invariants) and against each of Envelope's profiles it claims in meta.profile or that is
 * mandatory for its type. Errors block a write; warnings do not. No errors means valid.
 */
export function validateResource(resource: unknown, opts: ValidateOptions = {}): Issue[] {
  const { issues, sites } = walk(resource, opts);
  const costly = tooCostly(sites, resourceTypeOf(resource) ?? opts.expectedType ?? 'Resource');
  issues.push(...(costly ? [costly] : checkInvariants(sites, (c) => opts.bestPractice === true || !c.bestPractice)));
  // Consent carries rules the server enforces, so its invariants (ppc-1..5, provision types) are checked too.
  if ((resource as { resourceType?: unknown } | null)?.resourceType === 'Consent') issues.push(...consentInvariantIssues(resource));
  if (resourceTypeOf(resource) !== undefined) issues.push(...profileIssues(resource, opts.mandatoryProfiles));
  return issues;
}

/**
 * Only the best-practice recommendations for `resource` (warnings such as dom-6), for $validate,
 * whose other checks come from the configured write validation.
 */
export function bestPracticeIssues(resource: unknown, expectedType?: string): Issue[] {
  const { sites } = walk(resource, expectedType ? { expectedType } : {});
  return tooCostly(sites, 'Resource') ? [] : checkInvariants(sites, (c) => c.bestPractice === true);
}

/** The resource type of a body whose type is a concrete R4 resource, else undefined. */
function resourceTypeOf(resource: unknown): string | undefined {
  const rt = (resource as { resourceType?: unknown } | null)?.resourceType;
  return typeof rt === 'string' && resourceInfo(rt) ? rt : undefined;
}

export { elementNamesOf, summaryElementsOf } from './elements.js';
export { mandatoryProfilesFrom, mandatoryProfilesFromEnv, supportedProfilesOf, validateAgainstProfile } from './profiles.js';
export { SKIPPED_CONSTRAINTS } from './invariants.js';

/** Whether `type` is a concrete R4 resource type (abstract `Resource`/`DomainResource` are not). */
export function isR4ResourceType(type: string): boolean {
  return resourceInfo(type) !== undefined;
}

export interface ValidationLoadStats extends LoadStats {
  /** Reading and indexing code systems and value sets so far. */
  terminologyMs: number;
}

/** What loading definitions has cost so far; nothing is loaded by asking. */
export function validationLoadStats(): ValidationLoadStats {
  return { ...loadStats(), terminologyMs: terminologyStats().ms };
}

/**
 * Loads what validating `types` needs now rather than on the first write, so the cost lands at a
 * moment of the caller's choosing (for example right after the server starts listening).
 */
export function preloadValidation(types: readonly string[]): ValidationLoadStats {
  datatypeTable('Element');
  for (const t of types) resourceTable(t);
  loadAllTerminology();
  installedProfiles();
  return validationLoadStats();
}
