// Sign-on session settings from the environment: timeouts and whether the cookie must be Secure.
import { envInt } from '../../domain/env.js';

export const DEFAULT_IDLE_MINUTES = 15;
export const DEFAULT_MAX_HOURS = 8;

export interface SessionConfig {
  idleMs: number;
  absoluteMs: number;
  /** Cookies get `Secure`: outside local development (https public URL, or production). */
  secureCookies: boolean;
}


export function sessionConfigFromEnv(env: NodeJS.ProcessEnv, server: { publicBaseUrl?: string; production: boolean }): SessionConfig {
  const idleMinutes = envInt(env, 'SESSION_IDLE_MINUTES', DEFAULT_IDLE_MINUTES, 1, 1440);
  const maxHours = envInt(env, 'SESSION_MAX_HOURS', DEFAULT_MAX_HOURS, 1, 72);
  if (idleMinutes > maxHours * 60) throw new Error('SESSION_IDLE_MINUTES must not exceed SESSION_MAX_HOURS');
  return {
    idleMs: idleMinutes * 60_000,
    absoluteMs: maxHours * 3_600_000,
    secureCookies: server.production || (server.publicBaseUrl?.startsWith('https:') ?? false),
  };
}
