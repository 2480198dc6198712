// Shared fixture for the consent engine tests: a real SQLite store with the real R4 indexer holding
// two patients' referrals and appointments, and helpers that run the compiled condition through the
// store's own search, so every test asserts which rows a client would actually get back.
import type { r4 } from '../../../src/domain/fhir.js';
import type { Cond } from '../../../src/domain/search-types.js';
import {
  consentWhere, type AccessContext, type ConsentFacts, type ConsentPolicy, type TypeParams,
} from '../../../src/policy/consent/index.js';
import { createIndexer } from '../../../src/search/indexer.js';
import { loadR4Registry } from '../../../src/search/registry.js';
import type { Store } from '../../../src/store/port.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

export const SNOMED = 'http://snomed.info/sct';
export const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const ROLE_SYSTEM = 'https://envelope.example/fhir/CodeSystem/role';
export const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const NDOO = 'https://digital.nhs.uk/services/national-data-opt-out';

export const registry = loadR4Registry();

/** Reference parameters from the real registry, as the access layer supplies them. */
export const typeParams: TypeParams = {
  referenceParams: (type) => registry.paramsFor(type).filter((p) => p.type === 'reference' && p.supported).map((p) => p.code),
};

/** The deployment of the default file: opt-out model, denials bite on every purpose, the national data opt-out only on research and planning. */
export const optOutDeployment: ConsentPolicy = {
  base: 'permit',
  defaultPurpose: 'TREAT',
  denialPurposes: ['*'],
  policies: { [NDOO]: { denialPurposes: ['HRESCH', 'HOPERAT'] } },
};
export const optInDeployment: ConsentPolicy = { ...optOutDeployment, base: 'deny' };

export const NOW = new Date('2025-06-01T12:00:00Z');

/** A GP clinician at practice A81001 (Organization/org-a), Practitioner/dr1 in PractitionerRole/pr1. */
export function access(over: Partial<AccessContext> = {}): AccessContext {
  return {
    organization: 'A81001',
    organizationRefs: ['Organization/org-a'],
    practitionerRef: 'Practitioner/dr1',
    practitionerRoleRefs: ['PractitionerRole/pr1'],
    role: 'gp-clinician',
    action: 'access',
    purposes: ['TREAT'],
    now: NOW,
    ...over,
  };
}

const code = (c: string): r4.CodeableConcept => ({ coding: [{ system: SNOMED, code: c }] });
const conf = (c: string): r4.Coding => ({ system: CONF, code: c });

function referral(id: string, patient: string, o: { code: string; authored: string; requester: string; security?: r4.Coding[] }): r4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', code: code(o.code), subject: { reference: `Patient/${patient}` },
    authoredOn: o.authored, requester: { reference: o.requester }, ...(o.security ? { meta: { security: o.security } } : {}),
  };
}

function appointment(id: string, patients: string[], o: { start: string; serviceType?: string; specialty?: string; basedOn?: string; security?: r4.Coding[] }): r4.Appointment {
  return {
    resourceType: 'Appointment', id, status: 'booked', start: o.start, end: new Date(Date.parse(o.start) + 15 * 60_000).toISOString(),
    ...(o.serviceType ? { serviceType: [code(o.serviceType)] } : {}),
    ...(o.specialty ? { specialty: [code(o.specialty)] } : {}),
    ...(o.basedOn ? { basedOn: [{ reference: o.basedOn }] } : {}),
    participant: [
      ...patients.map((p) => ({ actor: { reference: `Patient/${p}` }, status: 'accepted' as const })),
      { actor: { reference: 'Practitioner/dr9' }, status: 'accepted' as const },
    ],
    ...(o.security ? { meta: { security: o.security } } : {}),
  };
}

/**
 * Patient pa: three referrals and two appointments with different codes, dates, authors and labels.
 * Patient pb: one referral and one appointment, the control that no consent of pa may touch.
 */
export const FIXTURE: r4.Resource[] = [
  { resourceType: 'Patient', id: 'pa' } as r4.Patient,
  { resourceType: 'Patient', id: 'pb' } as r4.Patient,
  referral('sr-a1', 'pa', { code: 'X1', authored: '2024-01-10', requester: 'Practitioner/dr1' }),
  referral('sr-a2', 'pa', { code: 'X2', authored: '2024-08-10', requester: 'Practitioner/dr2', security: [conf('R')] }),
  referral('sr-a3', 'pa', { code: 'X1', authored: '2025-02-01', requester: 'PractitionerRole/pr1', security: [conf('L'), { system: ACT_CODE, code: 'PSY' }] }),
  appointment('ap-a1', ['pa'], { start: '2024-02-01T09:00:00Z', serviceType: 'X1', basedOn: 'ServiceRequest/sr-a1' }),
  appointment('ap-a2', ['pa'], { start: '2024-07-01T09:00:00Z', specialty: 'X2', basedOn: 'ServiceRequest/sr-a2', security: [conf('V')] }),
  referral('sr-b1', 'pb', { code: 'X1', authored: '2024-01-10', requester: 'Practitioner/dr1' }),
  appointment('ap-b1', ['pb'], { start: '2024-02-01T09:00:00Z', serviceType: 'X1', basedOn: 'ServiceRequest/sr-b1' }),
];

