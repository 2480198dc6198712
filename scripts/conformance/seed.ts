// `npm run seed -- --base <url> [--token T] [--var name=value]... --fixtures <suite>`
// Loads a suite's fixture resources into a running server in one command, e.g. the estate for a
// tester or integrator. Prints what was created and updated; exit code 1 when the server refused.
import { COMMON_OPTIONS, parseArgs, parseBase, parseTimeout, parseVars, UsageError } from './args.js';
import { DEFAULT_FIXTURES_DIR, loadSuite, SuiteError } from './load-suite.js';
import { planSeed, SeedPlanError } from './seed-plan.js';
import { upload, type SeedCounts, type UploadOptions } from './seed-upload.js';
import { builtinVariables } from './variables.js';

const USAGE = `Usage: npm run seed -- --base <url> --fixtures <suite> [options]

  --base <url>          FHIR base URL of the server, e.g. http://localhost:8080/fhir (required)
  --fixtures <suite>    the suite whose fixtures to load, e.g. estate (required; repeatable)
  --token <token>       bearer token for every upload the suite does not give its own identity
  --var name=value      sets a suite variable; repeatable. Envelope's estate takes a token per role:
                        estateToken, pasToken, gpSystemToken (see docs/conformance.md)
  --no-transaction      one request per resource (in dependency order) even if the server offers transactions
  --fixtures-dir <dir>  where the suites are (default: the project's fixtures/)
  --timeout <seconds>   per request (default 30)`;

function total(counts: Map<string, SeedCounts>): SeedCounts {
  let created = 0;
  let updated = 0;
  for (const c of counts.values()) {
    created += c.created;
    updated += c.updated;
  }
  return { created, updated };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, fixtures: { type: 'string', multiple: true }, 'no-transaction': { type: 'boolean' } },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const base = parseBase(values.base);
  if (!values.fixtures?.length) throw new UsageError('--fixtures <suite> is required, e.g. --fixtures estate');
  const vars = parseVars(values.var);
  const dir = values['fixtures-dir'] ?? DEFAULT_FIXTURES_DIR;
  const builtins = builtinVariables();
  const opts: UploadOptions = { base, noTransaction: values['no-transaction'] === true };
  if (values.token) opts.token = values.token;
  const timeout = parseTimeout(values.timeout);
  if (timeout) opts.timeoutMs = timeout;

  for (const name of values.fixtures) {
    const suite = loadSuite(name, dir);
    const plan = planSeed(suite, { base, vars, builtins, ...(values.token ? { token: values.token } : {}) });
    process.stdout.write(`seeding ${name} into ${base}\n`);
    if (plan.unset.length) process.stdout.write(`  note: not set: ${plan.unset.join(', ')}; uploads that authenticate with them send ${values.token ? 'the --token' : 'no Authorization'}\n`);
    const result = await upload(plan.batches, opts);
    for (const line of result.lines) process.stdout.write(`  ${line}\n`);
    for (const [type, c] of [...result.counts].sort(([a], [b]) => a.localeCompare(b))) {
      process.stdout.write(`  ${type.padEnd(20)} ${String(c.created + c.updated).padStart(4)}  (${c.created} created, ${c.updated} updated)\n`);
    }
    const t = total(result.counts);
    process.stdout.write(`  ${name}: ${t.created + t.updated} resources (${t.created} created, ${t.updated} updated), ${result.mode}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`seed: ${(e as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`);
    process.exit(usage || e instanceof SuiteError || e instanceof SeedPlanError ? 2 : 1);
  },
);
