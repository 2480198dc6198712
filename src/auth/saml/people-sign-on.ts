// Assembles people's sign-on for the composition root in two steps: settings first (environment,
// certificates, role map; any fault stops the server before the store is opened), then the working
// parts once the RecordStore exists. Undefined settings: SAML is not configured and nothing is added.
import type { RecordStore } from '../../domain/records.js';
import type { CredentialScheme } from '../authenticate.js';
import { sessionConfigFromEnv, type SessionConfig } from '../session/config.js';
import { sessionScheme } from '../session/session-scheme.js';
import { createSessions, type Sessions } from '../session/sessions.js';
import { samlConfigFromEnv, type SamlConfig, type ServerSettings } from './config.js';
import { loadRoleMap, type RoleMap } from './role-map.js';
import { createSamlSignOn, type SamlSignOn } from './strategy.js';

export interface PeopleSignOnSettings {
  saml: SamlConfig;
  session: SessionConfig;
  roleMap: RoleMap;
  publicOrigin?: string;
}

export interface PeopleSignOn {
  /** For authenticateWith, after the bearer scheme. */
  scheme: CredentialScheme;
  saml: SamlSignOn;
  sessions: Sessions;
  secureCookies: boolean;
  publicOrigin?: string;
  log: (event: Record<string, unknown>) => void;
}

/** Throws an Error naming the variable or file at fault. SESSION_* are checked even when SAML is off. */
export function peopleSignOnFromEnv(env: NodeJS.ProcessEnv, server: ServerSettings, roleExists: (role: string) => boolean): PeopleSignOnSettings | undefined {
  const session = sessionConfigFromEnv(env, server);
  const saml = samlConfigFromEnv(env, server);
  if (saml === undefined) return undefined;
  const settings: PeopleSignOnSettings = { saml, session, roleMap: loadRoleMap(saml.roleMapFile, roleExists) };
  if (server.publicBaseUrl !== undefined) settings.publicOrigin = new URL(server.publicBaseUrl).origin;
  return settings;
}

export function createPeopleSignOn(settings: PeopleSignOnSettings, deps: {
  records: RecordStore;
  now: () => Date;
  weakAllowed: (role: string) => boolean;
  scopesFor: (role: string) => readonly string[] | undefined;
  log: (event: Record<string, unknown>) => void;
}): PeopleSignOn {
  const sessions = createSessions(deps.records, { now: deps.now, idleMs: settings.session.idleMs, absoluteMs: settings.session.absoluteMs });
  const saml = createSamlSignOn({
    config: settings.saml,
    policy: { roleMap: settings.roleMap, weakAllowed: deps.weakAllowed },
    records: deps.records,
    sessions,
    now: deps.now,
  });
  const people: PeopleSignOn = {
    scheme: sessionScheme({ sessions, scopesFor: deps.scopesFor, ...(settings.publicOrigin !== undefined ? { publicOrigin: settings.publicOrigin } : {}) }),
    saml,
    sessions,
    secureCookies: settings.session.secureCookies,
    log: deps.log,
  };
  if (settings.publicOrigin !== undefined) people.publicOrigin = settings.publicOrigin;
  return people;
}
