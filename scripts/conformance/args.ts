// Command-line options shared by `npm run conformance` and `npm run seed`.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `name=value` pairs of repeated `--var` options. */
export function parseVars(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    const name = i < 0 ? '' : item.slice(0, i);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`--var expects name=value (got ${JSON.stringify(item.length > 40 ? `${item.slice(0, 40)}…` : item)})`);
    out[name] = item.slice(i + 1);
  }
  return out;
}

export function parseBase(v: string | undefined): string {
  if (!v) throw new UsageError('--base <url> is required (the FHIR base URL, e.g. http://localhost:8080/fhir)');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new UsageError(`--base must be an http(s) URL (got ${v})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base must be an http(s) URL (got ${v})`);
  return v.replace(/\/+$/, '');
}

export const COMMON_OPTIONS = {
  base: { type: 'string' },
  token: { type: 'string' },
  var: { type: 'string', multiple: true },
  'fixtures-dir': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new UsageError(`--timeout is seconds per request, 1 to 600 (got ${v})`);
  return Math.round(n * 1000);
}

export { parseArgs };
