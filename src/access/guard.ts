// The enforcement point. A Guard wraps the store for one request's principal: every interaction is
// checked against the policy before the store is touched, and every resource that leaves is branded
// Released only here. There is no unguarded repository: code outside src/access never sees a
// StoredVersion it could hand to a client.
import { createHash } from 'node:crypto';
import { errors, FhirError } from '../domain/errors.js';
import type { Bundle, BundleEntry, OperationOutcome, Resource, r4 } from '../domain/fhir.js';
import type { Interaction } from '../domain/interaction.js';
import type { Principal } from '../domain/principal.js';
import type { SearchRequest } from '../domain/search-types.js';
import type { HistoryRequest, Store, StoreReader, StoreWriter, StoredVersion, WriteOptions } from '../store/port.js';
import type { FollowUp, RuleOutcome, RuleReader, StoredResource, WriteIntent, WriteRules } from '../scheduling/port.js';
import type { RecordStore } from '../domain/records.js';
import type { Cond, IndexValue } from '../domain/search-types.js';
import { NO_FACTS, ownPatientId, type PolicyFacts } from '../policy/conditions.js';
import { forPatient, NotAboutThisPatientError, type StaffIdentity } from '../audit/patient-view.js';
import type { AuditSink } from './audit-sink.js';
import { accessRecord, auditUnavailable, recordOrRefuse, type RequestFacts } from './audit-trail.js';
import type { AccessRecord } from '../domain/access-record.js';
import { Disclosures } from './disclosures.js';
import { patientsAbout } from './patient-refs.js';
import { limitsWhere } from '../policy/decide-interaction.js';
import type { InteractionPolicy, Limit } from './interaction-policy.js';
import { claimedPatients, MAX_REASON_LENGTH, recordClaim, type Claim } from './relationship-claims.js';
import { checkAfterWrite, checkBeforeWrite, hiddenError, isVisible, type PatientsOf } from './limits.js';
import { brand, type Released } from './released.js';
import { ConfidentialityView, consentActionOf, type ConfidentialityDeps } from './confidentiality.js';
import { paramsByType } from './query-params.js';
import { labelOnWrite } from '../policy/labels/index.js';

/** A stored version as the client may see it. */
export interface ReleasedVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  /** Absent for a deletion marker: a deleted version discloses no content. */
  resource?: Released<Resource>;
}

export interface ReleasedPage {
  matches: ReleasedVersion[];
  total?: number;
  next?: string;
}

export interface ReleasedHistory {
  versions: ReleasedVersion[];
  total: number;
  next?: string;
}

/** A Bundle whose entries carry only released resources. */
export type ReleasableBundle = Omit<Bundle, 'entry'> & {
  entry?: (Omit<BundleEntry, 'resource' | 'response'> & {
    resource?: Released<Resource>;
    response?: Omit<NonNullable<BundleEntry['response']>, 'outcome'> & { outcome?: Released<OperationOutcome> };
  })[];
};

/** Brand a Bundle assembled from released parts; the type system guarantees the parts were released. */
export function releaseBundle(bundle: ReleasableBundle): Released<Bundle> {
  return brand(bundle as Bundle);
}

/**
 * OperationOutcomes carry error text. They are built from coded errors whose messages never echo
 * stored content, and the access layer chooses the status for hidden data (404, never 403) so that
 * the text cannot reveal existence.
 */
export function releaseOutcome(outcome: OperationOutcome): Released<OperationOutcome> {
  return brand(outcome);
}

/**
 * Statements the server makes about itself (CapabilityStatement, OperationDefinition) hold no patient
 * data and are public by design; only those resource types may pass here.
 */
export function releaseServerStatement<T extends Resource & { resourceType: 'CapabilityStatement' | 'OperationDefinition' }>(r: T): Released<T> {
  return brand(r);
}

