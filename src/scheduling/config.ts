// Scheduling settings from the environment (read by the composition root, like src/auth/config.ts).
import { envInt } from '../domain/env.js';

export interface SchedulingConfig {
  /** How long a $hold keeps a slot (HOLD_MINUTES, default 5). */
  holdMinutes: number;
  /** How often lapsed holds are swept back to free (HOLD_SWEEP_SECONDS, default 30). */
  sweepIntervalMs: number;
}


export function schedulingConfigFromEnv(env: NodeJS.ProcessEnv): SchedulingConfig {
  return {
    holdMinutes: envInt(env, 'HOLD_MINUTES', 5, 1, 24 * 60),
    sweepIntervalMs: envInt(env, 'HOLD_SWEEP_SECONDS', 30, 1, 3600) * 1000,
  };
}
