// The two ways a profile pins a value (ElementDefinition fixed[x] and pattern[x]), on JSON values.

/** fixed[x]: the value is exactly this, every property and item included. */
export function equalsFixed(value: unknown, fixed: unknown): boolean {
  if (value === fixed) return true;
  if (Array.isArray(fixed)) {
    return Array.isArray(value) && value.length === fixed.length && fixed.every((f, i) => equalsFixed(value[i], f));
  }
  if (isObject(fixed)) {
    if (!isObject(value)) return false;
    const keys = Object.keys(fixed);
    return keys.length === Object.keys(value).length && keys.every((k) => k in value && equalsFixed(value[k], fixed[k]));
  }
  return false;
}

/**
 * pattern[x]: the value has at least what the pattern states. Objects may carry more properties;
 * each item of a pattern array must match some item of the value's array.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (value === pattern) return true;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (isObject(pattern)) {
    return isObject(value) && Object.keys(pattern).every((k) => matchesPattern(value[k], pattern[k]));
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
