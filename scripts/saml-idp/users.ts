// Demo people of the test IdP, with role profiles shaped like CIS2's `nhsid_nrbac_roles` entries.
// Codes follow national RBAC (R8000 Clinical Practitioner, R8008 Admin/Clinical Support, R8010
// Clerical); the ODS codes are made up in the shapes of a GP practice (A81001) and a trust (RXX).

export interface IdpRoleProfile {
  person_roleid: string;
  org_code: string;
  role_code: string;
  role_name: string;
}

export interface IdpUser {
  uid: string;
  name: string;
  /** A Practitioner id, sent when the IdP is told to (the SAML_ATTR_PRACTITIONER walk-through). */
  practitioner?: string;
  profiles: IdpRoleProfile[];
  /** The role the user picked at the IdP (`selected_roleid`), if any. */
  selectedRole?: string;
  /** What the chooser page says about the user. */
  note: string;
}

export const DEMO_USERS: readonly IdpUser[] = [
  {
    uid: '555000000001',
    name: 'Dr Alice Jones',
    practitioner: 'alice-jones',
    profiles: [{ person_roleid: '555000000001-01', org_code: 'A81001', role_code: 'S8000:G8000:R8000', role_name: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"' }],
    note: 'GP at A81001 (one role profile: gp-clinician)',
  },
  {
    uid: '555000000002',
    name: 'Bob Patel',
    profiles: [{ person_roleid: '555000000002-01', org_code: 'RXX', role_code: 'S8001:G8004:R8010', role_name: '"Admin":"Admin":"Clerical Access Role"' }],
    note: 'booking office at trust RXX (one role profile: booking-clerk)',
  },
  {
    uid: '555000000003',
    name: 'Dr Carol Singh',
    profiles: [
      { person_roleid: '555000000003-01', org_code: 'A81001', role_code: 'S8000:G8000:R8000', role_name: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"' },
      { person_roleid: '555000000003-02', org_code: 'RXX', role_code: 'S8000:G8000:R8000', role_name: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"' },
    ],
    note: 'GP at A81001 and consultant at RXX (two role profiles: must select one)',
  },
  {
    uid: '555000000004',
    name: 'Dan Okafor',
    profiles: [{ person_roleid: '555000000004-01', org_code: 'RXX', role_code: 'S8000:G8000:R9999', role_name: 'an unmapped role' }],
    note: 'a role no rule of policy/saml-roles.json maps (refused: no usable role)',
  },
];
