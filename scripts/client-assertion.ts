// `npm run -s client-assertion -- --client <client_id> --key <private key file> [--aud <token URL>] [--ttl <seconds>]`
// Prints a private_key_jwt client assertion for POST /auth/token (what a system client's own code
// would make): iss = sub = client_id, aud = the token endpoint, a fresh jti, exp at most 5 minutes on.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const USAGE = `Usage: npm run -s client-assertion -- --client <client_id> --key <file> [--aud <url>] [--ttl <seconds>]

  --client <id>   the registered client_id (iss and sub of the assertion)
  --key <file>    the client's private key: a JWK (as written by npm run client-key) or a PEM
  --aud <url>     the token endpoint; default PUBLIC_BASE_URL, else http://localhost:PORT (8080), plus /auth/token
  --ttl <sec>     lifetime, 1 to 300 (default 300)`;

class UsageError extends Error {}

function algorithmOf(key: KeyObject, declared: unknown): string {
  if (typeof declared === 'string') return declared;
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return 'RS384';
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'secp384r1') return 'ES384';
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'prime256v1') return 'ES256';
  throw new UsageError('--key must be an RSA, EC P-384 or EC P-256 private key');
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      client: { type: 'string' }, key: { type: 'string' }, aud: { type: 'string' }, ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stderr.write(USAGE + '\n');
    process.exit(0);
  }
  if (!values.client) throw new UsageError('--client is required');
  if (!values.key) throw new UsageError('--key is required');
  const ttl = values.ttl === undefined ? 300 : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 300) throw new UsageError('--ttl must be a whole number of seconds from 1 to 300');
  const base = env['PUBLIC_BASE_URL']?.trim().replace(/\/+$/, '') || `http://localhost:${env['PORT']?.trim() || '8080'}`;
  const aud = values.aud ?? `${base}/auth/token`;

  const text = await readFile(values.key, 'utf8');
  let key: KeyObject;
  let kid: string | undefined;
  let declaredAlg: unknown;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: string; alg?: string };
      kid = jwk.kid;
      declaredAlg = jwk.alg;
      key = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      key = createPrivateKey(text);
    }
  } catch {
    throw new UsageError('--key is not a private key (JWK or PEM)');
  }
  const alg = algorithmOf(key, declaredAlg);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .setIssuer(values.client)
    .setSubject(values.client)
    .setAudience(aud)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(key);
}

main(process.argv.slice(2), process.env).then(
  (assertion) => process.stdout.write(assertion + '\n'),
  (e: unknown) => {
    process.stderr.write(`client-assertion: ${(e as Error).message}\n`);
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write('\n' + USAGE + '\n');
    process.exit(1);
  },
);
