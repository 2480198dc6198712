// Public face of basic validation: every write passes its body through validateResource, and the
// caller turns the errors into a 400/422 OperationOutcome.
import type { Issue } from '../../domain/errors.js';
import { loadStats, resourceInfo, type LoadStats } from './definitions.js';
import { datatypeTable, resourceTable } from './elements.js';
import { loadAllTerminology, terminologyStats } from './terminology.js';
import { walk, type WalkOptions } from './walker.js';
import { consentInvariantIssues } from './consent-invariants.js';

export type ValidateOptions = WalkOptions;

/**
 * Every problem found in `resource` against the R4 definitions: JSON shape, element names,
 * cardinality, primitive formats, required bindings and reference syntax. Errors block a write;
 * warnings do not. An empty list means the resource is structurally valid.
 */
export function validateResource(resource: unknown, opts: ValidateOptions = {}): Issue[] {
  const issues = walk(resource, opts);
  // Consent carries rules the server enforces, so its invariants (ppc-1..5, provision types) are checked too.
  if ((resource as { resourceType?: unknown } | null)?.resourceType === 'Consent') issues.push(...consentInvariantIssues(resource));
  return issues;
}

export { elementNamesOf, summaryElementsOf } from './elements.js';

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
  return validationLoadStats();
}
