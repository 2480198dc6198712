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
}



function patientView(v: string | undefined): Config['auditPatientView'] {
  if (v === undefined || v === 'role-and-organisation' || v === 'full') return v ?? 'role-and-organisation';
  throw new Error('AUDIT_PATIENT_VIEW_STAFF must be role-and-organisation or full');
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
  };
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
