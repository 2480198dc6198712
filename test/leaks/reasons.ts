// The reasons to hide, as data: for each reason and role, the targets it hides from that role's
// principal (see world.ts), what of them must never reach the principal (markers), and the tokens
// requests are built from. Each target has a twin built from the same template with values that
// match nothing, so that a request about the hidden target can be compared with the very same
// request about something missing.
import {
  ACT, CLAIM_REASON, HIV_CODE, LEAK_ID, LEAK_TAG, ROLE_POLICY, SEAL_TEAM, SNOMED, TEAM, hasGrant, type ControlKey,
} from './world.js';

/** The values a target's requests are built from; its twin has the same keys with values that match nothing. */
export type Tokens = Record<string, string>;

export interface Target {
  /** Stable name of the hidden thing, for messages. */
  key: string;
  type: string;
  id: string;
  /** How many versions it has (vread each). */
  versions: number;
  /** The patient it is about (undefined for a Slot or an AuditEvent). */
  patient?: string;
  /** Family name of that patient (for chains). */
  family?: string;
  /** The practitioner role that requested it (referrals). */
  requester?: string;
  tokens: Tokens;
  /** Strings that must never appear in what is sent to the principal. */
  markers: string[];
  /**
   * Sealed (masked) data: the resource may be released in its masked form, so its id and the
   * non-sensitive elements may appear; only the sensitive elements and labels may not.
   */
  idVisible: boolean;
  /** A search (query string) selecting the target by what is hidden of it: it must select nothing. */
  elementQuery: string;
  /** A search by a label or tag only it carries. */
  labelQuery?: string;
  /** A search by the seal team's label. */
  teamQuery?: string;
  /** Who may see it: proves each path reaches it. */
  control: ControlKey;
}

export interface Reason {
  name: string;
  /** The targets this reason hides from the suite's principal in `role`. */
  targets(role: string, w: { auditEventId: string }): TargetPair[];
}

export interface TargetPair {
  target: Target;
  twin: Target;
}

type Template = (tok: Tokens) => Omit<Target, 'tokens'>;

function pair(template: Template, real: Tokens, twin: Tokens): TargetPair {
  return { target: { ...template(real), tokens: real }, twin: { ...template(twin), tokens: twin } };
}

const byIdent = (tok: Tokens) => `identifier=${LEAK_ID}|${tok['ident']}`;
const byTag = (tok: Tokens) => `_tag=${LEAK_TAG}|${tok['tag']}`;
const byTeam = (tok: Tokens) => `_security=${TEAM}|${tok['team']}`;

// ---------------------------------------------------------------------------------------------
// No role: the first of these types the role has no grant on at all.

const NOROLE_SR: Template = (tok) => ({
  key: 'hidden-norole-sr', type: 'ServiceRequest', id: tok['id']!, versions: 2, patient: 'pat', family: 'Pemberton', requester: 'gp-a',
  markers: [tok['id']!, tok['ident']!, tok['tag']!, 'norole-sr-note-3b8d'], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), control: 'practice-a-gp',
});
const NOROLE_CONSENT: Template = (tok) => ({
  key: 'hidden-norole-consent', type: 'Consent', id: tok['id']!, versions: 2, patient: 'pat', family: 'Pemberton',
  markers: [tok['id']!, tok['ident']!, tok['tag']!], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), control: 'practice-a-gp',
});
const NOROLE_SLOT: Template = (tok) => ({
  key: 'hidden-norole-slot', type: 'Slot', id: tok['id']!, versions: 2,
  markers: [tok['id']!, tok['ident']!, tok['tag']!, 'norole-slot-comment-91e4'], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), control: 'practice-a-gp',
});
const NOROLE_AUDIT: Template = (tok) => ({
  key: 'the seal team\'s claim alert', type: 'AuditEvent', id: tok['id']!, versions: 1, patient: 'pat', family: 'Pemberton',
  markers: [tok['id']!, CLAIM_REASON], idVisible: false,
  // An audit search must name a time window.
  elementQuery: `_id=${tok['id']}&date=ge2000-01-01&date=le2100-01-01`, control: 'privacy-officer',
});