export const ALL = {
  Patient: ['pa', 'pb'],
  ServiceRequest: ['sr-a1', 'sr-a2', 'sr-a3', 'sr-b1'],
  Appointment: ['ap-a1', 'ap-a2', 'ap-b1'],
} as const;
export type GovernedName = keyof typeof ALL;
export const GOVERNED: GovernedName[] = ['Patient', 'ServiceRequest', 'Appointment'];

export async function openFixtureStore(extra: r4.Resource[] = []): Promise<Store> {
  const store = await openSqliteStore({ file: ':memory:', indexer: createIndexer(registry) });
  await store.transaction(async (tx) => {
    for (const r of [...FIXTURE, ...extra]) await tx.create(r as never);
  });
  return store;
}

/** The ids of `type` a search returns when `cond` is that type's visibility (every other type visible). */
export async function visibleIds(store: Store, type: string, cond: Cond): Promise<string[]> {
  const visibility: Record<string, Cond> = {};
  for (const t of registry.types) visibility[t] = { k: 'true' };
  visibility[type] = cond;
  const res = await store.search({ types: [type], where: [], sort: [], count: 1000, total: 'accurate', visibility });
  const ids = res.matches.map((m) => m.id).sort();
  if (res.total !== ids.length) throw new Error(`total ${res.total} disagrees with ${ids.length} rows`);
  return ids;
}

/** What each governed type shows this access, given these consents. */
export async function visibleAll(store: Store, consents: r4.Consent[], ctx: AccessContext = access(), policy: ConsentPolicy = optOutDeployment,
  related: ReadonlyMap<string, readonly string[]> = new Map()): Promise<Record<GovernedName, string[]>> {
  const facts: ConsentFacts = { consents, related };
  const out = {} as Record<GovernedName, string[]>;
  for (const t of GOVERNED) out[t] = await visibleIds(store, t, consentWhere(t, facts, ctx, policy, typeParams));
  return out;
}

/** Everything except the listed ids. */
export function allBut(...hidden: string[]): Record<GovernedName, string[]> {
  const out = {} as Record<GovernedName, string[]>;
  for (const t of GOVERNED) out[t] = ALL[t].filter((id) => !hidden.includes(id));
  return out;
}

export interface ConsentOptions {
  policyRule?: 'OPTIN' | 'OPTOUT';
  policyUri?: string;
  status?: r4.Consent['status'];
  scope?: string;
  dateTime?: string;
  patient?: string | null;
}

/** A patient-privacy consent of `patient` with the given root provision. */
export function consent(id: string, patient: string, provision: r4.ConsentProvision | undefined, o: ConsentOptions = {}): r4.Consent {
  const c: r4.Consent = {
    resourceType: 'Consent', id, status: o.status ?? 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: o.scope ?? 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  };
  if (o.patient !== null) c.patient = { reference: `Patient/${o.patient ?? patient}` };
  if (o.dateTime !== undefined) c.dateTime = o.dateTime;
  if (o.policyUri !== undefined) c.policy = [{ uri: o.policyUri }];
  if (o.policyRule !== undefined || o.policyUri === undefined) {
    c.policyRule = { coding: [{ system: ACT_CODE, code: o.policyRule ?? 'OPTIN' }] };
  }
  if (provision !== undefined) c.provision = provision;
  return c;
}

/** An opt-in consent of pa (base permit) whose one nested provision denies what `deny` states. */
export function denyOnly(deny: Omit<r4.ConsentProvision, 'type'>, patient = 'pa'): r4.Consent {
  return consent(`c-${patient}`, patient, { provision: [{ type: 'deny', ...deny }] }, { policyRule: 'OPTIN' });
}

export const purpose = (c: string): r4.Coding => ({ system: ACT_REASON, code: c });
export const action = (c: string): r4.CodeableConcept => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: c }] });
export const resourceClass = (t: string): r4.Coding => ({ system: 'http://hl7.org/fhir/resource-types', code: t });
export const snomed = code;
export const confidentiality = conf;

/** Every local reference a resource holds, as the access layer would load them for `related`. */
export function referencesIn(resource: unknown): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(x)) out.add(x);
        else visit(x);
      }
    }
  };
  visit(resource);
  return [...out].sort();
}
