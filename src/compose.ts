// The composition root: builds every concrete part from configuration and wires them together.
// It is the only module (with main.ts) that imports across all layers.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Express } from 'express';
import type { InteractionPolicy } from './access/interaction-policy.js';
import { authConfigFromEnv, tokenEndpointConfigFromEnv } from './auth/config.js';
import { authenticateWith, bearerScheme } from './auth/authenticate.js';
import { createBearerAuth } from './auth/bearer-auth.js';
import { createPeopleSignOn, peopleSignOnFromEnv } from './auth/saml/people-sign-on.js';
import { samlRoutes } from './http/saml-routes.js';
import { signOnAudit } from './http/sign-on-audit.js';
import { clientCredentialsPart } from './auth/discovery/smart-configuration.js';
import { withEndUserContext } from './auth/end-user-context.js';
import { createClientCredentials } from './auth/token/client-credentials.js';
import { trustIssuers } from './auth/token/trusted-issuers.js';
import { tokenRoutes } from './http/token-routes.js';
import { scopesForRole } from './policy/role-scopes.js';
import type { Config } from './config.js';
import { RESOURCE_TYPES } from './domain/fhir.js';
import { createEngine } from './fhir/engine.js';
import { searchParserFor } from './fhir/search-adapter.js';
import { mandatoryProfilesFromEnv, summaryElementsOf, validateResource } from './fhir/validation/index.js';
import { createApp } from './http/app.js';
import { decideInteraction } from './policy/decide-interaction.js';
import { parseRolePolicy, roleAllowsWeakAuthentication, roleClearance, roleMayBreakGlass, type RolePolicy } from './policy/roles.js';
import { parseLabellingPolicy, touchesSensitive } from './policy/labels/index.js';
import { parseConsentPolicy } from './policy/consent/index.js';
import type { ConfidentialityDeps } from './access/confidentiality.js';
import type { RecordStore } from './domain/records.js';
import { bookingRules } from './scheduling/booking-rules.js';
import { schedulingConfigFromEnv } from './scheduling/config.js';
import { startHoldSweeper } from './scheduling/hold-sweeper.js';
import { createIndexer } from './search/indexer.js';
import { loadPatientCompartment } from './search/compartment.js';
import { loadR4Registry, type SearchRegistry } from './search/registry.js';
import { openMongoStore } from './store/mongo/index.js';
import type { Indexer, Store } from './store/port.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { startRecordsSweeper } from './store/common/records-sweeper.js';
import { AuditLog } from './audit/audit-log.js';
import type { AuditAppender } from './audit/appender.js';
import { ThreadAuditLog } from './audit/thread-log.js';
import { createAuditTrail } from './audit/trail.js';
import { startAlertWebhook } from './audit/alert-webhook.js';
import { classify } from './http/ops/classify.js';
import { AuditHealth, probe, type Readiness } from './http/ops/health.js';
import { createLogger, type Logger } from './http/ops/logger.js';
import { createMetrics, timeMethods, type Metrics } from './http/ops/metrics.js';

export interface Envelope {
  app: Express;
  store: Store;
  rolePolicy: RolePolicy;
  /** One line for the start-up log. */
  describe: string;
  logger: Logger;
  metrics: Metrics;
  /** What /readyz reports: the store answers a ping and the audit trail is taking events. */
  ready(): Promise<Readiness>;
  close(): Promise<void>;
}

/** Collaborators a caller may supply instead of the configured ones (tests, tools). */
export interface ComposeOptions {
  /** Opens the store instead of SQLite/MongoDB from the configuration (e.g. the MongoDB test double). */
  openStore?: (indexer: Indexer) => Promise<Store>;
  /** The clock of the workflow rules and the hold sweeper (default: the system clock). */
  now?: () => Date;
  /** Where logs go (default: stdout at LOG_LEVEL; silent when LOG_LEVEL is unset, see config.serverDefaults). */
  logger?: Logger;
}

