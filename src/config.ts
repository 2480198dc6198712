// Typed configuration from the environment, with safe defaults. Every variable is listed in the
// README's configuration table.
import { resolve } from 'node:path';
import { envInt, envString } from './domain/env.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** SQLite file (under dataDir unless absolute), or ':memory:'. */
  sqliteFile: string;
  mongodbUri?: string;
  mongodbDb: string;
  publicBaseUrl?: string;
  bodyLimit: string;
  searchDefaultCount: number;
  searchMaxCount: number;
  rolePolicyFile: string;
  /** The labelling policy: what seals data, what masking removes, code rules (docs/sealed-envelopes.md). */
  labellingPolicyFile: string;
  /** The deployment's consent policy: base, default purpose, which purposes denials apply to (docs/consent.md). */
  consentPolicyFile: string;
  /** How long a break-glass window stays open for one patient. */
  breakGlassMinutes: number;
  /** How long a self-claimed relationship with a patient lasts. */
  relationshipClaimHours: number;
  /** What a patient sees of the staff who accessed their record: role and organisation, or everything. */
  auditPatientView: 'role-and-organisation' | 'full';
  /** Where privacy-officer alerts are POSTed (each alert AuditEvent, with retry); unset: not pushed. */
  alertWebhook?: { url: string; authorization?: string; intervalMs: number };
  production: boolean;
  // ---- operations (docs/operations.md) ----
  /**
   * Log level (LOG_LEVEL). Unset: main.ts logs at `info`; an Envelope composed in-process (tests,
   * tools) is silent. See serverDefaults.
   */
  logLevel?: LogLevel;
  /**
   * Requests per second and burst per client (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST); perSecond 0
   * turns limiting off. Unset: main.ts applies 50/s with a burst of 100, in-process Envelopes none.
   */
  rateLimit?: { perSecond: number; burst: number };
  /** Bearer secret that /metrics requires; unset: /metrics is off (404). */
  metricsToken?: string;
  /** Longest wait for in-flight requests on SIGTERM before their connections are cut. */
  shutdownGraceMs: number;
  /** Node's server timeouts: whole request received, headers received, idle keep-alive connection. */
  timeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
  /** Longest request URL (414 beyond) and most query parameters (400 beyond) on /fhir. */
  limits: { maxUrlLength: number; maxQueryParams: number };
  /** Serve HTTPS directly with this key and certificate (PEM files); unset: plain HTTP (behind a TLS proxy). */
  tls?: { keyFile: string; certFile: string };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];