export interface GuardDeps {
  store: Store;
  policy: InteractionPolicy;
  resourceTypes: readonly string[];
  /** Workflow rules (booking, referral lifecycle) run inside every write's transaction. */
  rules: WriteRules;
  now?: () => Date;
  /** Server-side records; self-claimed relationships are read from here. */
  records?: RecordStore;
  /** How long a self-claimed relationship lasts (default 24 hours). */
  claimHours?: number;
  /** The search index values of a resource (the store's indexer): which patients a write names. */
  indexer?: (resource: Resource) => IndexValue[];
  /** The audit trail: every interaction is recorded there before its response is sent. */
  audit?: AuditSink;
  /** How much of a staff member a patient sees in the AuditEvents about their record (default role and organisation). */
  patientAuditView?: StaffIdentity;
  /** Whether the principal is a system registered as an audit source (may append AuditEvents). */
  isAuditSource?: (p: Principal) => boolean;
  /** Consent, sealed envelopes and break glass (docs/consent.md, docs/sealed-envelopes.md). */
  confidentiality: ConfidentialityDeps;
}

function stored(v: StoredVersion): StoredResource {
  return { resource: v.resource, versionId: v.versionId, deleted: v.deleted };
}

export class Guard {
  constructor(
    private readonly deps: GuardDeps,
    readonly principal: Principal,
    private readonly reader: StoreReader = deps.store,
    private readonly writer?: StoreWriter,
    /** What this request touched; shared by the guards of one request (a transaction's own guard). */
    readonly disclosures: Disclosures = new Disclosures(),
    /** Consent, seals and break glass for this request; shared like the disclosures. */
    readonly view: ConfidentialityView = new ConfidentialityView(deps.confidentiality, principal, () => deps.now?.() ?? new Date()),
  ) {}

  /**
   * Break glass asserted on this request, with its reason: refused (403) unless the role allows it.
   * It opens sealed data — never sealed-and-locked — for the patients the request reaches, each
   * alerted to the privacy officer and audited with the reason.
   */
  breakGlass(assertion: { reason: string }): void {
    if (!this.view.mayBreakGlass()) {
      throw errors.forbidden(`Access denied: role '${this.principal.role}' may not break the glass to open sealed records`);
    }
    this.view.breakGlass = assertion;
  }

  /** End-of-transaction checks the rules asked for, when this guard is bound to a transaction. */
  private readonly deferred: (() => Promise<void>)[] = [];
  private factsLoaded?: Promise<PolicyFacts>;

  /** The patients (ids) `resource` names through reference parameter `param`, by the server's own indexer. */
  private readonly patientsOf: PatientsOf = (resource, param) => {
    const indexer = this.deps.indexer;
    if (!indexer) return [];
    const out: string[] = [];
    for (const v of indexer(resource)) {
      const m = v.p === param && v.s !== undefined ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(v.s) : null;
      if (m) out.push(m[1]!);
    }
    return out;
  };

  /**
   * Throws 403 unless the principal may perform `interaction` on `resourceType`. Answers the limits
   * of that permission: undefined for every resource of the type, else the resources must satisfy one.
   */
  authorize(interaction: Interaction, resourceType: string): readonly Limit[] | undefined {
    const d = this.deps.policy.decide(this.principal, interaction, resourceType);
    if (!d.permit) throw errors.forbidden(`Access denied: ${d.reason}`);
    return d.limits;
  }

  /** The facts the limits need that the data does not hold (self-claimed relationships), once per request. */
  private facts(): Promise<PolicyFacts> {
    const records = this.deps.records;
    // Only a role allowed to claim relationships can hold claims that count: no store read otherwise.
    if (!records || !this.deps.policy.mayClaimRelationship(this.principal)) return Promise.resolve(NO_FACTS);
    this.factsLoaded ??= claimedPatients(records, this.principal, this.now()).then((ids) => ({ claimedPatients: ids }));
    return this.factsLoaded;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Whether type/id is live and within the limits, the patient's consent and its seal (a locked
   * resource of another team does not exist for this principal). Runs the same query whether or not
   * it exists.
   */
  private async visible(reader: StoreReader, type: string, id: string, limits: readonly Limit[] | undefined, interaction: Interaction): Promise<boolean> {
    const facts = await this.facts();
    const confidential = await this.view.where(reader, type, consentActionOf(interaction), false);
    const rule: Limit[] = limits ? [...limits] : [{ conditions: [], where: () => ({ k: 'true' }) }];
    return isVisible(reader, type, id, rule.map((l) => ({ ...l, where: (f) => ({ k: 'and', of: [l.where(f), confidential] }) })), facts);
  }

