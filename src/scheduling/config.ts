// Scheduling settings from the environment (read by the composition root, like src/auth/config.ts).

export interface SchedulingConfig {
  /** How long a $hold keeps a slot (HOLD_MINUTES, default 5). */
  holdMinutes: number;
  /** How often lapsed holds are swept back to free (HOLD_SWEEP_SECONDS, default 30). */
  sweepIntervalMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
}

export function schedulingConfigFromEnv(env: NodeJS.ProcessEnv): SchedulingConfig {
  return {
    holdMinutes: int(env, 'HOLD_MINUTES', 5, 1, 24 * 60),
    sweepIntervalMs: int(env, 'HOLD_SWEEP_SECONDS', 30, 1, 3600) * 1000,
  };
}
