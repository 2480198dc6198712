// Role profiles from the assertion's role-profile attribute. Each value is a JSON object modelled on
// CIS2's `nhsid_nrbac_roles` entries ({person_roleid, org_code, role_code, role_name}); a value may
// also be a JSON array of them. A malformed entry is dropped: leaving out a profile can only take
// access away, never grant it.

export interface RoleProfile {
  /** The role profile's id (an NHS URID-like identifier); what the user selects. */
  id: string;
  /** ODS code of the organisation the profile is held at. */
  orgCode: string;
  /** National role code, e.g. `S8000:G8000:R8000`. */
  roleCode: string;
  roleName?: string;
}

const PROFILE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ORG_CODE = /^[A-Za-z0-9]{2,12}$/;
const ROLE_CODE = /^[A-Za-z0-9:]{1,100}$/;

function profileOf(v: unknown): RoleProfile | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const id = o['person_roleid'];
  const org = o['org_code'];
  const code = o['role_code'];
  const name = o['role_name'];
  if (typeof id !== 'string' || !PROFILE_ID.test(id)) return undefined;
  if (typeof org !== 'string' || !ORG_CODE.test(org)) return undefined;
  if (typeof code !== 'string' || !ROLE_CODE.test(code)) return undefined;
  const profile: RoleProfile = { id, orgCode: org.toUpperCase(), roleCode: code };
  if (typeof name === 'string' && name.length <= 300) profile.roleName = name;
  return profile;
}

/** The distinct, well-formed profiles of the attribute's values, first occurrence of an id kept. */
export function parseRoleProfiles(values: readonly string[]): RoleProfile[] {
  const out: RoleProfile[] = [];
  const seen = new Set<string>();
  for (const text of values) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue;
    }
    for (const item of Array.isArray(json) ? json : [json]) {
      const p = profileOf(item);
      if (p && !seen.has(p.id)) {
        seen.add(p.id);
        out.push(p);
      }
    }
  }
  return out;
}
