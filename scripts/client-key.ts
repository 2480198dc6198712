// `npm run client-key -- --out <file> [--alg ES384|RS384]`
// Makes a key pair for a system client: the private JWK goes to <file> (mode 0600, never overwritten),
// the public JWKS to stdout, ready for the client's "jwks" in the AUTH_CLIENTS_FILE.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

const USAGE = `Usage: npm run -s client-key -- --out <private key file> [--alg ES384|RS384]

Writes the client's private key (JWK, mode 0600) to --out and prints the public JWKS to register.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, alg: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stderr.write(USAGE + '\n');
    process.exit(0);
  }
  if (!values.out) throw new UsageError('--out is required');
  const alg = values.alg ?? 'ES384';
  if (alg !== 'ES384' && alg !== 'RS384') throw new UsageError('--alg must be ES384 or RS384');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS384' ? { modulusLength: 3072 } : {}) });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const priv = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  await writeFile(values.out, JSON.stringify(priv, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return JSON.stringify({ keys: [{ ...pub, kid, alg, use: 'sig' }] }, null, 2);
}

main(process.argv.slice(2)).then(
  (jwks) => process.stdout.write(jwks + '\n'),
  (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(`client-key: ${code === 'EEXIST' ? 'the --out file already exists; choose another name' : (e as Error).message}\n`);
    if (e instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write('\n' + USAGE + '\n');
    process.exit(1);
  },
);
