// The session as its own browser may see it (GET /auth/session): who, which role profiles, which one
// is acting, until when, and the CSRF token its state-changing calls must send.
import type { Session } from './sessions.js';

export interface SessionView {
  user: { id: string; name?: string; fhirUser?: string };
  authnContext: string;
  strongAuthentication: boolean;
  roleProfiles: { person_roleid: string; org_code: string; role_code: string; role_name?: string; role: string }[];
  /** null until a role profile is selected (FHIR calls get 403 until then). */
  selectedRoleProfile: string | null;
  role: string | null;
  organization: string | null;
  expiresAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  csrfToken: string;
}

export function sessionView(session: Session): SessionView {
  const d = session.data;
  const selected = d.profiles.find((p) => p.id === d.selectedProfileId);
  const user: SessionView['user'] = { id: d.userId };
  if (d.name !== undefined) user.name = d.name;
  if (d.fhirUser !== undefined) user.fhirUser = d.fhirUser;
  return {
    user,
    authnContext: d.authnContext,
    strongAuthentication: d.strongAuthentication,
    roleProfiles: d.profiles.map((p) => ({
      person_roleid: p.id, org_code: p.orgCode, role_code: p.roleCode, ...(p.roleName !== undefined ? { role_name: p.roleName } : {}), role: p.role,
    })),
    selectedRoleProfile: selected?.id ?? null,
    role: selected?.role ?? null,
    organization: selected?.orgCode ?? null,
    expiresAt: session.expiresAt,
    idleExpiresAt: session.idleExpiresAt,
    absoluteExpiresAt: session.absoluteExpiresAt,
    csrfToken: d.csrfToken,
  };
}
