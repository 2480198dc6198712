// What the access layer needs from the policy layer to decide an interaction. The composition root
// adapts src/policy to this shape, keeping src/access independent of the policy file format.
import type { Interaction } from '../domain/interaction.js';
import type { Principal } from '../domain/principal.js';

export type Decision = { permit: true } | { permit: false; reason: string };

export interface InteractionPolicy {
  decide(principal: Principal, interaction: Interaction, resourceType: string): Decision;
}