const SOFTWARE = { name: 'Envelope', version: readVersion() };

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function loadRolePolicy(file: string): RolePolicy {
  try {
    return parseRolePolicy(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new Error(`Role policy ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function loadJsonPolicy<T>(file: string, what: string, parse: (json: unknown) => T): T {
  try {
    return parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new Error(`${what} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Consent, sealed envelopes and break glass, from the deployment's policy files and the role policy. */
function confidentialityOf(config: Config, rolePolicy: RolePolicy, registry: SearchRegistry, records: RecordStore): ConfidentialityDeps {
  const labels = loadJsonPolicy(config.labellingPolicyFile, 'Labelling policy', parseLabellingPolicy);
  const consent = loadJsonPolicy(config.consentPolicyFile, 'Consent policy', parseConsentPolicy);
  const sensitive = new Map<string, boolean>();
  return {
    labels,
    consent,
    typeParams: { referenceParams: (type) => registry.paramsFor(type).filter((p) => p.type === 'reference').map((p) => p.code) },
    sensitiveParam: (type, code) => {
      const key = `${type} ${code}`;
      let v = sensitive.get(key);
      if (v === undefined) {
        const def = registry.param(type, code);
        v = def !== undefined && touchesSensitive(type, code, def.expression, labels);
        sensitive.set(key, v);
      }
      return v;
    },
    clearance: (p) => roleClearance(rolePolicy, p.role),
    mayBreakGlass: (p) => roleMayBreakGlass(rolePolicy, p.role),
    breakGlassMinutes: config.breakGlassMinutes,
    records,
  };
}

/** The audit log as readiness sees it: how its latest append ended, and whether it was closed. */
function watchedAppender(log: AuditAppender, health: AuditHealth): AuditAppender {
  return {
    append: (events) => log.append(events).then(
      (stored) => { health.succeeded(); return stored; },
      (e: unknown) => { health.failed(); throw e; },
    ),
    record: (events) => log.record(events).then(
      () => health.succeeded(),
      (e: unknown) => { health.failed(); throw e; },
    ),
    close: () => {
      health.close();
      return log.close();
    },
  };
}

/** Store calls timed into store_operation_duration_seconds (the store's own transactions included). */
const TIMED_STORE_CALLS = ['read', 'vread', 'search', 'history', 'transaction', 'ping'] as const;

async function openStore(config: Config, indexer: Indexer): Promise<Store> {
  if (config.mongodbUri) return openMongoStore({ uri: config.mongodbUri, dbName: config.mongodbDb, indexer });
  if (config.sqliteFile !== ':memory:') mkdirSync(config.dataDir, { recursive: true });
  return openSqliteStore({ file: config.sqliteFile, indexer });
}

export async function composeEnvelope(config: Config, env: NodeJS.ProcessEnv, opts: ComposeOptions = {}): Promise<Envelope> {
  const rolePolicy = loadRolePolicy(config.rolePolicyFile);
  // People's sign-on (SAML + sessions), when configured; its settings are checked before the store opens.
  const peopleSettings = peopleSignOnFromEnv(env, config, (role) => rolePolicy.roles.has(role));
  const authConfig = authConfigFromEnv(env);
  const auth = await createBearerAuth(authConfig, { dataDir: config.dataDir, env });
  const registry = loadR4Registry();
  const indexer = createIndexer(registry, config.publicBaseUrl ? { baseUrl: `${config.publicBaseUrl}/fhir` } : {});
  const scheduling = schedulingConfigFromEnv(env);
  // Reads Envelope's profiles (a faulty one stops start-up) and those the deployment makes mandatory.
  const mandatoryProfiles = mandatoryProfilesFromEnv(env);
  const now = opts.now ?? (() => new Date());
  const logger = opts.logger ?? createLogger(config.logLevel ?? 'silent');
  const metrics = createMetrics({ processMetrics: config.metricsToken !== undefined });
  /** A server fault: logged with its stack (for the operator, never the client) and counted. */
  const fault = (source: string, msg: string) => (e: unknown) => {
    metrics.faults.inc({ source });
    logger.error({ err: e, source }, msg);
  };
  const store = timeMethods(await (opts.openStore ? opts.openStore(indexer) : openStore(config, indexer)), TIMED_STORE_CALLS, metrics.storeDuration);
  // The audit trail: every interaction's AuditEvents, chained and durable before the response leaves.
  // On a SQLite file the log runs on a writer thread of its own (src/audit/thread-log.ts says why);
  // on MongoDB (whose driver does not block), :memory: (one connection only) or a store a caller
  // supplied, it runs here.
  const ownFile = !opts.openStore && !config.mongodbUri && config.sqliteFile !== ':memory:';
  const auditHealth = new AuditHealth();
  // Each committed group of the audit log, wherever it runs (the writer thread for a SQLite file).
  const auditGroup = (g: { events: number; ms: number }) => {
    metrics.auditGroupEvents.observe(g.events);
    metrics.storeDuration.observe({ operation: 'audit-group', outcome: 'ok' }, g.ms / 1000);
  };
  const auditLog = watchedAppender(ownFile
    ? await ThreadAuditLog.start(new URL('./audit-writer.js', import.meta.url), { file: config.sqliteFile }, {
      onGroup: auditGroup,
      onFault: (source, e) => fault(source, 'audit anchor write failed')(e),
      requestsInProgress: () => metrics.inProgress.count,
    })
    : new AuditLog(store, { now, onAnchorError: fault('audit-anchor', 'audit anchor write failed'), onGroup: auditGroup }), auditHealth);
  const audit = createAuditTrail({ log: auditLog, server: SOFTWARE });
  const signOns = signOnAudit(audit, SOFTWARE, fault('audit', 'audit trail could not record a sign-on'));
  // System sign-on (/auth/token): its tokens are a second trusted issuer beside the configured one.
  const systems = await createClientCredentials(tokenEndpointConfigFromEnv(env, config), {
    auth: authConfig, configuredIssuer: auth.issuer, dataDir: config.dataDir, records: store.records, now,
    roleScopes: (role) => scopesForRole(rolePolicy, role, 'system'),
  }).catch(async (e: unknown) => { await store.close(); throw e; });
  const bearer = trustIssuers(auth.verifier, systems.ownIssuer);
  const people = peopleSettings && createPeopleSignOn(peopleSettings, {
    records: store.records, now, weakAllowed: (role) => roleAllowsWeakAuthentication(rolePolicy, role), scopesFor: (role) => scopesForRole(rolePolicy, role),
    log: (event) => logger.warn(event),
  });
  const confidentiality = confidentialityOf(config, rolePolicy, registry, store.records);
  const policy: InteractionPolicy = {
    decide: (p, i, t) => decideInteraction(rolePolicy, p, i, t),
    mayClaimRelationship: (p) => rolePolicy.roles.get(p.role)?.mayClaimRelationship ?? false,
    mayChooseIds: (p) => rolePolicy.roles.get(p.role)?.mayChooseIds ?? false,
  };
  const parserOpts = { defaultCount: config.searchDefaultCount, maxCount: config.searchMaxCount };
  const engine = createEngine(
    {
      validate: (resource, expectedType) => validateResource(resource, { ...(expectedType ? { expectedType } : {}), mandatoryProfiles }),
      parser: searchParserFor(registry, [loadPatientCompartment()], config.publicBaseUrl ? { ...parserOpts, baseUrl: `${config.publicBaseUrl}/fhir` } : parserOpts),
      indexer,
      newId: randomUUID,
      resourceTypes: RESOURCE_TYPES,
      summaryElementsOf,
      software: SOFTWARE,
      onAuditFault: fault('audit', 'audit trail could not record a request; answered 503'),
    },
    { store, policy, resourceTypes: RESOURCE_TYPES, rules: bookingRules({ holdMinutes: scheduling.holdMinutes }), now, records: store.records, claimHours: config.relationshipClaimHours, indexer, audit, patientAuditView: config.auditPatientView,
      isAuditSource: (p) => p.authMethod === 'client-credentials' && p.clientId !== undefined && systems.clients.get(p.clientId)?.auditSource === true,
      confidentiality },
  );
  // Readiness without side effects: a store ping, and how the audit trail's latest append ended.
  const ready = async (): Promise<Readiness> => {
    const checks = { store: await probe(() => store.ping(), 2000), audit: auditHealth.state };
    return { ready: checks.store === 'ok' && checks.audit === 'ok', checks };
  };
  const app = createApp({
    engine,
    // Credential schemes in order: a bearer token when one is sent, else a sign-on session cookie.
    authenticate: authenticateWith([withEndUserContext(bearerScheme((h) => bearer.verifyBearer(h)), systems.endUserRights), ...(people ? [withEndUserContext(people.scheme, systems.endUserRights)] : [])]),
    mounts: [...(people ? [samlRoutes({ ...people, audit: signOns })] : []), tokenRoutes({
      tokenEndpoint: systems.tokenEndpoint, discovery: [clientCredentialsPart], jwks: () => systems.jwks, audit: signOns,
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
      onFault: fault('token-endpoint', 'token endpoint fault'),
    })],
    bodyLimit: config.bodyLimit,
    ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
    onFault: (err, req) => {
      // The route template, not the path: a path can hold a patient's id.
      metrics.faults.inc({ source: 'request' });
      logger.error({ err, reqId: req.res?.locals.requestId, method: req.method, route: classify(req).route }, 'unhandled server fault');
    },
    ops: {
      logger,
      metrics,
      ready,
      limits: config.limits,
      ...(config.metricsToken !== undefined ? { metricsToken: config.metricsToken } : {}),
      ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    },
  });
  // Lapsed holds are released from start-up on, whether or not any request arrives.
  const sweeper = await startHoldSweeper({
    store,
    now,
    intervalMs: scheduling.sweepIntervalMs,
    onError: fault('hold-sweeper', 'hold sweep failed'),
    // The server's own writes are audited too: an internal principal, the reason in its name and request id.
    onReleased: (slotId) => audit.record({
      requestId: `hold-sweep-${slotId}-${now().getTime()}`, interaction: 'update', action: 'U', recorded: now().toISOString(),
      outcome: { code: '0', status: 200 },
      principal: { sub: 'envelope-hold-sweeper', authMethod: 'internal', role: 'system', scopes: [] },
      client: {}, server: { name: SOFTWARE.name, version: SOFTWARE.version }, method: 'PUT', path: `/Slot/${slotId}`,
      resources: [{ type: 'Slot', id: slotId }], patients: [],
    }),
  });
  // Expired sessions, once-only ids and claims are deleted every ten minutes (they are invisible already).
  const recordsSweeper = startRecordsSweeper({
    records: store.records,
    now,
    intervalMs: 10 * 60_000,
    onError: fault('records-sweeper', 'records purge failed'),
  });
  // Alerts are in the audit trail already; when a webhook is configured they are also pushed there.
  const webhook = config.alertWebhook && startAlertWebhook({
    store,
    url: config.alertWebhook.url,
    ...(config.alertWebhook.authorization ? { headers: { authorization: config.alertWebhook.authorization } } : {}),
    intervalMs: config.alertWebhook.intervalMs,
    now,
    // The message only: a delivery failure is expected now and then, and retried.
    onError: (e) => {
      metrics.faults.inc({ source: 'alert-webhook' });
      logger.warn({ source: 'alert-webhook', error: e instanceof Error ? e.message : String(e) }, 'alert webhook delivery failed; will retry');
    },
  });
  return {
    app,
    store,
    rolePolicy,
    logger,
    metrics,
    ready,
    describe: `${store.capabilities.engine}${config.mongodbUri ? '' : ` ${config.sqliteFile}`}; tokens from ${auth.keySource}; ${systems.describe}`,
    close: async () => {
      await sweeper.stop();
      await recordsSweeper.stop();
      await webhook?.stop();
      // Waits for the groups in flight: an acknowledged request's record is never lost on shutdown.
      await auditLog.close();
      await store.close();
    },
  };
}
