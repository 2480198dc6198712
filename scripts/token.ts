// `npm run token -- --role <role> [--org <ODS>] [--user <Practitioner/id>] [--scope "..."] [--ttl 1h] [--purpose TREAT]`
// Prints a dev-issuer token on stdout (notes go to stderr, so `TOKEN=$(npm run -s token -- …)` works).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { authConfigFromEnv, usesDevIssuer } from '../src/auth/config.js';
import { DEV_MAX_TTL_SEC, ensureDevIssuer } from '../src/auth/dev-issuer.js';
import { parseScopes } from '../src/auth/scopes.js';
import { scopesForRole } from '../src/policy/role-scopes.js';
import { parseRolePolicy, roleNames } from '../src/policy/roles.js';
import type { RolePolicy } from '../src/policy/roles.js';

const USAGE = `Usage: npm run token -- --role <role> [options]

  --role <role>        role to act in (required; one of the roles in the role policy file)
  --org <ODS code>     organisation the user acts for, e.g. A81001
  --user <Type/id>     fhirUser, e.g. Practitioner/123 (also the default subject)
  --sub <id>           subject; default: --user, else dev-<role>
  --scope "<scopes>"   space-separated SMART scopes; default: exactly the role's grants (user/...)
  --purpose <code>     purpose of use, e.g. TREAT or ETREAT
  --ttl <n[s|m|h]>     lifetime, default 1h, at most 24h

Environment: DATA_DIR (default ./data) holds the dev signing key; ROLE_POLICY_FILE (default
policy/roles.json); AUTH_AUDIENCE and AUTH_CLAIM_* must match the server's.`;

const USER = /^(Practitioner|PractitionerRole|Patient|RelatedPerson|Device)\/[A-Za-z0-9\-.]{1,64}$/;
const ODS = /^[A-Za-z0-9]{3,10}$/;

class UsageError extends Error {}

function parseTtl(v: string | undefined): number {
  if (v === undefined) return 3600;
  const m = /^(\d+)([smh]?)$/.exec(v);
  if (!m) throw new UsageError(`--ttl must look like 900, 15m or 2h (got ${v})`);
  const sec = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (sec < 1 || sec > DEV_MAX_TTL_SEC) throw new UsageError(`--ttl must be between 1s and 24h`);
  return sec;
}

function loadPolicy(env: NodeJS.ProcessEnv): RolePolicy {
  // dist/scripts/token.js → <package root>/policy/roles.json, wherever npm was started from.
  const file = env['ROLE_POLICY_FILE']?.trim() || fileURLToPath(new URL('../../policy/roles.json', import.meta.url));
  return parseRolePolicy(JSON.parse(readFileSync(file, 'utf8')));
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' }, org: { type: 'string' }, user: { type: 'string' }, sub: { type: 'string' },
      scope: { type: 'string' }, purpose: { type: 'string' }, ttl: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stderr.write(USAGE + '\n');
    process.exit(0);
  }

  const auth = authConfigFromEnv(env);
  if (!usesDevIssuer(auth)) {
    throw new UsageError('AUTH_JWKS_FILE or AUTH_JWKS_URL is set, so the server does not accept dev tokens; get a token from your identity provider');
  }
  const policy = loadPolicy(env);
  const known = roleNames(policy);
  if (!values.role) throw new UsageError(`--role is required; one of: ${known.join(', ')}`);
  if (!policy.roles.has(values.role)) throw new UsageError(`unknown role '${values.role}'; known roles: ${known.join(', ')}`);
  if (values.user !== undefined && !USER.test(values.user)) {
    throw new UsageError(`--user must be a reference such as Practitioner/123 (got ${values.user})`);
  }
  if (values.org !== undefined && !ODS.test(values.org)) throw new UsageError(`--org must be an ODS code such as A81001 (got ${values.org})`);
  if (values.purpose !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.purpose)) throw new UsageError('--purpose must be a code such as TREAT');

  const ttl = parseTtl(values.ttl);
  const scope = values.scope ?? (scopesForRole(policy, values.role) ?? []).join(' ');
  if (parseScopes(scope).length === 0) {
    process.stderr.write(`note: the token carries no usable FHIR scopes, so every interaction will be refused` +
      (values.scope === undefined ? ` (role '${values.role}' has no grants this server enforces yet)` : '') + '\n');
  }

  const names = auth.claimNames;
  const claims: Record<string, unknown> = {
    [names.sub]: values.sub ?? values.user ?? `dev-${values.role}`,
    [names.role]: values.role,
    [names.scope]: scope,
  };
  if (values.org !== undefined) claims[names.organization] = values.org.toUpperCase();
  if (values.user !== undefined) claims[names.fhirUser] = values.user;
  if (values.purpose !== undefined) claims[names.purposeOfUse] = values.purpose;

  const dataDir = resolve(env['DATA_DIR']?.trim() || './data');
  const issuer = await ensureDevIssuer(dataDir, env);
  return issuer.sign(claims, ttl);
}

main(process.argv.slice(2), process.env).then(
  (token) => process.stdout.write(token + '\n'),
  (e: unknown) => {
    process.stderr.write(`token: ${(e as Error).message}\n`);
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write('\n' + USAGE + '\n');
    process.exit(1);
  },
);
