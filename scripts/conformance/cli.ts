// `npm run conformance -- --base <url> [--token T] [--var name=value]... [--out DIR] [suite...]`
// Runs TestScript suites against any FHIR R4 server, prints a readable report, writes TestReport
// and JUnit files with --out. Exit code 0 when everything passed, 1 when anything failed, 2 for a
// usage error or a broken suite.
import { COMMON_OPTIONS, parseArgs, parseBase, parseTimeout, parseVars, UsageError } from './args.js';
import { runConformance, type ConformanceOptions } from './index.js';
import { DEFAULT_FIXTURES_DIR, listSuites, loadSuite, SuiteError } from './load-suite.js';
import { suiteNeeds } from './suite-info.js';

const USAGE = `Usage: npm run conformance -- --base <url> [options] [suite...]

  --base <url>          FHIR base URL of the server under test (required), e.g. http://localhost:8080/fhir
  --token <token>       bearer token sent with every request (a step's own Authorization header wins)
  --var name=value      sets a TestScript variable; repeatable. Envelope's suites take one token per
                        role, e.g. --var gpToken=$(npm run -s token -- --role gp-clinician --org A81001)
  --out <dir>           writes TestReport-<suite>.json (FHIR R4 TestReport) and junit-<suite>.xml there
  --fixtures-dir <dir>  where the suites are (default: the project's fixtures/)
  --timeout <seconds>   per request (default 30)
  --verbose             prints every step, not only those of failed tests
  --list                lists the suites and the variables each uses, then exits

Without suite names every suite runs. Exit code: 0 all passed, 1 something failed, 2 usage error.
Suites and variables: docs/conformance.md.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, out: { type: 'string' }, verbose: { type: 'boolean' }, list: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const dir = values['fixtures-dir'] ?? DEFAULT_FIXTURES_DIR;
  if (values.list) {
    for (const name of listSuites(dir)) {
      const suite = loadSuite(name, dir);
      const needs = suiteNeeds(suite);
      process.stdout.write(`${name}: ${suite.script.title ?? suite.script.name ?? ''}\n  ${suite.script.test?.length ?? 0} tests; variables: ${needs.length ? needs.join(', ') : 'none'}\n`);
    }
    return 0;
  }
  const opts: ConformanceOptions = {
    base: parseBase(values.base),
    vars: parseVars(values.var),
    fixturesDir: dir,
    log: (text) => process.stdout.write(text + '\n'),
    verbose: values.verbose === true,
  };
  if (positionals.length) opts.suites = positionals;
  if (values.token) opts.token = values.token;
  if (values.out) opts.outDir = values.out;
  const timeout = parseTimeout(values.timeout);
  if (timeout) opts.timeoutMs = timeout;
  const run = await runConformance(opts);
  if (run.files.length) process.stdout.write(`wrote ${run.files.length} files to ${values.out}\n`);
  return run.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`conformance: ${(e as Error).message}\n`);
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write('\n' + USAGE + '\n');
    process.exit(e instanceof UsageError || e instanceof SuiteError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
