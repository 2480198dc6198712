// Who signed on, and in which roles they may act: decided from a verified assertion's facts. Pure.
// node-saml only *requests* an authentication context; whether the context the IdP actually used is
// strong enough for each role is decided here.
import type { AssertionFacts } from './assertion.js';
import type { SamlAttributeNames } from './config.js';
import { mapRole, type RoleMap } from './role-map.js';
import { parseRoleProfiles, type RoleProfile } from './role-profiles.js';

export interface SignOnPolicy {
  attributes: SamlAttributeNames;
  strongAuthnContexts: readonly string[];
  roleMap: RoleMap;
  /** Whether a sign-on below smartcard strength may act in this Envelope role. */
  weakAllowed(role: string): boolean;
}

/** A role profile the user may act in here, with the Envelope role it maps to. */
export interface UsableProfile extends RoleProfile {
  role: string;
}

export interface SignedOnUser {
  userId: string;
  name?: string;
  /** `Practitioner/<id>` when the practitioner attribute is configured and present. */
  fhirUser?: string;
  authnContext: string;
  strongAuthentication: boolean;
  /** Never empty. */
  profiles: UsableProfile[];
  /** Set when the session acts in one profile from the start. */
  selectedProfileId?: string;
}

export type SignOnDecision =
  | { ok: true; user: SignedOnUser }
  | { ok: false; status: 401 | 403; reason: string };

const USER_ID = /^[\x21-\x7e]{1,128}$/;
const PRACTITIONER = /^(?:Practitioner\/)?([A-Za-z0-9\-.]{1,64})$/;

function refuse(status: 401 | 403, reason: string): SignOnDecision {
  return { ok: false, status, reason };
}

function single(facts: AssertionFacts, name: string): string | undefined {
  const values = facts.attributes.get(name) ?? [];
  return values.length === 1 ? values[0] : undefined;
}

export function decideSignOn(facts: AssertionFacts, policy: SignOnPolicy): SignOnDecision {
  // Several AuthnStatements could each claim a different strength; there is no safe way to pick one.
  if (facts.authnContexts.length !== 1) return refuse(401, 'The assertion must state exactly one authentication context');
  const authnContext = facts.authnContexts[0] as string;
  const userId = single(facts, policy.attributes.userId);
  if (userId === undefined || !USER_ID.test(userId)) return refuse(401, 'The assertion does not identify the user');

  let fhirUser: string | undefined;
  if (policy.attributes.practitioner !== undefined) {
    const raw = single(facts, policy.attributes.practitioner);
    if (raw !== undefined) {
      const m = PRACTITIONER.exec(raw);
      if (!m) return refuse(401, 'The practitioner attribute is not a Practitioner id');
      fhirUser = `Practitioner/${m[1]}`;
    }
  }

  const mapped: UsableProfile[] = [];
  for (const p of parseRoleProfiles(facts.attributes.get(policy.attributes.roleProfiles) ?? [])) {
    const role = mapRole(policy.roleMap, p.roleCode, p.orgCode);
    if (role !== undefined) mapped.push({ ...p, role });
  }
  if (mapped.length === 0) return refuse(403, 'None of the user\'s role profiles gives access to Envelope');

  const strong = policy.strongAuthnContexts.includes(authnContext);
  const usable = strong ? mapped : mapped.filter((p) => policy.weakAllowed(p.role));
  if (usable.length === 0) return refuse(401, 'Authentication too weak for the user\'s roles: sign in with a smartcard');

  const selected = single(facts, policy.attributes.selectedRole);
  let selectedProfileId: string | undefined;
  if (selected !== undefined && usable.some((p) => p.id === selected)) selectedProfileId = selected;
  else if (selected !== undefined && mapped.some((p) => p.id === selected)) {
    // The user chose this role at the IdP; acting in another one instead would not be what they asked for.
    return refuse(401, 'Authentication too weak for the selected role: sign in with a smartcard');
  } else if (usable.length === 1) selectedProfileId = (usable[0] as UsableProfile).id;

  const user: SignedOnUser = { userId, authnContext, strongAuthentication: strong, profiles: usable };
  if (selectedProfileId !== undefined) user.selectedProfileId = selectedProfileId;
  if (fhirUser !== undefined) user.fhirUser = fhirUser;
  const name = single(facts, policy.attributes.name ?? '');
  if (policy.attributes.name !== undefined && name !== undefined && name.length <= 200) user.name = name;
  return { ok: true, user };
}