/** Which type hides what from a role without a grant on it, in order of preference. */
const NOROLE_BY_TYPE: [string, (w: { auditEventId: string }) => TargetPair][] = [
  ['ServiceRequest', () => pair(NOROLE_SR, { id: 'hidden-norole-sr', ident: 'norole-sr-ident-2c9e', tag: 'norole-sr-tag' }, { id: 'nothere-norole-sr', ident: 'nothere-sr-ident-2c9e', tag: 'nothere-sr-tag' })],
  ['Consent', () => pair(NOROLE_CONSENT, { id: 'hidden-norole-consent', ident: 'norole-consent-ident-8d1f', tag: 'norole-consent-tag' }, { id: 'nothere-norole-consent', ident: 'nothere-consent-ident-8d1f', tag: 'nothere-consent-tag' })],
  ['Slot', () => pair(NOROLE_SLOT, { id: 'hidden-norole-slot', ident: 'norole-slot-ident-5a70', tag: 'norole-slot-tag' }, { id: 'nothere-norole-slot', ident: 'nothere-slot-ident-5a70', tag: 'nothere-slot-tag' })],
  // Sequence ids of the chain: the twin is one no trail this short reaches.
  ['AuditEvent', (w) => pair(NOROLE_AUDIT, { id: w.auditEventId }, { id: w.auditEventId.replace(/\d{8}$/, '99999999') })],
];

/** The type whose resource the role's principal cannot see for want of any grant (undefined: it has them all). */
export function noRoleType(role: string): string | undefined {
  return NOROLE_BY_TYPE.find(([type]) => !hasGrant(role, type))?.[0];
}

// ---------------------------------------------------------------------------------------------
// The others: the same targets for every role.

const NOREL_SR: Template = (tok) => ({
  key: 'hidden-norel-sr', type: 'ServiceRequest', id: tok['id']!, versions: 2, patient: tok['patient']!, family: tok['family']!, requester: 'gp-b',
  markers: [tok['id']!, tok['patient']!, tok['family']!, tok['ident']!, tok['tag']!, 'norel-sr-note-0d4c'], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), control: 'practice-b-gp',
});
const CONSENT_APPT: Template = (tok) => ({
  key: 'hidden-consent-appt', type: 'Appointment', id: tok['id']!, versions: 2, patient: 'pat', family: 'Pemberton',
  markers: [tok['id']!, tok['ident']!, tok['tag']!, 'consent-appt-comment-5e21', 'consent-appt-description-5e21'], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), control: 'pat-herself',
});
/** Sealed referrals: masked, so the id may show; the note, the reason code and the labels may not. */
const sealedSr = (key: string, note: string, versions: number): Template => (tok) => ({
  key, type: 'ServiceRequest', id: tok['id']!, versions, patient: 'pat', family: 'Pemberton', requester: 'gp-a',
  markers: [note, tok['code']!, `"${tok['label']}"`, tok['team']!], idVisible: true,
  elementQuery: `reason-code=${SNOMED}|${tok['code']}`, labelQuery: `_security=${ACT}|${tok['label']}`, teamQuery: byTeam(tok), control: 'seal-team',
});
const SEALED_TOKENS = { code: HIV_CODE, label: 'HIV', team: SEAL_TEAM };
const SEALED_TWIN = { code: '99999999', label: 'PSY', team: 'NOSEAL' };
const lockedSr = (key: string, note: string, idVisible: boolean): Template => (tok) => ({
  key, type: 'ServiceRequest', id: tok['id']!, versions: 2, patient: 'pat', family: 'Pemberton', requester: 'gp-a',
  markers: idVisible ? [note, tok['team']!] : [tok['id']!, tok['ident']!, tok['tag']!, note, tok['team']!], idVisible,
  elementQuery: byIdent(tok), ...(idVisible ? {} : { labelQuery: byTag(tok) }), teamQuery: byTeam(tok), control: 'seal-team',
});
const LOCKED_SLOT: Template = (tok) => ({
  key: 'hidden-locked-slot', type: 'Slot', id: tok['id']!, versions: 2,
  markers: [tok['id']!, tok['ident']!, tok['tag']!, 'locked-slot-comment-3d3d', tok['team']!], idVisible: false,
  elementQuery: byIdent(tok), labelQuery: byTag(tok), teamQuery: byTeam(tok), control: 'seal-team',
});

