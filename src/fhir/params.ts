// Small readers for control parameters shared by history and search.
import { errors } from '../domain/errors.js';

export function single(query: [string, string][], name: string): string | undefined {
  const values = query.filter(([k]) => k === name).map(([, v]) => v);
  if (values.length > 1) throw errors.badRequest(`${name} may be given only once`, name);
  return values[0];
}

export function countParam(query: [string, string][], dflt: number, max: number): number {
  const raw = single(query, '_count');
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) throw errors.badRequest('_count must be a non-negative integer', '_count');
  return Math.min(Number(raw), max);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function instantParam(query: [string, string][], name: string): string | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (!INSTANT.test(raw) || Number.isNaN(t)) throw errors.badRequest(`${name} must be an instant with a time zone`, name);
  return new Date(t).toISOString();
}
