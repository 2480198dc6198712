// Summaries of V8 CPU profiles (from `node --cpu-prof`) by self time: per function, and per area of
// the code base (src/search, src/store, better-sqlite3's native calls, JSON, GC …), so a report can say
// where seeding or a request spends its time without a profiler UI. Native functions such as
// better-sqlite3's Statement#run have no frame of their own in V8 profiles: their time shows as self
// time of the JavaScript function that called them.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the system a frame belongs to. Native frames are named by what called them. */
export function areaOf(frame: CallFrame, parent: CallFrame | undefined): string {
  const url = frame.url;
  const m = /\/(src|scripts|test)\/(.*?)(\/[^/]+)?\.js$/.exec(url);
  if (m && !url.includes('node_modules')) {
    const dir = m[2]!.split('/');
    return `${m[1]}/${dir.length > 1 ? dir.slice(0, 2).join('/') : dir[0]}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith('node:')) return url;
  const name = frame.functionName;
  if (name === '(garbage collector)' || name === '(program)' || name === '(idle)') return name;
  if (!url) {
    if (/^(stringify|parse)$/.test(name) && parent && !parent.url.includes('node_modules')) return `JSON.${name}`;
    // Native functions (better-sqlite3's run/get/all, Math, RegExp …): charge them to their caller's
    // area, naming the function, which is what a reader wants to know.
    const p = parent ? areaOf(parent, undefined) : '?';
    return `native ${name || '(anonymous)'} ← ${p}`;
  }
  return url;
}

export function summarise(profile: Profile): { total: number; byFunction: Map<string, number>; byArea: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const parent = parentOf.get(id)?.callFrame;
    const file = f.url.replace(/^.*\/(src|scripts|node_modules)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : parent ? `← ${parent.functionName || '(anonymous)'}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(f, parent);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  return { total, byFunction, byArea };
}

export function table(title: string, m: Map<string, number>, total: number, top: number): string {
  const rows = [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    title,
    ...rows.map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`),
  ].join('\n');
}

export function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}
