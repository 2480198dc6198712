// One request's confidentiality view: the patient's consents, sealed envelopes and break glass, as
// the access layer applies them on top of the role grants. It loads the facts the pure policy needs
// (active consents, who the principal is in the directory, open break-glass windows), turns them
// into search conditions the store evaluates inside every query (so counts, paging, includes,
// chains and _has never see what consent or a lock hides), and decides for each released version
// whether it goes out whole, masked or not at all.
import type { Resource, r4 } from '../domain/fhir.js';
import type { Interaction } from '../domain/interaction.js';
import type { Principal } from '../domain/principal.js';
import type { RecordStore } from '../domain/records.js';
import { and, not, TRUE, type Cond } from '../domain/search-types.js';
import { ODS_SYSTEM, ownPatientId, PATIENT_PARAM } from '../policy/conditions.js';
import { consentWhere, GOVERNED_TYPES, relatedTargets, type AccessContext, type ConsentAction, type ConsentFacts, type ConsentPolicy, type TypeParams } from '../policy/consent/index.js';
import {
  BREAK_GLASS_CODING, hiddenWhere, mask, maskedWhere, viewOf, type Clearance, type LabellingPolicy, type Viewer,
} from '../policy/labels/index.js';
import type { RoleClearance } from '../policy/roles.js';
import type { StoreReader } from '../store/port.js';
import { openWindows, recordWindow, type BreakGlassWindow } from './break-glass-windows.js';
import { patientsAbout } from './patient-refs.js';

export interface ConfidentialityDeps {
  labels: LabellingPolicy;
  consent: ConsentPolicy;
  /** Reference search parameters per type (consent `data` with meaning dependents). */
  typeParams: TypeParams;
  /** Whether search parameter `code` of `type` reads sealed content (a masked resource must not match it). */
  sensitiveParam(type: string, code: string): boolean;
  clearance(p: Principal): RoleClearance;
  mayBreakGlass(p: Principal): boolean;
  /** How long a break-glass window stays open (default 60 minutes). */
  breakGlassMinutes?: number;
  records?: RecordStore;
}

/** Every sealed (not locked) label opened: what break glass grants for a patient. */
const OPEN_ALL: Clearance = { confidentiality: 'V', sensitivity: '*' };
const CONSENT_PAGE = 1000;

/** What happened to one released version. */
export type Disclosure = { resource: Resource; masked?: string[]; brokeGlass?: { patient?: string; reason: string } } | undefined;

export function consentActionOf(interaction: Interaction | 'operation'): ConsentAction {
  switch (interaction) {
    case 'create': return 'collect';
    case 'update': case 'patch': case 'delete': return 'correct';
    case 'operation': return 'use';
    default: return 'access';
  }
}

export class ConfidentialityView {
  private consentFacts?: Promise<ConsentFacts>;
  private directory?: Promise<Pick<AccessContext, 'organizationRefs' | 'practitionerRoleRefs'>>;
  private windowsLoaded?: Promise<Map<string, BreakGlassWindow>>;
  private readonly conds = new Map<string, Promise<Cond>>();
  /** Patients this request broke the glass for (windows to open and alert before the response leaves). */
  readonly opened = new Map<string, string>();
  /** Break glass asserted on this request (role and reason already checked). */
  breakGlass?: { reason: string };
  /** Whether anything released by this request was masked. */
  maskedAny = false;
  /** Whether anything released by this request was opened by break glass. */
  brokeGlassAny = false;

  constructor(
    private readonly deps: ConfidentialityDeps,
    private readonly principal: Principal,
    private readonly now: () => Date,
  ) {}

  get viewer(): Viewer {
    const v: Viewer = { clearance: this.deps.clearance(this.principal) };
    if (this.principal.organization) v.organization = this.principal.organization;
    return v;
  }

  /**
   * Who writes, for the labelling policy: with break glass (asserted now, or a window open for the
   * patient of the stored version) sealed data counts as open to the writer; locked data never does.
   */
  async writer(stored: Resource | undefined): Promise<Viewer> {
    const viewer = this.viewer;
    if (this.breakGlass) return { ...viewer, clearance: OPEN_ALL };
    const patients = stored ? patientsAbout(stored) : [];
    if (patients.length === 1 && (await this.windows()).has(patients[0]!)) return { ...viewer, clearance: OPEN_ALL };
    return viewer;
  }

  /** A patient reads their own record and the server's own jobs run unconditioned by consent. */
  private consentExempt(): boolean {
    return this.principal.authMethod === 'internal' || ownPatientId(this.principal) !== undefined;
  }

  /**
   * Whether patients' consents govern `type` for this principal: some of it may be hidden from it by
   * consent (so a log of its versions cannot be shown whole, nor may PUT create at a chosen id).
   */
  consentGoverns(type: string): boolean {
    return !this.consentExempt() && governed(type);
  }

