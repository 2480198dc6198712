// The enforcement point. A Guard wraps the store for one request's principal: every interaction is
// checked against the policy before the store is touched, and every resource that leaves is branded
// Released only here. There is no unguarded repository: code outside src/access never sees a
// StoredVersion it could hand to a client.
import { createHash } from 'node:crypto';
import { errors, FhirError } from '../domain/errors.js';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '../domain/fhir.js';
import type { Interaction } from '../domain/interaction.js';
import type { Principal } from '../domain/principal.js';
import type { SearchRequest } from '../domain/search-types.js';
import type { HistoryRequest, Store, StoreReader, StoreWriter, StoredVersion, WriteOptions } from '../store/port.js';
import type { FollowUp, RuleOutcome, RuleReader, StoredResource, WriteIntent, WriteRules } from '../scheduling/port.js';
import type { InteractionPolicy } from './interaction-policy.js';
import { brand, type Released } from './released.js';

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
  ) {}

  /** End-of-transaction checks the rules asked for, when this guard is bound to a transaction. */
  private readonly deferred: (() => Promise<void>)[] = [];

  /** Throws 403 unless the principal may perform `interaction` on `resourceType`. */
  authorize(interaction: Interaction, resourceType: string): void {
    const d = this.deps.policy.decide(this.principal, interaction, resourceType);
    if (!d.permit) throw errors.forbidden(`Access denied: ${d.reason}`);
  }

  /** Whether the principal may perform `interaction` on `resourceType`, without throwing. */
  may(interaction: Interaction, resourceType: string): boolean {
    return this.deps.policy.decide(this.principal, interaction, resourceType).permit;
  }

  private release(v: StoredVersion): ReleasedVersion {
    const out: ReleasedVersion = {
      resourceType: v.resourceType,
      id: v.id,
      versionId: v.versionId,
      lastUpdated: v.lastUpdated,
      deleted: v.deleted,
    };
    if (!v.deleted) out.resource = brand(v.resource);
    return out;
  }

  /** The current version; 404 when it never existed, 410 when it was deleted. */
  async read(type: string, id: string, interaction: Interaction = 'read'): Promise<ReleasedVersion> {
    this.authorize(interaction, type);
    const v = await this.reader.read(type, id);
    if (!v) throw errors.notFound(`${type}/${id} is not known`);
    if (v.deleted) throw errors.gone(`${type}/${id} has been deleted`);
    return this.release(v);
  }

  /** The newest version (a deletion included), or undefined when the resource never existed. */
  async current(type: string, id: string, interaction: Interaction): Promise<ReleasedVersion | undefined> {
    this.authorize(interaction, type);
    const v = await this.reader.read(type, id);
    return v ? this.release(v) : undefined;
  }

  async vread(type: string, id: string, versionId: number): Promise<ReleasedVersion> {
    this.authorize('vread', type);
    const v = await this.reader.vread(type, id, versionId);
    if (!v) throw errors.notFound(`${type}/${id}/_history/${versionId} is not known`);
    if (v.deleted) throw errors.gone(`${type}/${id}/_history/${versionId} is a deletion`);
    return this.release(v);
  }

  async search(req: SearchRequest, interaction: Interaction = req.types.length > 1 ? 'search-system' : 'search-type'): Promise<ReleasedPage> {
    for (const t of req.types) this.authorize(interaction, t);
    const res = await this.reader.search(req);
    const page: ReleasedPage = { matches: res.matches.map((m) => this.release(m)) };
    if (res.total !== undefined) page.total = res.total;
    if (res.next !== undefined) page.next = res.next;
    return page;
  }

  async history(req: HistoryRequest, interaction: Interaction): Promise<ReleasedHistory> {
    // System history mixes every type, so it needs the interaction on every type served.
    for (const t of req.type ? [req.type] : this.deps.resourceTypes) this.authorize(interaction, t);
    const res = await this.reader.history(req);
    const out: ReleasedHistory = { versions: res.versions.map((v) => this.release(v)), total: res.total };
    if (res.next !== undefined) out.next = res.next;
    return out;
  }

  async create(resource: Resource): Promise<ReleasedVersion> {
    this.authorize('create', resource.resourceType);
    return this.release(
      await this.write(async (w, defer) => {
        const checked = await this.applyRules(w, defer, { kind: 'create', type: resource.resourceType, id: resource.id!, resource });
        const v = await w.create(checked.resource ?? resource);
        await this.followUp(w, checked.followUps);
        return v;
      }),
    );
  }

  async update(resource: Resource, opts: WriteOptions = {}): Promise<{ version: ReleasedVersion; created: boolean }> {
    this.authorize('update', resource.resourceType);
    const r = await this.write(async (w, defer) => {
      const current = await w.read(resource.resourceType, resource.id!);
      const intent: WriteIntent = { kind: 'update', type: resource.resourceType, id: resource.id!, resource };
      if (current) intent.current = stored(current);
      const checked = await this.applyRules(w, defer, intent);
      // The rules judged the version read above: write only on top of that one, so a writer in
      // another process (possible on MongoDB without transactions) cannot slip in between.
      const guarded = opts.ifMatch === undefined && current ? { ...opts, ifMatch: current.versionId } : opts;
      const out = await w.update(checked.resource ?? resource, guarded);
      await this.followUp(w, checked.followUps);
      return out;
    });
    return { version: this.release(r.version), created: r.created };
  }

  async delete(type: string, id: string, opts: WriteOptions = {}): Promise<ReleasedVersion | undefined> {
    this.authorize('delete', type);
    const v = await this.write(async (w, defer) => {
      const current = await w.read(type, id);
      if (!current || current.deleted) return w.delete(type, id, opts);
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
    for (const [interaction, t] of authorizedBy) this.authorize(interaction, t);
    const v = await this.write(async (w, defer) => {
      const current = await w.read(type, id);
      if (!current) throw errors.notFound(`${type}/${id} is not known`);
      if (current.deleted) throw errors.gone(`${type}/${id} has been deleted`);
      const checked = await this.applyRules(w, defer, { kind: 'update', type, id, resource: current.resource, current: stored(current), operation });
      if (!checked.resource) throw errors.notImplemented(`${operation} is not available on this server`);
      const out = await w.update(checked.resource, { ifMatch: current.versionId });
      await this.followUp(w, checked.followUps);
      return out.version;
    });
    return this.release(v);
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
      const g = new Guard(this.deps, this.principal, tx, tx);
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
