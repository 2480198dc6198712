// What a suite expects from whoever runs it: the `${variables}` it uses that neither the TestScript
// defines nor the runner provides (for Envelope's suites, the role tokens).
import type { Suite } from './load-suite.js';
import { builtinVariables, referencedNames } from './variables.js';

function strings(json: unknown, out: string[]): string[] {
  if (typeof json === 'string') out.push(json);
  else if (Array.isArray(json)) for (const x of json) strings(x, out);
  else if (json && typeof json === 'object') for (const x of Object.values(json)) strings(x, out);
  return out;
}

/** Names the caller must pass with --var, sorted. */
export function suiteNeeds(suite: Suite): string[] {
  const defined = new Set([...(suite.script.variable ?? []).map((v) => v.name), ...Object.keys(builtinVariables(new Date(0), 'x'))]);
  const used = new Set<string>();
  for (const s of strings(suite.script, [])) for (const n of referencedNames(s)) used.add(n);
  for (const f of suite.fixtures.values()) for (const s of strings(f.body, [])) for (const n of referencedNames(s)) used.add(n);
  return [...used].filter((n) => !defined.has(n)).sort();
}