  mayBreakGlass(): boolean {
    return this.deps.mayBreakGlass(this.principal);
  }

  windows(): Promise<Map<string, BreakGlassWindow>> {
    const records = this.deps.records;
    if (!records || !this.deps.mayBreakGlass(this.principal)) return Promise.resolve(new Map());
    this.windowsLoaded ??= openWindows(records, this.principal, this.now());
    return this.windowsLoaded;
  }

  /**
   * Active consents (all patients), every page of them: a consent left unread would be a denial
   * ignored. The store answers from its status index; the engine keeps the patient-privacy ones.
   */
  private facts(reader: StoreReader): Promise<ConsentFacts> {
    this.consentFacts ??= (async () => {
      const consents: r4.Consent[] = [];
      let cursor: string | undefined;
      do {
        const page = await reader.search({
          types: ['Consent'], sort: [], count: CONSENT_PAGE, total: 'none',
          where: [{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'active' }] }],
          ...(cursor !== undefined ? { cursor } : {}),
        });
        for (const m of page.matches) if (!m.deleted) consents.push(m.resource as r4.Consent);
        cursor = page.next;
      } while (cursor !== undefined);
      const related = new Map<string, string[]>();
      for (const target of relatedTargets(consents)) {
        const [type, id] = target.split('/');
        const v = type && id ? await reader.read(type, id) : undefined;
        if (v && !v.deleted) related.set(target, referencesIn(v.resource));
      }
      return { consents, related };
    })();
    return this.consentFacts;
  }

  private directoryOf(reader: StoreReader): Promise<Pick<AccessContext, 'organizationRefs' | 'practitionerRoleRefs'>> {
    this.directory ??= (async () => {
      const ods = this.principal.organization;
      if (!ods) return { organizationRefs: [], practitionerRoleRefs: [] };
      const orgs = await reader.search({
        types: ['Organization'], sort: [], count: 100, total: 'none',
        where: [{ k: 'idx', p: 'identifier', tests: [{ f: 'sys', op: 'eq', v: ODS_SYSTEM }, { f: 'code', op: 'eq', v: ods }] }],
      });
      const organizationRefs = orgs.matches.filter((m) => !m.deleted).map((m) => `Organization/${m.id}`);
      const practitioner = /^(?:.*\/)?(Practitioner\/[A-Za-z0-9\-.]{1,64})$/.exec(this.principal.fhirUser ?? '')?.[1];
      let practitionerRoleRefs: string[] = [];
      if (practitioner && organizationRefs.length > 0) {
        const roles = await reader.search({
          types: ['PractitionerRole'], sort: [], count: 100, total: 'none',
          where: [
            { k: 'idx', p: 'practitioner', tests: [{ f: 's', op: 'eq', v: practitioner }] },
            { k: 'idx', p: 'organization', tests: [{ f: 's', op: 'in', v: organizationRefs }] },
          ],
        });
        practitionerRoleRefs = roles.matches.filter((m) => !m.deleted).map((m) => `PractitionerRole/${m.id}`);
      }
      return { organizationRefs, practitionerRoleRefs };
    })();
    return this.directory;
  }

  /** The principal's purposes of use for this request (v3-ActReason), as consent provisions match them. */
  private purposes(): string[] {
    const out = new Set<string>([this.principal.purposeOfUse ?? this.deps.consent.defaultPurpose]);
    if (this.breakGlass) {
      out.add('BTG');
      out.add('ETREAT');
    }
    return [...out];
  }

  /** What consent allows of `type` for this access (TRUE when nothing is restricted). */
  async consentCond(reader: StoreReader, type: string, action: ConsentAction): Promise<Cond> {
    if (this.consentExempt() || !governed(type)) return TRUE;
    const facts = await this.facts(reader);
    if (facts.consents.length === 0 && this.deps.consent.base === 'permit') return TRUE;
    const ctx: AccessContext = {
      ...(await this.directoryOf(reader)),
      role: this.principal.role,
      action,
      purposes: this.purposes(),
      now: this.now(),
    };
    if (this.principal.organization) ctx.organization = this.principal.organization;
    const practitioner = /^(?:.*\/)?(Practitioner\/[A-Za-z0-9\-.]{1,64})$/.exec(this.principal.fhirUser ?? '')?.[1];
    if (practitioner) ctx.practitionerRef = practitioner;
    return consentWhere(type, facts, ctx, this.deps.consent, this.deps.typeParams);
  }

  /**
   * Everything confidentiality requires of `type` on top of the role grants: not locked away from
   * this principal, allowed by consent, and — when the query reads sealed content (`sensitive`) —
   * not sealed from this principal, so a masked resource cannot be found by what it hides.
   */
  async where(reader: StoreReader, type: string, action: ConsentAction, sensitive: boolean): Promise<Cond> {
    // Asked for every type of every query of the request (includes run queries of their own).
    const key = `${type}|${action}|${sensitive}|${this.breakGlass ? 1 : 0}`;
    let cond = this.conds.get(key);
    if (!cond) this.conds.set(key, (cond = this.computeWhere(reader, type, action, sensitive)));
    return cond;
  }

  private async computeWhere(reader: StoreReader, type: string, action: ConsentAction, sensitive: boolean): Promise<Cond> {
    const viewer = this.viewer;
    const parts: Cond[] = [not(hiddenWhere(viewer, this.deps.labels)), await this.consentCond(reader, type, action)];
    if (sensitive && !this.breakGlass) {
      const opened = [...(await this.windows()).keys()];
      parts.push(not(and(maskedWhere(viewer, this.deps.labels), not(patientIn(type, opened)))));
    }
    return and(...parts);
  }

  /** Whether some parameter of the query, on `type`, reads sealed content. */
  sensitive(type: string, params: readonly string[]): boolean {
    return params.some((p) => this.deps.sensitiveParam(type, p));
  }

  /**
   * How one version leaves: whole, masked (sealed and not open to this principal), or not at all
   * (sealed and locked, not this principal's team). Break glass — asserted on this request, or a
   * window still open for the patient — opens sealed data whole, marked as such.
   */
  async disclose(resource: Resource): Promise<Disclosure> {
    const seen = viewOf(resource, this.viewer, this.deps.labels);
    if (seen === 'full') return { resource };
    if (seen === 'hidden') return undefined;
    const patients = patientsAbout(resource);
    const patient = patients.length === 1 ? patients[0] : undefined;
    const window = patient !== undefined ? (await this.windows()).get(patient) : undefined;
    const reason = this.breakGlass?.reason ?? window?.reason;
    if (reason !== undefined && (this.breakGlass || window)) {
      // Break glass opens what clearance would, never what is locked (viewOf said 'masked', not 'hidden').
      if (viewOf(resource, { ...this.viewer, clearance: OPEN_ALL }, this.deps.labels) === 'full') {
        if (this.breakGlass && patient !== undefined && !window) this.opened.set(patient, this.breakGlass.reason);
        this.brokeGlassAny = true;
        const out: { resource: Resource; brokeGlass: { patient?: string; reason: string } } = { resource: markBrokenGlass(resource), brokeGlass: { reason } };
        if (patient !== undefined) out.brokeGlass.patient = patient;
        return out;
      }
    }
    const masked = mask(resource, this.deps.labels);
    this.maskedAny = true;
    return { resource: masked.resource, masked: masked.removed };
  }

  /**
   * Opens the windows this request broke the glass for: each alerted to the privacy officer (durable
   * in the audit trail) before its record exists and before any response leaves.
   */
  async openWindows(alert: (patient: string, reason: string) => Promise<void>): Promise<string[]> {
    const records = this.deps.records;
    const out: string[] = [];
    for (const [patient, reason] of this.opened) {
      await alert(patient, reason);
      if (records) await recordWindow(records, this.principal, patient, reason, this.now(), this.deps.breakGlassMinutes ?? 60);
      out.push(patient);
    }
    this.opened.clear();
    return out;
  }
}