  /**
   * 403 under limits, else 404 — the same whether it exists or not — unless type/id is live and
   * visible (limits, consent, seal).
   */
  private async requireVisible(type: string, id: string, limits: readonly Limit[] | undefined, interaction: Interaction): Promise<void> {
    if (!(await this.visible(this.reader, type, id, limits, interaction))) {
      // The refused target is part of the record (its patient stays unknown: nothing was read).
      this.disclosures.add({ type, id }, []);
      throw this.notVisible(type, id, limits);
    }
  }

  /**
   * For unlimited access: a live resource must still meet consent and locks. A deleted one has no
   * current content to judge; its earlier versions are judged one by one as they are released.
   */
  private async requireVisibleIfLive(type: string, id: string, interaction: Interaction): Promise<void> {
    if (!(await this.liveAndVisible(type, id, interaction))) {
      this.disclosures.add({ type, id }, []);
      throw this.notVisible(type, id, undefined);
    }
  }

  /** False only when type/id is live and hidden from the principal (consent, lock). */
  private async liveAndVisible(type: string, id: string, interaction: Interaction): Promise<boolean> {
    const v = await this.reader.read(type, id);
    return !v || v.deleted || (await this.visible(this.reader, type, id, undefined, interaction));
  }

  private notVisible(type: string, id: string, limits: readonly Limit[] | undefined): FhirError {
    return limits ? hiddenError(type, id, limits) : errors.notFound(`${type}/${id} is not known`);
  }

  /**
   * What the principal may see of every type, for a search: reached resources (chains, _has,
   * includes) are filtered by it too. A type the principal may not search is absent: invisible.
   */
  private async visibility(searched: readonly string[], interaction: Interaction, used: ReadonlyMap<string, readonly string[]> = new Map()): Promise<Record<string, Cond>> {
    const out: Record<string, Cond> = {};
    for (const t of new Set([...this.deps.resourceTypes, ...searched])) {
      const d = this.deps.policy.decide(this.principal, searched.includes(t) ? interaction : 'search-type', t);
      if (!d.permit) continue;
      const granted: Cond = d.limits ? limitsWhere(d.limits, await this.facts())! : { k: 'true' };
      const confidential = await this.view.where(this.reader, t, 'access', this.view.sensitive(t, used.get(t) ?? []));
      out[t] = { k: 'and', of: [granted, confidential] };
    }
    return out;
  }

  /** Whether the principal may perform `interaction` on EVERY resource of `resourceType` (no limits). */
  mayAll(interaction: Interaction, resourceType: string): boolean {
    const d = this.deps.policy.decide(this.principal, interaction, resourceType);
    return d.permit && d.limits === undefined;
  }

  /** Whether the principal may perform `interaction` on `resourceType`, without throwing. */
  may(interaction: Interaction, resourceType: string): boolean {
    return this.deps.policy.decide(this.principal, interaction, resourceType).permit;
  }

  /**
   * Records this request in the audit trail — what it was, who asked, its outcome, and everything
   * this guard released or refused — and resolves once that record is durable. Resolves with an
   * error to answer INSTEAD of the response when the audit trail cannot record it (503).
   */
  async seal(facts: RequestFacts, outcome: AccessRecord['outcome'], onFault: (e: unknown) => void): Promise<FhirError | undefined> {
    if (this.view.opened.size > 0) {
      const audit = this.deps.audit;
      try {
        // Each window opened by this request is alerted (durably) before it exists and before the data leaves.
        await this.view.openWindows(async (patient, reason) => {
          if (audit) await audit.alert('break-glass', { who: this.principal, patient, reason, at: this.now(), requestId: facts.requestId });
        });
      } catch (e) {
        onFault(e);
        return auditUnavailable();
      }
    }
    return recordOrRefuse(this.deps.audit, accessRecord(facts, this.principal, this.disclosures, outcome, this.now()), onFault);
  }