function requestTimeouts(env: NodeJS.ProcessEnv): Config['timeouts'] {
  const requestMs = envInt(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  // Node refuses a headers timeout longer than the request timeout; say so instead of failing later.
  const headersMs = envInt(env, 'HEADERS_TIMEOUT_MS', Math.min(10_000, requestMs), 100, 3_600_000);
  if (headersMs > requestMs) throw new Error('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS');
  return { requestMs, headersMs, keepAliveMs: envInt(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000, 0, 3_600_000) };
}

function patientView(v: string | undefined): Config['auditPatientView'] {
  if (v === undefined || v === 'role-and-organisation' || v === 'full') return v ?? 'role-and-organisation';
  throw new Error('AUDIT_PATIENT_VIEW_STAFF must be role-and-organisation or full');
}

/** What `npm start` applies to settings left unset (an in-process Envelope keeps them off). */
const DEFAULT_RATE_LIMIT = { perSecond: 50, burst: 100 };

function logLevel(v: string | undefined): LogLevel | undefined {
  if (v === undefined) return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return v as LogLevel;
}

function opsFromEnv(env: NodeJS.ProcessEnv, config: Config): void {
  const level = logLevel(envString(env, 'LOG_LEVEL'));
  if (level) config.logLevel = level;
  if (envString(env, 'RATE_LIMIT_PER_SECOND') !== undefined || envString(env, 'RATE_LIMIT_BURST') !== undefined) {
    const perSecond = envInt(env, 'RATE_LIMIT_PER_SECOND', DEFAULT_RATE_LIMIT.perSecond, 0, 100_000);
    config.rateLimit = { perSecond, burst: envInt(env, 'RATE_LIMIT_BURST', Math.max(1, 2 * perSecond), 1, 1_000_000) };
  }
  const metricsToken = envString(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined) {
    // A scrape secret an attacker can guess makes the metrics public; ask for a real one.
    if (metricsToken.length < 16 || !/^[\x21-\x7e]+$/.test(metricsToken)) throw new Error('METRICS_TOKEN must be at least 16 printable characters without spaces');
    config.metricsToken = metricsToken;
  }
  const tlsKey = envString(env, 'TLS_KEY_FILE');
  const tlsCert = envString(env, 'TLS_CERT_FILE');
  if ((tlsKey === undefined) !== (tlsCert === undefined)) throw new Error('TLS_KEY_FILE and TLS_CERT_FILE must be set together');
  if (tlsKey !== undefined && tlsCert !== undefined) config.tls = { keyFile: resolve(tlsKey), certFile: resolve(tlsCert) };
}

/**
 * The server's defaults for what an in-process Envelope (tests, tools) leaves off: logs at info and
 * per-client rate limiting. Only main.ts applies them, so test suites neither fill their output with
 * request logs nor throttle themselves.
 */
export function serverDefaults(config: Config): Config {
  return { ...config, logLevel: config.logLevel ?? 'info', rateLimit: config.rateLimit ?? { ...DEFAULT_RATE_LIMIT } };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(envString(env, 'DATA_DIR') ?? './data');
  const sqlite = envString(env, 'SQLITE_FILE') ?? 'envelope.sqlite';
  const publicBaseUrl = envString(env, 'PUBLIC_BASE_URL')?.replace(/\/+$/, '');
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^/]+(\/.*)?$/.test(publicBaseUrl)) {
    throw new Error('PUBLIC_BASE_URL must be an http(s) URL such as https://envelope.example.org');
  }
  const bodyLimit = envString(env, 'BODY_LIMIT') ?? '5mb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) throw new Error('BODY_LIMIT must look like 5mb, 512kb or 100000b');
  const searchMaxCount = envInt(env, 'SEARCH_MAX_COUNT', 1000, 1, 10000);
  const config: Config = {
    port: envInt(env, 'PORT', 8080, 0, 65535),
    host: envString(env, 'HOST') ?? '0.0.0.0',
    dataDir,
    sqliteFile: sqlite === ':memory:' ? sqlite : resolve(dataDir, sqlite),
    mongodbDb: envString(env, 'MONGODB_DB') ?? 'envelope',
    bodyLimit,
    searchDefaultCount: Math.min(envInt(env, 'SEARCH_DEFAULT_COUNT', 50, 1, 10000), searchMaxCount),
    searchMaxCount,
    rolePolicyFile: resolve(envString(env, 'ROLE_POLICY_FILE') ?? new URL('../../policy/roles.json', import.meta.url).pathname),
    labellingPolicyFile: resolve(envString(env, 'LABELLING_POLICY_FILE') ?? new URL('../../policy/labelling.json', import.meta.url).pathname),
    consentPolicyFile: resolve(envString(env, 'CONSENT_POLICY_FILE') ?? new URL('../../policy/consent.json', import.meta.url).pathname),
    breakGlassMinutes: envInt(env, 'BREAK_GLASS_MINUTES', 60, 1, 24 * 60),
    relationshipClaimHours: envInt(env, 'RELATIONSHIP_CLAIM_HOURS', 24, 1, 24 * 31),
    auditPatientView: patientView(envString(env, 'AUDIT_PATIENT_VIEW_STAFF')),
    production: env.NODE_ENV === 'production',
    shutdownGraceMs: envInt(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    timeouts: requestTimeouts(env),
    limits: {
      maxUrlLength: envInt(env, 'MAX_URL_LENGTH', 8192, 256, 65_536),
      maxQueryParams: envInt(env, 'MAX_QUERY_PARAMS', 100, 1, 10_000),
    },
  };
  opsFromEnv(env, config);
  const webhook = envString(env, 'AUDIT_ALERT_WEBHOOK_URL');
  if (webhook !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(webhook)) throw new Error('AUDIT_ALERT_WEBHOOK_URL must be an http(s) URL');
    const authorization = envString(env, 'AUDIT_ALERT_WEBHOOK_AUTHORIZATION');
    config.alertWebhook = { url: webhook, intervalMs: envInt(env, 'AUDIT_ALERT_WEBHOOK_SECONDS', 30, 1, 3600) * 1000, ...(authorization ? { authorization } : {}) };
  }
  const mongo = envString(env, 'MONGODB_URI');
  if (mongo) config.mongodbUri = mongo;
  if (publicBaseUrl) config.publicBaseUrl = publicBaseUrl;
  return config;
}
