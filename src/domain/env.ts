// Reading settings from environment variables, one way everywhere: blank means unset, and a bounded
// integer outside its range stops the server with a message naming the variable.

/** The variable's value, trimmed; undefined when unset or blank. */
export function envString(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** A whole number from min to max, or `dflt` when unset; anything else throws naming the variable. */
export function envInt(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = envString(env, name);
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
}
