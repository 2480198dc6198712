// What the access layer needs from the policy layer to decide an interaction. The composition root
// adapts src/policy to this shape, keeping src/access independent of the policy file format.
import type { Interaction } from '../domain/interaction.js';
import type { Principal } from '../domain/principal.js';
import type { Decision } from '../policy/decide-interaction.js';

export type { Decision, Limit } from '../policy/decide-interaction.js';

export interface InteractionPolicy {
  decide(principal: Principal, interaction: Interaction, resourceType: string): Decision;
  /** Whether the principal's role may claim a legitimate relationship itself (with a reason, alerted). */
  mayClaimRelationship(principal: Principal): boolean;
  /** Whether the principal's role may create at ids it chose even where reads of the type are limited (AccessGuard.update). */
  mayChooseIds(principal: Principal): boolean;
}