const governed = (type: string): boolean => Object.prototype.hasOwnProperty.call(GOVERNED_TYPES, type);

/** Resources of `type` about one of these patients (FALSE for types about no patient, or no patients). */
export function patientIn(type: string, patients: readonly string[]): Cond {
  if (patients.length === 0) return { k: 'false' };
  if (type === 'Patient') return { k: 'id', ids: [...patients] };
  const p = PATIENT_PARAM[type];
  if (p === undefined) return { k: 'false' };
  return { k: 'idx', p, tests: [{ f: 's', op: 'in', v: patients.map((id) => `Patient/${id}`) }] };
}

function markBrokenGlass(resource: Resource): Resource {
  const meta = resource.meta ?? {};
  const security = (meta.security ?? []).filter((c) => !(c.system === BREAK_GLASS_CODING.system && c.code === BREAK_GLASS_CODING.code));
  return { ...resource, meta: { ...meta, security: [...security, { ...BREAK_GLASS_CODING }] } } as Resource;
}

/** Every local reference (`Type/id`) in a resource, for consent provisions about related data. */
function referencesIn(resource: Resource): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string') {
          const m = /^(?:.*\/)?([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(x);
          if (m) out.add(m[1]!);
        } else walk(x);
      }
    }
  };
  walk(resource);
  return [...out];
}
