// After a fuzz run: everything the store holds, every version of every resource, must be a valid
// resource (the same validation the server applies to writes), stored under its own type and id,
// and free of keys that pollute prototypes or act as MongoDB operators.
import { validateResource } from '../../src/fhir/validation/index.js';
import type { Store } from '../../src/store/port.js';
import { isHostileKey } from './hostile.js';

function hostilePath(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (depth > 500) return `${path} (nested deeper than 500)`;
  for (const [k, child] of Object.entries(v)) {
    if (isHostileKey(k)) return `${path}.${k}`;
    const found = hostilePath(child, `${path}.${k}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface ScanResult {
  versions: number;
  byType: Map<string, number>;
  problems: string[];
}

export async function scanStore(store: Store): Promise<ScanResult> {
  const result: ScanResult = { versions: 0, byType: new Map(), problems: [] };
  let cursor: string | undefined;
  do {
    const page = await store.history({ count: 2000, ...(cursor ? { cursor } : {}) });
    for (const v of page.versions) {
      result.versions++;
      result.byType.set(v.resourceType, (result.byType.get(v.resourceType) ?? 0) + 1);
      const where = `${v.resourceType}/${v.id}/_history/${v.versionId}`;
      const r = v.resource as { resourceType?: unknown; id?: unknown };
      if (r?.resourceType !== v.resourceType || r?.id !== v.id) result.problems.push(`${where}: stored as ${String(r?.resourceType)}/${String(r?.id)}`);
      const bad = hostilePath(v.resource, v.resourceType);
      if (bad !== undefined) result.problems.push(`${where}: hostile key at ${bad}`);
      const errors = validateResource(v.resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (errors.length > 0) result.problems.push(`${where}: invalid: ${errors.slice(0, 3).map((i) => `${i.expression?.[0] ?? ''} ${i.diagnostics}`).join('; ')}`);
    }
    cursor = page.next;
  } while (cursor);
  return result;
}
