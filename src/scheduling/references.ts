// Local references as the rules need them. The rules follow only relative `Type/id` references: the
// FHIR engine has already rewritten urn:uuid and conditional references of a transaction Bundle to
// that form, and an absolute URL could name another server, whose resources cannot be checked here.
import { isValidId } from '../domain/fhir.js';

export interface LocalRef {
  type: string;
  id: string;
}

/** `Type/id` (optionally followed by `/_history/n`) as a LocalRef; undefined for anything else. */
export function localRef(reference: string | undefined): LocalRef | undefined {
  if (typeof reference !== 'string') return undefined;
  const m = /^([A-Z][A-Za-z]+)\/([^/]+)(\/_history\/[^/]+)?$/.exec(reference);
  if (!m || !isValidId(m[2]!)) return undefined;
  return { type: m[1]!, id: m[2]! };
}

export function refString(r: LocalRef): string {
  return `${r.type}/${r.id}`;
}