export const REASONS: Reason[] = [
  {
    name: 'no role',
    targets(role, w) {
      const entry = NOROLE_BY_TYPE.find(([type]) => !hasGrant(role, type));
      return entry ? [entry[1](w)] : [];
    },
  },
  {
    name: 'no relationship',
    targets: () => [pair(NOREL_SR,
      { id: 'hidden-norel-sr', patient: 'hidden-norel-pat', family: 'Norquist', ident: 'norel-sr-ident-6b3a', tag: 'norel-sr-tag' },
      { id: 'nothere-norel-sr', patient: 'nothere-norel-pat', family: 'Nobodyxx', ident: 'nothere-sr-ident-6b3a', tag: 'nothere-norel-tag' })],
  },
  {
    name: 'consent deny',
    targets: () => [pair(CONSENT_APPT,
      { id: 'hidden-consent-appt', ident: 'consent-appt-ident-7c55', tag: 'consent-appt-tag' },
      { id: 'nothere-consent-appt', ident: 'nothere-appt-ident-7c55', tag: 'nothere-appt-tag' })],
  },
  {
    name: 'sealed',
    targets: () => [
      pair(sealedSr('hidden-sealed-sr', 'sealed-note-7f3a', 2), { id: 'hidden-sealed-sr', ident: 'sealed-sr-ident-1f0b', ...SEALED_TOKENS }, { id: 'nothere-sealed-sr', ident: 'nothere-sealed-ident', ...SEALED_TWIN }),
      pair(sealedSr('was-sealed-sr (v1 sealed, v2 open)', 'was-sealed-note-c7a2', 2), { id: 'was-sealed-sr', ident: 'was-sealed-ident-3e8e', ...SEALED_TOKENS }, { id: 'nothere-wassealed', ident: 'nothere-wassealed-ident', ...SEALED_TWIN }),
    ],
  },
  {
    name: 'sealed and locked',
    targets: () => [
      pair(lockedSr('hidden-locked-sr', 'locked-note-e5d3', false),
        { id: 'hidden-locked-sr', ident: 'locked-sr-ident-0a61', tag: 'locked-sr-tag', team: SEAL_TEAM },
        { id: 'nothere-locked-sr', ident: 'nothere-locked-ident', tag: 'nothere-locked-tag', team: 'NOSEAL' }),
      pair(LOCKED_SLOT,
        { id: 'hidden-locked-slot', ident: 'locked-slot-ident-77b9', tag: 'locked-slot-tag', team: SEAL_TEAM },
        { id: 'nothere-locked-slot', ident: 'nothere-lslot-ident', tag: 'nothere-lslot-tag', team: 'NOSEAL' }),
      pair(lockedSr('was-locked-sr (v1 locked, v2 open)', 'was-locked-note-8f19', true),
        { id: 'was-locked-sr', ident: 'was-locked-ident-50c8', team: SEAL_TEAM },
        { id: 'nothere-waslocked', ident: 'nothere-waslocked-ident', team: 'NOSEAL' }),
    ],
  },
  {
    name: 'expired break glass',
    targets: () => [pair(sealedSr('hidden-btg-sr', 'btg-note-2b6e', 2), { id: 'hidden-btg-sr', ident: 'btg-sr-ident-94d0', ...SEALED_TOKENS }, { id: 'nothere-btg-sr', ident: 'nothere-btg-ident', ...SEALED_TWIN })],
  },
];

/** Roles of the policy file with no no-role target (a grant on every candidate type). */
export function rolesWithoutNoRoleTarget(): string[] {
  return Object.keys(ROLE_POLICY.roles).filter((r) => noRoleType(r) === undefined);
}
