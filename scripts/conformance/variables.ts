// TestScript variables and `${name}` substitution. A value comes from, in order: the command line
// (`--var name=value`), the TestScript's own `variable` definitions, then the runner's built-ins
// (`runId`, `runStart`). Definitions are evaluated when used, as R4 says: a headerField, FHIRPath
// expression or path read from their sourceId (a fixture, or a response or request by its id) or,
// without one, from the last response; defaultValue when that yields nothing.
import { randomBytes } from 'node:crypto';
import { asText, evaluateFhirPath } from './fhirpath-assert.js';
import { selectPath } from './json-path.js';
import type { ScriptVariable } from './types.js';

/** What a variable or assert can read: a response or request (headers and body) or a fixture (body). */
export interface Source {
  /** Lower-case header names. */
  headers?: Record<string, string>;
  body?: unknown;
  /** A response's status code. */
  status?: number;
}

export interface SourceLookup {
  /** The source with this id, or the last response when `id` is undefined; undefined if there is none (yet). */
  source(id: string | undefined): Source | undefined;
}

export class UnresolvedVariableError extends Error {
  override readonly name = 'UnresolvedVariableError';
  constructor(readonly names: string[], detail: string) {
    super(detail);
  }
}

const REFERENCE = /\$\{([A-Za-z0-9_.-]+)\}/g;

/** The runner's own variables: a short id unique to this run, and the instant it started (UTC, ms). */
export function builtinVariables(now: Date = new Date(), runId?: string): Record<string, string> {
  return {
    runId: runId ?? `${now.getTime().toString(36)}${randomBytes(2).toString('hex')}`,
    runStart: now.toISOString(),
  };
}

/** The variable names `${...}` in `text` refers to, each once. */
export function referencedNames(text: string): string[] {
  return [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]!))];
}

export class Variables {
  private readonly defs = new Map<string, ScriptVariable>();
  private readonly resolving: string[] = [];

  constructor(
    defs: readonly ScriptVariable[],
    private readonly given: Readonly<Record<string, string>>,
    private readonly builtins: Readonly<Record<string, string>>,
    private readonly sources: SourceLookup,
  ) {
    for (const d of defs) this.defs.set(d.name, d);
  }

  /** Whether a value can be looked for under `name` (it may still turn out empty). */
  isDefined(name: string): boolean {
    return name in this.given || this.defs.has(name) || name in this.builtins;
  }

  /** The value of `name` now, or undefined when it has none. */
  value(name: string): string | undefined {
    if (Object.hasOwn(this.given, name)) return this.given[name];
    const def = this.defs.get(name);
    if (def) {
      if (this.resolving.includes(name)) {
        throw new UnresolvedVariableError([name], `variable ${name} depends on itself (${[...this.resolving, name].join(' -> ')})`);
      }
      this.resolving.push(name);
      try {
        return this.evaluate(def);
      } finally {
        this.resolving.pop();
      }
    }
    return Object.hasOwn(this.builtins, name) ? this.builtins[name] : undefined;
  }

  /** `text` with every `${name}` replaced; throws naming every variable that has no value. */
  substitute(text: string): string {
    const missing: string[] = [];
    const out = text.replace(REFERENCE, (whole, name: string) => {
      const v = this.value(name);
      if (v === undefined) {
        missing.push(name);
        return whole;
      }
      return v;
    });
    if (missing.length) throw new UnresolvedVariableError(missing, this.explainMissing(missing));
    return out;
  }

  /** A JSON value with substitution applied to every string in it (keys are left alone). */
  substituteJson<T>(json: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.includes('${') ? this.substitute(v) : v;
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(json) as T;
  }

  explainMissing(names: string[]): string {
    return names
      .map((n) => {
        const def = this.defs.get(n);
        if (!def) return `variable ${n} is not set (pass --var ${n}=...)`;
        if (def.sourceId && !this.sources.source(def.sourceId)) return `variable ${n} has no value: its source '${def.sourceId}' has not been produced yet`;
        return `variable ${n} has no value${def.hint ? ` (${def.hint})` : ''}`;
      })
      .join('; ');
  }

  private evaluate(def: ScriptVariable): string | undefined {
    let v: string | undefined;
    const src = def.headerField || def.expression || def.path ? this.sources.source(def.sourceId) : undefined;
    if (def.headerField) {
      v = src?.headers?.[def.headerField.toLowerCase()];
    } else if (def.expression) {
      const found = evaluateFhirPath(src?.body ?? {}, this.substitute(def.expression));
      v = found.length ? asText(found[0]) : undefined;
    } else if (def.path && src) {
      const found = selectPath(src.body, this.substitute(def.path));
      v = found.length ? asText(found[0]) : undefined;
    }
    if ((v === undefined || v === '') && def.defaultValue !== undefined) v = this.substitute(def.defaultValue);
    return v;
  }
}