  /**
   * A patient reading the AuditEvents about their own record sees the "who looked at my record"
   * view (src/audit/patient-view.ts): when, which organisation and role, for what purpose — not the
   * staff member's identity, address or query. Principals who may read the whole trail see it all.
   */
  private audited(v: StoredVersion): Resource {
    if (v.resourceType !== 'AuditEvent' || v.deleted) return v.resource;
    const me = ownPatientId(this.principal);
    if (me === undefined || this.mayAll('read', 'AuditEvent')) return v.resource;
    try {
      return forPatient(v.resource as r4.AuditEvent, me, { staff: this.deps.patientAuditView ?? 'role-and-organisation' });
    } catch (e) {
      if (!(e instanceof NotAboutThisPatientError)) throw e;
      // About them only as the actor (their own access): what happened and when, nothing more.
      const a = v.resource as r4.AuditEvent;
      return { resourceType: 'AuditEvent', id: a.id, meta: a.meta, type: a.type, subtype: a.subtype, action: a.action, recorded: a.recorded, outcome: a.outcome, agent: [{ requestor: true, who: { reference: `Patient/${me}` } }], source: { observer: { display: a.source?.observer?.display ?? 'Envelope' } } } as r4.AuditEvent;
    }
  }

  /**
   * The version as this principal may see it: whole, masked, or undefined when it does not exist for
   * them (sealed and locked by another team). Everything leaving the guard passes here.
   */
  private async release(v: StoredVersion): Promise<ReleasedVersion | undefined> {
    let resource: Resource | undefined;
    if (!v.deleted) {
      const d = await this.view.disclose(this.audited(v));
      if (!d) return undefined;
      resource = d.resource;
      if (d.masked) this.disclosures.mask(`${v.resourceType}/${v.id}: ${d.masked.join(', ')}`);
      if (d.brokeGlass) this.disclosures.breakGlass(d.brokeGlass.reason, d.brokeGlass.patient);
    }
    this.disclosures.add({ type: v.resourceType, id: v.id, versionId: v.versionId }, v.resourceType === 'Patient' ? [v.id] : v.deleted ? [] : patientsAbout(v.resource));
    const out: ReleasedVersion = {
      resourceType: v.resourceType,
      id: v.id,
      versionId: v.versionId,
      lastUpdated: v.lastUpdated,
      deleted: v.deleted,
    };
    if (resource) out.resource = brand(resource);
    return out;
  }

  /** Release, where not releasing means the version does not exist for this principal. */
  private async releaseOr404(v: StoredVersion, what: string): Promise<ReleasedVersion> {
    const out = await this.release(v);
    if (!out) throw errors.notFound(`${what} is not known`);
    return out;
  }

