// The `path` of a TestScript variable or assert (R4: "XPath or JSONPath"). JSON only, so a small
// JSONPath subset: `$.a.b[0].c`, `a.b`, and the slash form of the R4 examples (`Patient/id`), with
// `[*]` or an array step without an index visiting every element.

export class PathError extends Error {
  override readonly name = 'PathError';
}

type Step = { key: string } | { index: number } | { all: true };

function steps(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1);
  const out: Step[] = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|\*)\]|\/([A-Za-z_][A-Za-z0-9_]*)/y;
  let at = 0;
  while (at < p.length) {
    re.lastIndex = at;
    const m = re.exec(p);
    if (!m) throw new PathError(`path ${JSON.stringify(path)}: cannot read from '${p.slice(at)}'`);
    at = re.lastIndex;
    if (m[2] === '*') out.push({ all: true });
    else if (m[2] !== undefined) out.push({ index: Number(m[2]) });
    else out.push({ key: (m[1] ?? m[3])! });
  }
  return out;
}

/**
 * The values at `path` in `json`. A leading step naming the resource type (`Patient.id`,
 * `Patient/id`) is skipped when it equals the document's `resourceType`, as FHIRPath would. A key
 * step walks into every element of an array; an index step picks from an array (a single value
 * counts as an array of one).
 */
export function selectPath(json: unknown, path: string): unknown[] {
  const list = steps(path);
  const first = list[0];
  if (first && 'key' in first && /^[A-Z]/.test(first.key) && (json as { resourceType?: unknown })?.resourceType === first.key) list.shift();
  let current: unknown[] = [json];
  for (const step of list) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('key' in step) {
        for (const item of Array.isArray(v) ? v : [v]) {
          if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
          const child = (item as Record<string, unknown>)[step.key];
          if (child !== undefined) next.push(child);
        }
      } else {
        const items = Array.isArray(v) ? v : [v];
        next.push(...('all' in step ? items : items.slice(step.index, step.index + 1)));
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}
