// Reads a fixture suite from disk: a folder under fixtures/ holding one TestScript JSON file and the
// fixture resources it references. Every fixture is resolved and parsed here, so a broken reference
// is reported before anything is sent to a server.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestScriptDoc } from './types.js';

/** <package root>/fixtures, from dist/scripts/conformance/ or scripts/conformance/ alike. */
export const DEFAULT_FIXTURES_DIR = findFixturesDir(dirname(fileURLToPath(import.meta.url)));

function findFixturesDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'fixtures'))) return join(dir, 'fixtures');
    if (dirname(dir) === dir) return resolve('fixtures');
  }
}

export interface Fixture {
  id: string;
  /** Where it came from: a file path, or `#id` for a resource contained in the TestScript. */
  source: string;
  /** The JSON as written, before `${variable}` substitution. */
  body: unknown;
  autocreate: boolean;
  autodelete: boolean;
}

export interface Suite {
  /** The folder name, which is what a user types to select the suite. */
  name: string;
  dir: string;
  file: string;
  script: TestScriptDoc;
  /** In TestScript order. */
  fixtures: Map<string, Fixture>;
}

export class SuiteError extends Error {
  override readonly name = 'SuiteError';
}

const SCRIPT_FILE = /^TestScript.*\.json$/;

/** Names of the suites in `fixturesDir`: the folders holding a TestScript file, sorted. */
export function listSuites(fixturesDir = DEFAULT_FIXTURES_DIR): string[] {
  if (!existsSync(fixturesDir)) throw new SuiteError(`fixtures folder ${fixturesDir} does not exist`);
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(fixturesDir, e.name)).some((f) => SCRIPT_FILE.test(f)))
    .map((e) => e.name)
    .sort();
}

export function loadSuite(name: string, fixturesDir = DEFAULT_FIXTURES_DIR): Suite {
  const dir = join(fixturesDir, name);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(dir) || !statSync(dir).isDirectory()) {
    const known = existsSync(fixturesDir) ? listSuites(fixturesDir) : [];
    throw new SuiteError(`no suite '${name}' in ${fixturesDir}${known.length ? `; suites: ${known.join(', ')}` : ''}`);
  }
  const scripts = readdirSync(dir).filter((f) => SCRIPT_FILE.test(f));
  if (scripts.length !== 1) throw new SuiteError(`suite ${name} must hold exactly one TestScript*.json file, found ${scripts.length}`);
  const file = join(dir, scripts[0]!);
  const script = readJson(file) as TestScriptDoc;
  if (script?.resourceType !== 'TestScript') throw new SuiteError(`${file} is not a TestScript`);

  // Relative fixture paths are read from the project root (the folder holding fixtures/), as in
  // `fixtures/estate/Organization-rr8.json`, or else from the TestScript's own folder.
  const roots = [dirname(fixturesDir), dir];
  const fixtures = new Map<string, Fixture>();
  for (const [i, f] of (script.fixture ?? []).entries()) {
    const at = `${file}: fixture[${i}]`;
    if (!f.id) throw new SuiteError(`${at} has no id`);
    if (fixtures.has(f.id)) throw new SuiteError(`${at}: fixture id '${f.id}' is used twice`);
    const ref = f.resource?.reference;
    if (!ref) throw new SuiteError(`${at} (${f.id}) has no resource.reference`);
    fixtures.set(f.id, {
      id: f.id,
      source: ref,
      body: ref.startsWith('#') ? containedBody(script, ref, at) : fileBody(ref, roots, at),
      autocreate: f.autocreate === true,
      autodelete: f.autodelete === true,
    });
  }
  return { name, dir, file, script, fixtures };
}

function containedBody(script: TestScriptDoc, ref: string, at: string): unknown {
  const found = (script.contained ?? []).find((c) => c.id === ref.slice(1));
  if (!found) throw new SuiteError(`${at}: no contained resource with id '${ref.slice(1)}'`);
  return found;
}

function fileBody(ref: string, roots: string[], at: string): unknown {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) throw new SuiteError(`${at}: ${ref} is not a file path; remote fixtures are not supported`);
  for (const root of roots) {
    const path = resolve(root, ref);
    if (existsSync(path) && statSync(path).isFile()) return readJson(path);
  }
  throw new SuiteError(`${at}: fixture file ${ref} not found (looked in ${roots.join(' and ')})`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SuiteError(`${path}: ${(e as Error).message}`);
  }
}