  private async releaseAll(versions: readonly StoredVersion[]): Promise<ReleasedVersion[]> {
    const out: ReleasedVersion[] = [];
    for (const v of versions) {
      const r = await this.release(v);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * The current version; 404 when it never existed, 410 when it was deleted. Under limits, 403 —
   * the same answer — when it is missing, deleted or outside them.
   */
  async read(type: string, id: string, interaction: Interaction = 'read'): Promise<ReleasedVersion> {
    const limits = this.authorize(interaction, type);
    if (limits) await this.requireVisible(type, id, limits, interaction);
    const v = await this.reader.read(type, id);
    if (!v) throw errors.notFound(`${type}/${id} is not known`);
    if (!limits && !v.deleted) await this.requireVisible(type, id, undefined, interaction);
    if (v.deleted) throw errors.gone(`${type}/${id} has been deleted`);
    return this.releaseOr404(v, `${type}/${id}`);
  }

  /** The newest version (a deletion included), or undefined when the resource never existed. Under limits, as read. */
  async current(type: string, id: string, interaction: Interaction): Promise<ReleasedVersion | undefined> {
    const limits = this.authorize(interaction, type);
    if (limits) await this.requireVisible(type, id, limits, interaction);
    const v = await this.reader.read(type, id);
    if (!v) return undefined;
    if (!limits && !v.deleted && !(await this.visible(this.reader, type, id, undefined, interaction))) return undefined;
    return this.release(v);
  }

  /**
   * A version; only of a resource whose current version is visible, and only when that version
   * itself is not locked away from the principal (a version that was sealed stays sealed).
   */
  async vread(type: string, id: string, versionId: number): Promise<ReleasedVersion> {
    const limits = this.authorize('vread', type);
    const unknown = () => errors.notFound(`${type}/${id}/_history/${versionId} is not known`);
    if (limits) await this.requireVisible(type, id, limits, 'vread');
    // Unlimited access: a hidden resource's versions are answered exactly as a missing one's.
    else if (!(await this.liveAndVisible(type, id, 'vread'))) {
      this.disclosures.add({ type, id }, []);
      throw unknown();
    }
    const v = await this.reader.vread(type, id, versionId);
    if (!v) throw unknown();
    if (v.deleted) throw errors.gone(`${type}/${id}/_history/${versionId} is a deletion`);
    return this.releaseOr404(v, `${type}/${id}/_history/${versionId}`);
  }

  async search(req: SearchRequest, interaction: Interaction = req.types.length > 1 ? 'search-system' : 'search-type'): Promise<ReleasedPage> {
    for (const t of req.types) this.authorize(interaction, t);
    const res = await this.reader.search({ ...req, visibility: await this.visibility(req.types, interaction, paramsByType(req)) });
    const page: ReleasedPage = { matches: await this.releaseAll(res.matches) };
    if (res.total !== undefined) page.total = res.total;
    if (res.next !== undefined) page.next = res.next;
    return page;
  }

  async history(req: HistoryRequest, interaction: Interaction): Promise<ReleasedHistory> {
    // System history mixes every type, so it needs the interaction on every type served.
    for (const t of req.type ? [req.type] : this.deps.resourceTypes) {
      const limits = this.authorize(interaction, t);
      if (!limits) continue;
      // History is a log of versions, not a query the store can narrow by conditions on current data.
      if (req.type === undefined || req.id === undefined) {
        throw errors.forbidden(`Access denied: your access to ${t} is limited to some of its resources, so only the history of one resource at a time is available`);
      }
      await this.requireVisible(t, req.id, limits, interaction);
    }
    if (req.id === undefined) {
      // Nor can a log of versions be narrowed by the patients' consents, or counted without the locked ones.
      const governed = (req.type ? [req.type] : this.deps.resourceTypes).filter((t) => this.view.consentGoverns(t));
      if (governed.length > 0) {
        throw errors.forbidden(`Access denied: patients' consents apply to ${governed.join(', ')}, so only the history of one resource at a time is available`);
      }
    }
    // Unlimited access to the type still meets consent and locks (limited access was checked above).
    if (req.type !== undefined && req.id !== undefined && this.mayAll(interaction, req.type)) {
      await this.requireVisibleIfLive(req.type, req.id, interaction);
    }
    const res = await this.reader.history(req);
    const versions = await this.releaseAll(res.versions);
    // A version locked away from the principal is not part of the history they see, nor its count.
    const out: ReleasedHistory = { versions, total: res.total - (res.versions.length - versions.length) };
    if (res.next !== undefined) out.next = res.next;
    return out;
  }

  async create(resource: Resource): Promise<ReleasedVersion> {
    // Every AuditEvent a client sends is appended to the chain, whichever path it came by.
    if (resource.resourceType === 'AuditEvent') return this.appendAuditEvent(resource);
    const limits = this.authorize('create', resource.resourceType);
    const written = await this.write(async (w, defer) => {
      const type = resource.resourceType;
      const labelled = await this.labelled(resource, undefined);
      const after = limits && (await checkBeforeWrite(w, labelled, false, limits, await this.facts(), this.patientsOf));
      const checked = await this.applyRules(w, defer, { kind: 'create', type, id: labelled.id!, resource: labelled });
      const v = await w.create(checked.resource ?? labelled);
      if (after) await checkAfterWrite(w, type, v.id, after, await this.facts());
      await this.requireConsent(w, type, v.id, 'create');
      await this.followUp(w, checked.followUps);
      return v;
    });
    return this.releaseOr404(written, `${written.resourceType}/${written.id}`);
  }

  /**
   * The labelling policy applied to what a client writes (docs/sealed-envelopes.md): server-managed
   * labels stripped, code rules run, the sealing team recorded, and — for a writer to whom the stored
   * version is sealed — its hidden elements and labels carried over untouched (403 if the client
   * tried to write them).
   */
  private async labelled(input: Resource, current: StoredVersion | undefined): Promise<Resource> {
    const stored = current && !current.deleted ? current.resource : undefined;
    const out = labelOnWrite(input, stored, await this.view.writer(stored), this.deps.confidentiality.labels);
    if ('forbidden' in out) {
      throw errors.forbidden(`Access denied: ${input.resourceType}/${input.id} is sealed and these elements are not open to you, so they cannot be written: ${out.forbidden.join(', ')}`);
    }
    return out.resource;
  }

  /** After a write in its transaction: the patient's consent must allow this principal that write. */
  private async requireConsent(w: StoreReader, type: string, id: string, interaction: Interaction): Promise<void> {
    const cond = await this.view.consentCond(w, type, consentActionOf(interaction));
    if (cond.k === 'true') return;
    const page = await w.search({ types: [type], where: [{ k: 'id', ids: [id] }], sort: [], count: 1, total: 'none', visibility: { [type]: cond } });
    if (page.matches.length === 0) throw errors.noPatientConsent(`Access denied: the patient's consent does not allow this ${interaction} of ${type}`);
  }

  async update(resource: Resource, opts: WriteOptions = {}): Promise<{ version: ReleasedVersion; created: boolean }> {
    const limits = this.authorize('update', resource.resourceType);
    const r = await this.write(async (w, defer) => {
      const current = await w.read(resource.resourceType, resource.id!);
      const live = current !== undefined && !current.deleted;
      const { resourceType: type, id } = resource as { resourceType: string; id: string };
      // Where reads of the type may be refused (limits, consent), PUT does not create: refusing an
      // id taken by a hidden resource while creating at a free one would tell which ids exist. A
      // missing or deleted id is then refused exactly as a hidden one, after the same query.
      const createsById = this.mayCreateById(type);
      if (!createsById && !(await this.visible(w, type, id, limits, 'update'))) throw this.notVisible(type, id, limits);
      // Checked before the workflow rules run, so their messages reach only principals who may see the resource.
      const after = limits && (await checkBeforeWrite(w, resource, live, limits, await this.facts(), this.patientsOf));
      // Consent and locks (already part of the check above where that ran): what the principal may
      // not see, it may not overwrite.
      if (createsById && live && !(await this.visible(w, type, id, undefined, 'update'))) throw this.notVisible(type, id, limits);
      const labelled = await this.labelled(resource, current);
      const intent: WriteIntent = { kind: 'update', type: labelled.resourceType, id: labelled.id!, resource: labelled };
      if (current) intent.current = stored(current);
      const checked = await this.applyRules(w, defer, intent);
      // The rules judged the version read above: write only on top of that one, so a writer in
      // another process (possible on MongoDB without transactions) cannot slip in between.
      const guarded = opts.ifMatch === undefined && current ? { ...opts, ifMatch: current.versionId } : opts;
      const out = await w.update(checked.resource ?? labelled, guarded);
      if (after) await checkAfterWrite(w, resource.resourceType, resource.id!, after, await this.facts());
      await this.requireConsent(w, resource.resourceType, resource.id!, 'update');
      await this.followUp(w, checked.followUps);
      return out;
    });
    return { version: await this.releaseOr404(r.version, `${resource.resourceType}/${resource.id}`), created: r.created };
  }

  /**
   * Whether a PUT by this principal may create at an id it chose (update-as-create): where no
   * resource of the type can be hidden from its reads by access limits or patients' consents (a
   * write limit alone hides nothing), or where its role is trusted to choose ids (`mayChooseIds`,
   * system integrations). Either may tell an id taken by something hidden from a free one, locked
   * data included: docs/sealed-envelopes.md, "What PUT reveals".
   */
  private mayCreateById(type: string): boolean {
    if (this.deps.policy.mayChooseIds(this.principal)) return true;
    const read = this.deps.policy.decide(this.principal, 'read', type);
    return read.permit && read.limits === undefined && !this.view.consentGoverns(type);
  }

  async delete(type: string, id: string, opts: WriteOptions = {}): Promise<ReleasedVersion | undefined> {
    const limits = this.authorize('delete', type);
    const v = await this.write(async (w, defer) => {
      // Under limits, deleting what is missing or hidden is refused alike (no 204 that would tell them apart).
      if (limits && !(await this.visible(w, type, id, limits, 'delete'))) throw hiddenError(type, id, limits);
      const current = await w.read(type, id);
      if (!current || current.deleted) return w.delete(type, id, opts);
      // Without limits, what consent or a lock hides is answered as if it were missing: nothing deleted.
      if (!limits && !(await this.visible(w, type, id, undefined, 'delete'))) return undefined;
      const checked = await this.applyRules(w, defer, { kind: 'delete', type, id, current: stored(current) });
      const out = await w.delete(type, id, opts);
      await this.followUp(w, checked.followUps);
      return out;
    });
    return v ? this.release(v) : undefined;
  }

  /**
   * A named operation that changes one resource on the principal's behalf (`$hold`). It is
   * authorised by the interactions it stands for (`authorizedBy`), not by `update` on the type: a GP
   * may hold a slot it may not edit. The client sends no resource; the workflow rules receive the
   * current one with the operation's name and return what to store, so the operation can do only
   * what its rule allows. Written guarded by the version the rules saw.
   */
  async operate(operation: string, type: string, id: string, authorizedBy: [Interaction, string][]): Promise<ReleasedVersion> {
    const limited: (readonly Limit[])[] = [];
    for (const [interaction, t] of authorizedBy) {
      const limits = this.authorize(interaction, t);
      if (limits && t === type) limited.push(limits);
    }
    const v = await this.write(async (w, defer) => {
      for (const limits of limited) {
        if (!(await isVisible(w, type, id, limits, await this.facts()))) throw hiddenError(type, id, limits);
      }
      const current = await w.read(type, id);
      if (!current) throw errors.notFound(`${type}/${id} is not known`);
      if (current.deleted) throw errors.gone(`${type}/${id} has been deleted`);
      if (!(await this.visible(w, type, id, undefined, 'update'))) throw this.notVisible(type, id, limited[0]);
      const checked = await this.applyRules(w, defer, { kind: 'update', type, id, resource: current.resource, current: stored(current), operation });
      if (!checked.resource) throw errors.notImplemented(`${operation} is not available on this server`);
      const out = await w.update(checked.resource, { ifMatch: current.versionId });
      await this.followUp(w, checked.followUps);
      return out.version;
    });
    return this.releaseOr404(v, `${type}/${id}`);
  }

  /**
   * Appends an AuditEvent sent by a client to the audit chain. Allowed for a registered audit source
   * (a system client), or a role the policy grants `create` on AuditEvent (none of the defaults).
   * Never inside a transaction Bundle: the trail writes on its own, after the request's own writes.
   */
  async appendAuditEvent(resource: Resource): Promise<ReleasedVersion> {
    if (!(this.deps.isAuditSource?.(this.principal) ?? false)) this.authorize('create', 'AuditEvent');
    if (this.writer) throw errors.badRequest('An AuditEvent cannot be part of a transaction: POST it on its own or in a batch', 'Bundle.entry.request');
    const audit = this.deps.audit;
    if (!audit) throw errors.notImplemented('This server has no audit trail to append to');
    const [stored] = await audit.append([resource as r4.AuditEvent]);
    const meta = stored!.meta!;
    return this.releaseOr404({
      resourceType: 'AuditEvent', id: stored!.id!, versionId: Number(meta.versionId), lastUpdated: meta.lastUpdated!, deleted: false, resource: stored!,
    }, 'AuditEvent');
  }

  /**
   * A self-claimed legitimate relationship with Patient/id, for a role allowed to claim one, with a
   * stated reason. It lasts `claimHours` and alerts the privacy officer (the alert is durable in the
   * audit trail before the claim takes effect). The patient must exist: the claimant learns that
   * much, which is why every claim is alerted.
   */
  async claimRelationship(patientId: string, reason: string, requestId?: string): Promise<Claim> {
    if (!this.deps.policy.mayClaimRelationship(this.principal)) {
      throw errors.forbidden(`Access denied: role '${this.principal.role}' may not claim a relationship with a patient`);
    }
    if (!this.principal.organization) throw errors.forbidden('Access denied: a relationship is claimed for an organisation, and this principal acts for none');
    const records = this.deps.records;
    if (!records) throw errors.notImplemented('Relationship claims need a store with server-side records');
    const why = reason.trim();
    if (why.length === 0) throw errors.badRequest('A reason is required to claim a relationship', 'Parameters.parameter.where(name = \'reason\')');
    if (why.length > MAX_REASON_LENGTH) throw errors.badRequest(`The reason may be at most ${MAX_REASON_LENGTH} characters`, 'Parameters.parameter.where(name = \'reason\')');
    const patient = await this.reader.read('Patient', patientId);
    if (!patient || patient.deleted) throw errors.notFound(`Patient/${patientId} is not known`);
    const now = this.now();
    const claim: Claim = {
      id: createHash('sha256').update(`${now.toISOString()}|${patientId}|${Math.random()}|${this.principal.sub}`).digest('hex').slice(0, 32),
      patient: patientId,
      reason: why,
      expiresAt: new Date(now.getTime() + (this.deps.claimHours ?? 24) * 3600_000).toISOString(),
    };
    const audit = this.deps.audit;
    if (!audit) throw errors.notImplemented('Relationship claims need the audit trail, which raises their alerts');
    await audit.alert('self-claimed-relationship', { who: this.principal, patient: patientId, reason: why, at: now, ...(requestId ? { requestId } : {}) });
    await recordClaim(records, this.principal, claim, now);
    this.factsLoaded = undefined;
    return claim;
  }

  private async applyRules(w: StoreWriter, defer: Defer, intent: WriteIntent): Promise<RuleOutcome> {
    const reader: RuleReader = {
      read: async (type, id) => {
        const v = await w.read(type, id);
        return v ? stored(v) : undefined;
      },
      search: async (req) => (await w.search(req)).matches.map(stored),
    };
    const outcome = await this.deps.rules.check(intent, { reader, principal: this.principal, now: this.deps.now?.() ?? new Date() });
    for (const check of outcome.deferred ?? []) defer(check);
    return outcome;
  }

  private async followUp(w: StoreWriter, followUps: FollowUp[]): Promise<void> {
    for (const f of followUps) {
      try {
        await w.update(f.resource, { ifMatch: f.ifMatch });
      } catch (e) {
        // The rules read this version moments ago in the same transaction; a move means a
        // concurrent writer won (possible only where the store cannot serialise transactions).
        if (e instanceof FhirError && e.status === 412) throw f.onConflict;
        throw e;
      }
    }
  }

  /**
   * The version an earlier create by this principal with the same client request id produced, for
   * an idempotent retry. Keys are per principal, so one client cannot replay another's requests.
   */
  async recallCreate(type: string, clientRequestId: string): Promise<ReleasedVersion | undefined> {
    this.authorize('create', type);
    return this.write(async (w) => {
      const record = await w.recallRequest(this.requestKey('create', type, clientRequestId));
      if (!record) return undefined;
      const v = await w.vread(record.type, record.id, record.versionId);
      return v ? this.release(v) : undefined;
    });
  }

  async rememberCreate(type: string, clientRequestId: string, v: ReleasedVersion): Promise<void> {
    this.authorize('create', type);
    const record = { key: this.requestKey('create', type, clientRequestId), status: 201, type: v.resourceType, id: v.id, versionId: v.versionId, at: v.lastUpdated };
    await this.write((w) => w.rememberRequest(record));
  }

  private requestKey(interaction: string, type: string, clientRequestId: string): string {
    const who = `${this.principal.issuer ?? ''}|${this.principal.sub}`;
    return createHash('sha256').update(`${who}\n${interaction} ${type}\n${clientRequestId}`).digest('hex');
  }

  /** Runs fn with a Guard bound to one store transaction: all its writes commit together or not at all. */
  async transaction<T>(fn: (g: Guard) => Promise<T>): Promise<T> {
    if (this.writer) return fn(this);
    return this.deps.store.transaction(async (tx) => {
      const g = new Guard(this.deps, this.principal, tx, tx, this.disclosures, this.view);
      const out = await fn(g);
      await runDeferred(g.deferred);
      return out;
    });
  }

  private write<T>(fn: (w: StoreWriter, defer: Defer) => Promise<T>): Promise<T> {
    if (this.writer) return fn(this.writer, (c) => this.deferred.push(c));
    return this.deps.store.transaction(async (tx) => {
      const pending: (() => Promise<void>)[] = [];
      const out = await fn(tx, (c) => pending.push(c));
      await runDeferred(pending);
      return out;
    });
  }
}

type Defer = (check: () => Promise<void>) => void;

/** The rules' end-of-transaction checks, in order; a check may not add more. */
async function runDeferred(checks: (() => Promise<void>)[]): Promise<void> {
  for (const check of checks) await check();
}
